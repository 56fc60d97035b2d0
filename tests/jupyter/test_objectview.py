"""``ObjectView`` of a stored ``<npy@>`` array: metadata without reading the payload, a window on demand.

Every read of the folder store is counted (``FolderStore.get`` / ``get_range`` wrapped),
so the tests can assert that fetching the row and building, showing and displaying the
view read no byte of the object, and that a preview reads only its window.  SQLite
and MariaDB (an unreachable server is skipped locally and fails in CI).
"""

from __future__ import annotations

import importlib.util
import re
import weakref
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

import dj_jupyter as dj
from dj_jupyter.codecs.npyref import NpyRef
from dj_jupyter.jupyter.display import register_display, unregister_display
from dj_jupyter.jupyter.widgets import ObjectView
from dj_jupyter.jupyter.widgets.objectview import size_text
from dj_jupyter.stores.folder import FolderStore
from tests.jupyter.anywidget_parity import assert_opened_as_by_anywidget, released
from tests.jupyter.widget_comms import published  # noqa: F401  (fixture)

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
BIG = np.arange(2000 * 500, dtype=np.float64).reshape(2000, 500)  # 8 MB
CUBE = (np.arange(6 * 50 * 40, dtype=np.int16) - 3000).reshape(6, 50, 40)
LINE = np.linspace(0.0, 1.0, 300, dtype=np.float32)


def _load_matrix():
    path = Path(__file__).parents[1] / "backends" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_dj_backend_matrix_objectview", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_matrix = _load_matrix()


@pytest.fixture(scope="module", params=["sqlite", "mysql"])
def arrays(request, tmp_path_factory):
    _matrix.require_backend(request.param)
    folder = tmp_path_factory.mktemp(f"objectview_{request.param}")
    (folder / "store").mkdir()
    conn = _matrix.make_connection(request.param, folder)
    name = _matrix.fresh_schema_name()
    stores = {"default": "local", "local": {"protocol": "file", "location": str(folder / "store")}}
    with dj.config.override(stores=stores, safemode=False):
        schema = dj.Schema(name, connection=conn)

        @schema
        class Arrays(dj.Manual):
            definition = """
            array_id : int32
            ---
            x : <npy@>
            """

        Arrays.insert([{"array_id": 1, "x": BIG}, {"array_id": 2, "x": CUBE}, {"array_id": 3, "x": LINE},
                       {"array_id": 4, "x": np.array(2.5)}])
        try:
            yield Arrays
        finally:
            _matrix.drop_schema(conn, name)
            conn.close_all()


@pytest.fixture
def reads(monkeypatch):
    """Every read of a folder store: (path, bytes)."""
    log: list[tuple[str, int]] = []
    get, get_range = FolderStore.get, FolderStore.get_range

    def counted_get(self, path):
        data = get(self, path)
        log.append((path, len(data)))
        return data

    def counted_range(self, path, start, length):
        data = get_range(self, path, start, length)
        log.append((path, len(data)))
        return data

    monkeypatch.setattr(FolderStore, "get", counted_get)
    monkeypatch.setattr(FolderStore, "get_range", counted_range)
    return SimpleNamespace(log=log, total=lambda: sum(n for _, n in log))


def fetch(table, array_id: int) -> NpyRef:
    return (table & {"array_id": array_id}).fetch1("x")


def send(widget, content: dict) -> None:
    widget._handle_custom_msg(content, [])


def test_metadata_is_shown_without_reading_the_object(arrays, reads):
    ref = fetch(arrays, 1)
    view = ObjectView(ref)
    assert (view.kind, view.shape, view.dtype, view.chunks) == ("npy", [2000, 500], "float64", None)
    assert view.nbytes == BIG.nbytes and view.size == "8.0 MB" and view.store == "local"
    assert view.path == ref.path and view.path.endswith(".npy")
    data, _ = view._repr_mimebundle_()
    assert WIDGET_MIME in data and "(2000, 500)" in data["text/html"] and "8.0 MB" in data["text/html"]
    assert data["text/plain"] == repr(ref)
    assert view.preview == {} and reads.log == [] and not ref.is_loaded


