"""``<filepath@>`` on every backend, on a folder store and on a real S3 store (SeaweedFS).

The targets are the user's files already in the store: inserts record their metadata,
fetches return references, and neither deleting rows nor ``dj.gc`` ever removes them.
Bad input (missing targets, paths outside the store or in its managed sections) is in
``test_object_errors.py``.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

import dj_jupyter as dj
from dj_jupyter.codecs.objectref import ObjectRef
from dj_jupyter.errors import DataJointError, StorePathError
from dj_jupyter.stores import get_store
from tests.backends.conftest import BACKENDS, drop_schema, fresh_schema_name, make_connection, require_backend
from tests.s3server import ACCESS_KEY, SECRET_KEY

CASES = [(backend, kind) for backend in BACKENDS for kind in ("folder", "s3")]


def store_specs(kind: str, folder: Path, request) -> dict:
    """Two views of one store location: ``lab`` (the default) and ``raw`` with a filepath_prefix."""
    if kind == "folder":
        (folder / "store").mkdir()
        base = {"protocol": "file", "location": str(folder / "store")}
    else:
        base = request.getfixturevalue("s3_server").store(access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    return {"default": "lab", "lab": base, "raw": {**base, "filepath_prefix": "raw_data"}}


@pytest.fixture(scope="module", params=CASES, ids=[f"{b}-{k}" for b, k in CASES])
def env(request, tmp_path_factory):
    backend, kind = request.param
    require_backend(backend)
    folder = tmp_path_factory.mktemp(f"filepath_{backend}_{kind}")
    conn = make_connection(backend, folder)
    name = fresh_schema_name()
    try:
        with dj.config.override(stores=store_specs(kind, folder, request), safemode=False):
            schema = dj.Schema(name, connection=conn)

            @schema
            class Recording(dj.Manual):
                definition = """
                rec_id : int32
                ---
                raw = null : <filepath@>
                prefixed = null : <filepath@raw>
                blob = null : <blob@>
                """

            yield Recording, get_store("lab")
            store = get_store("lab")
            for path in store.list():
                store.delete(path)
    finally:
        drop_schema(conn, name)
        conn.close_all()


def stored_json(table, rec_id: int, column: str = "raw") -> dict:
    sql = f"SELECT {column} FROM {table.full_table_name} WHERE rec_id = {rec_id}"
    value = table.connection.query(sql).fetchone()[0]
    return value if isinstance(value, dict) else json.loads(value)


def test_file_round_trip(env):
    table, store = env
    store.put("sessions/s1/video.bin", b"0123456789")
    table.insert1({"rec_id": 1, "raw": "sessions/s1/video.bin"})
    ref = (table & {"rec_id": 1}).fetch1("raw")
    assert isinstance(ref, ObjectRef) and str(ref) == "sessions/s1/video.bin"
    assert (ref.path, ref.store, ref.size, ref.is_dir) == ("sessions/s1/video.bin", "lab", 10, False)
    stamp = datetime.datetime.fromisoformat(ref.timestamp)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - stamp).total_seconds()) < 600
    assert ref.read() == b"0123456789" and ref.exists() and ref.verify()
    with ref.open() as f:
        assert f.read(4) == b"0123"
    assert set(stored_json(table, 1)) == {"path", "store", "size", "is_dir", "timestamp"}


def test_folder_round_trip(env):
    table, store = env
    store.put("sessions/s2/a.txt", b"aaa")
    store.put("sessions/s2/sub/b.txt", b"bb")
    table.insert1({"rec_id": 2, "raw": Path("sessions") / "s2"})
    ref = (table & {"rec_id": 2}).fetch1("raw")
    assert (ref.path, ref.is_dir, ref.size) == ("sessions/s2", True, 5)
    assert ref.timestamp is not None
    assert ref.listdir() == ["a.txt", "sub"] and ref.listdir("sub") == ["b.txt"]
    with ref.open("sub/b.txt") as f:
        assert f.read() == b"bb"
    assert ref.exists("a.txt") and not ref.exists("c.txt")
    with pytest.raises(DataJointError, match="is a folder"):
        ref.read()


def test_paths_are_normalised(env):
    table, store = env
    store.put("norm/x.dat", b"x")
    table.insert1({"rec_id": 3, "raw": "./norm//x.dat"})
    table.insert1({"rec_id": 4, "raw": "norm\\x.dat"})
    assert [r["raw"].path for r in (table & "rec_id in (3, 4)").to_dicts()] == ["norm/x.dat"] * 2
    if hasattr(store, "root") and isinstance(store.root, Path):  # a local absolute path inside the store folder
        table.insert1({"rec_id": 5, "raw": str(store.root / "norm" / "x.dat")})
        assert (table & {"rec_id": 5}).fetch1("raw").path == "norm/x.dat"


def test_filepath_prefix_is_enforced(env):
    table, store = env
    store.put("raw_data/m1/trace.bin", b"t")
    table.insert1({"rec_id": 6, "prefixed": "raw_data/m1/trace.bin"})
    ref = (table & {"rec_id": 6}).fetch1("prefixed")
    assert (ref.store, ref.read()) == ("raw", b"t")
    store.put("elsewhere/trace.bin", b"t")
    with pytest.raises(StorePathError, match="filepath_prefix 'raw_data'") as info:
        table.insert1({"rec_id": 7, "prefixed": "elsewhere/trace.bin"})
    assert isinstance(info.value, ValueError)
    assert len(table & {"rec_id": 7}) == 0


def test_targets_survive_delete_and_gc(env):
    table, store = env
    store.put("keep/f.bin", b"mine")
    store.put("keep/dir/g.bin", b"also mine")
    table.insert([{"rec_id": 8, "raw": "keep/f.bin", "blob": [1, 2]}, {"rec_id": 9, "raw": "keep/dir", "blob": None}])
    blob_objects = store.list(f"_hash/{table.database}")
    assert blob_objects
    (table & "rec_id in (8, 9)").delete()
    assert store.list(f"_hash/{table.database}") == []  # owned objects follow their rows
    assert store.get("keep/f.bin") == b"mine" and store.get("keep/dir/g.bin") == b"also mine"
    table.insert1({"rec_id": 10, "raw": "keep/f.bin"})
    orphan = f"_hash/{table.database}/aaaaaaaaaaaaaaaaaaaaaaaaaa"
    store.put(orphan, b"no row refers to this")
    report = dj.gc.collect(dj.Schema(table.database, connection=table.connection), dry_run=False)
    assert report["orphaned_hash_paths"] == [orphan] and report["deleted"] == 1 and not report["errors"]
    assert store.list("keep") == ["keep/dir/g.bin", "keep/f.bin"]
    (table & {"rec_id": 10}).delete()
    assert store.list("keep") == ["keep/dir/g.bin", "keep/f.bin"]


def test_filepath_default_store(env, tmp_path):
    table, _store = env
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "o.txt").write_bytes(b"other store")
    stores = {**dj.config["stores"], "filepath_default": "other",
              "other": {"protocol": "file", "location": str(tmp_path / "other")}}
    with dj.config.override(stores=stores):
        table.insert1({"rec_id": 11, "raw": "o.txt"})
        ref = (table & {"rec_id": 11}).fetch1("raw")
        assert (ref.store, ref.read()) == ("other", b"other store")
    (table & {"rec_id": 11}).delete()
    assert (tmp_path / "other" / "o.txt").exists()
    # filepath_default alone, without stores.default: <filepath@> still finds its store
    only = {"filepath_default": "other", "other": stores["other"]}
    with dj.config.override(stores=only):
        table.insert1({"rec_id": 12, "raw": "o.txt"})
        assert (table & {"rec_id": 12}).fetch1("raw").read() == b"other store"
    (table & {"rec_id": 12}).delete()


def test_filepath_needs_a_store(env):
    table, _store = env
    schema = dj.Schema(table.database, connection=table.connection)
    with pytest.raises(DataJointError, match="<filepath@>"):
        @schema
        class NoStore(dj.Manual):
            definition = """
            k : int32
            ---
            f : <filepath>
            """
    assert "no_store" not in schema.list_tables()