def test_preview_reads_only_its_window(arrays, reads):
    view = ObjectView(fetch(arrays, 1), window_rows=5, window_columns=4)
    send(view, {"type": "preview", "position": [], "row": 1000})
    assert view.error == "" and view.row == 1000
    assert view.preview["index"] == "1000:1005, 0:4" and view.preview["shape"] == [5, 4]
    assert view.preview["rows"] == [[f"{v:.6g}" for v in line] for line in BIG[1000:1005, :4].tolist()]
    assert view.preview["first_row"] == 1000 and view.preview["columns"] == [0, 1, 2, 3]
    header = 16 + 128  # the .npy header: its length, then the header itself (read once)
    assert 0 < reads.total() <= header + 5 * 500 * 8 < BIG.nbytes / 100
    assert "1000:1005" in view._repr_mimebundle_()[0]["text/html"]  # the static rendering carries it


def test_leading_axes_select_the_slice_previewed(arrays, reads):
    view = ObjectView(fetch(arrays, 2), window_rows=3, window_columns=5)
    assert view.position == [0] and reads.log == []
    values = view.show([4], row=10)
    np.testing.assert_array_equal(values, CUBE[4, 10:13, :5])
    assert view.position == [4] and view.preview["rows"][0] == [str(v) for v in CUBE[4, 10, :5]]
    assert reads.total() <= 16 + 128 + 3 * 40 * 2


def test_one_and_zero_dimensional_arrays(arrays, reads):
    line = ObjectView(fetch(arrays, 3), window_rows=4)
    assert line.position == [] and line.shape == [300]
    np.testing.assert_array_equal(line.show(row=296), LINE[296:300])
    assert line.preview["shape"] == [4] and len(line.preview["rows"]) == 4 and line.preview["columns"] == [0]
    scalar = ObjectView(fetch(arrays, 4))
    assert scalar.shape == [] and scalar.size == "8 B"
    assert scalar.show() == 2.5 and scalar.preview["rows"] == [["2.5"]]


def test_bad_requests_are_reported_in_the_widget(arrays, reads):
    view = ObjectView(fetch(arrays, 2))
    send(view, {"type": "preview", "position": [6], "row": 0})
    assert "position" in view.error and "(6,)" in view.error and view.preview == {}
    send(view, {"type": "preview", "position": [0, 1], "row": 0})
    assert "1 index" in view.error
    send(view, {"type": "preview", "position": [0], "row": 50})
    assert "0..49" in view.error
    send(view, {"type": "preview", "position": ["a"]})
    assert "integers >= 0" in view.error
    send(view, {"type": "zoom"})
    assert "'preview'" in view.error
    assert reads.log == []  # nothing was read for a bad request
    send(view, {"type": "preview", "position": [1], "row": 0})
    assert view.error == "" and view.preview["index"] == "1, 0:20, 0:10"
    with pytest.raises(dj.DataJointError, match="NpyRef"):
        ObjectView(np.zeros(3))


def test_registered_display_shows_a_fetched_array_as_its_view(arrays, reads):
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell.instance(config=config)
    register_display(shell)
    try:
        data, _ = shell.display_formatter.format(fetch(arrays, 1))
    finally:
        unregister_display(shell)
    assert WIDGET_MIME in data and "float64" in data["text/html"]
    assert reads.log == []


def test_opens_its_comm_as_anywidget_would_and_is_released_when_closed(arrays, reads, published):
    view = ObjectView(fetch(arrays, 2), window_rows=3)
    assert type(view) is ObjectView  # no class per instance
    assert_opened_as_by_anywidget(published, view, "objectview.js", "objectview.css")
    send(view, {"type": "preview", "position": [1], "row": 0})  # taken without on_msg's dispatcher
    assert view.preview["index"] == "1, 0:3, 0:10" and not view.trait_has_value("_msg_callbacks")
    ref = weakref.ref(view)
    view.close()
    del view
    assert released(ref)  # anywidget's file-watch signal kept every view (and its preview) alive


def test_size_text():
    assert [size_text(n) for n in (0, 999, 1000, 1_500_000, 3 * 10**9, 7 * 10**15)] == [
        "0 B", "999 B", "1.0 kB", "1.5 MB", "3.0 GB", "7000.0 TB"]


def test_front_end_reads_synced_traits_and_sends_preview_messages():
    esm, css = (ObjectView.class_traits()[name].default_value for name in ("_esm", "_css"))  # lean.asset: the text
    assert "export default { render }" in esm and "prefers-color-scheme: dark" in css
    synced = {name for name, trait in ObjectView.class_traits().items() if trait.metadata.get("sync")}
    read = set(re.findall(r'model\.get\("(\w+)"\)', esm))
    read |= {n for names in re.findall(r"const names = \[([^\]]*)\]", esm) for n in re.findall(r'"(\w+)"', names)}
    assert read and read <= synced, f"the front end reads {sorted(read - synced)}, which the widget does not sync"
    assert set(re.findall(r'type: "(\w+)"', esm)) == {"preview"}


# ---------------------------------------------------------------------- <object@>: Zarr stores and plain files
PIXELS = np.arange(100 * 60, dtype=np.float32).reshape(100, 60)
LABELS = np.arange(50, dtype=np.int64)


@pytest.fixture(scope="module", params=["sqlite", "mysql"])
def objects(request, tmp_path_factory):
    import zarr

    _matrix.require_backend(request.param)
    folder = tmp_path_factory.mktemp(f"objectview_zarr_{request.param}")
    (folder / "store").mkdir()
    conn = _matrix.make_connection(request.param, folder)
    name = _matrix.fresh_schema_name()
    stores = {"default": "local", "local": {"protocol": "file", "location": str(folder / "store")}}
    (folder / "notes.txt").write_text("a plain file")
    with dj.config.override(stores=stores, safemode=False):
        schema = dj.Schema(name, connection=conn)

        @schema
        class Movie(dj.Manual):
            definition = """
            movie_id : int32
            ---
            frames : <object@>
            """

        with Movie.staged_insert1 as staged:
            staged.rec["movie_id"] = 1
            group = zarr.open_group(staged.store("frames", ".zarr"), mode="w")
            pixels = group.create_array("pixels", shape=PIXELS.shape, chunks=(10, 20), dtype="float32",
                                        compressors=None)
            pixels[:] = PIXELS
            group.create_array("labels", shape=LABELS.shape, chunks=(25,), dtype="int64")[:] = LABELS
        Movie.insert1({"movie_id": 2, "frames": folder / "notes.txt"})
        try:
            yield Movie
        finally:
            _matrix.drop_schema(conn, name)
            conn.close_all()


@pytest.fixture
def files_read(monkeypatch):
    """Every file the folder store's filesystem reads (paths relative to the object)."""
    from fsspec.implementations.local import LocalFileSystem

    log: list[str] = []
    original = LocalFileSystem.cat_file

    def counted(self, path, *args, **kwargs):
        log.append(str(path).split(".zarr/")[-1])
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(LocalFileSystem, "cat_file", counted)
    return log


def chunks_of(log: list[str]) -> list[str]:
    return [p for p in log if "/c/" in p or p.startswith("c/")]


def test_a_zarr_group_shows_its_arrays_from_metadata_only(objects, files_read):
    ref = (objects & {"movie_id": 1}).fetch1("frames")
    view = ObjectView(ref)
    assert view.kind == "zarr_group" and view.previewable and sorted(view.arrays) == ["labels", "pixels"]
    view.select_array("pixels")
    assert (view.shape, view.dtype, view.chunks) == ([100, 60], "float32", [10, 20])
    assert view.nbytes == PIXELS.nbytes + LABELS.nbytes and view.preview == {}
    data, _ = view._repr_mimebundle_()
    assert "(10, 20)" in data["text/html"] and "zarr_group" in data["text/html"]
    assert files_read and chunks_of(files_read) == []  # metadata documents only
    with pytest.raises(dj.DataJointError, match="'nope' is not an array.*labels, pixels|pixels, labels"):
        view.select_array("nope")


def test_a_zarr_preview_reads_only_the_chunks_of_its_window(objects, files_read):
    view = ObjectView((objects & {"movie_id": 1}).fetch1("frames"), window_rows=20, window_columns=10)
    send(view, {"type": "preview", "array": "pixels", "position": [], "row": 15})
    assert view.error == "" and view.array == "pixels"
    np.testing.assert_array_equal(np.array(view.preview["rows"], dtype=float), PIXELS[15:35, :10])
    assert sorted(chunks_of(files_read)) == ["pixels/c/1/0", "pixels/c/2/0", "pixels/c/3/0"]  # 3 of 30 chunks
    files_read.clear()
    send(view, {"type": "preview", "array": "labels", "position": [], "row": 40})
    assert view.preview["index"] == "40:60" and len(view.preview["rows"]) == 10
    assert chunks_of(files_read) == ["labels/c/1"]


def test_a_plain_file_shows_its_metadata_and_no_preview(objects, files_read):
    view = ObjectView((objects & {"movie_id": 2}).fetch1("frames"))
    assert view.kind == "file" and not view.previewable and view.shape == [] and view.nbytes == 12
    assert "shape" not in view.static_html() and "12 B" in view.static_html()
    send(view, {"type": "preview", "position": [], "row": 0})
    assert "holds no array" in view.error
    assert files_read == []
