"""``<npy@>`` on every backend: round trips of dtypes and shapes, lazy ``NpyRef`` slicing, bad input.

Folder store for the matrix; the S3 server of ``test_s3_store`` (SeaweedFS) for the
transfer test: slicing a small region of a ~50 MB array reads under 5% of it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import dj_jupyter as dj
from dj_jupyter.codecs.npy import NpyDtypeError
from dj_jupyter.errors import DataJointError
from dj_jupyter.stores import get_store
from tests.backends.conftest import (
    BACKENDS,
    drop_schema,
    fresh_schema_name,
    make_connection,
    require_backend,
)
from tests.s3server import ACCESS_KEY, SECRET_KEY

ARRAYS = {
    "float64 2-d": np.arange(60.0).reshape(6, 10),
    "int16 3-d": np.arange(120, dtype=np.int16).reshape(4, 5, 6) - 50,
    "uint8": np.arange(200, dtype=np.uint8),
    "bool": np.array([[True, False], [False, True], [True, True]]),
    "complex128": np.array([1 + 2j, 3 - 4j, -1j]),
    "float32 fortran": np.asfortranarray(np.random.default_rng(1).random((7, 3)).astype(np.float32)),
    "big-endian int32": np.arange(12, dtype=">i4").reshape(3, 4),
    "0-d": np.array(3.5),
    "empty": np.zeros((0, 3)),
    "unicode": np.array(["alpha", "be", "c"]),
    "structured": np.array([(1, 2.5), (3, 4.5)], dtype=[("a", "<i4"), ("b", "<f8")]),
    "datetime64": np.array(["2024-01-02", "2025-03-04"], dtype="datetime64[D]"),
}

KEYS = [1, -1, slice(1, 3), slice(None, None, 2), slice(None, None, -1), (1, slice(None)), (slice(0, 2), 1),
        (Ellipsis, 0), [0, 2], np.array([2, 0, 2]), (0, 1), slice(5, 2)]


def declare(schema):
    class Arrays(dj.Manual):
        definition = """
        array_id : int32
        ---
        x = null : <npy@>
        """

    return schema(Arrays, context={})


@pytest.fixture(scope="module", params=BACKENDS)
def env(request, tmp_path_factory):
    require_backend(request.param)
    folder = tmp_path_factory.mktemp(f"npy_{request.param}")
    (folder / "store").mkdir()
    conn = make_connection(request.param, folder)
    name = fresh_schema_name()
    stores = {"default": "local", "local": {"protocol": "file", "location": str(folder / "store")}}
    try:
        with dj.config.override(stores=stores, safemode=False):
            schema = dj.Schema(name, connection=conn)
            yield declare(schema), folder / "store", name
    finally:
        drop_schema(conn, name)
        conn.close_all()


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_round_trip_of_dtypes_and_shapes(env):
    table, _root, _schema = env
    table.insert([{"array_id": i, "x": a} for i, a in enumerate(ARRAYS.values())])
    refs = dict(zip(ARRAYS, (row["x"] for row in table.to_dicts(order_by="array_id"))))
    # to_arrays keeps each reference as it is: nothing is loaded by building the object array
    column = table.to_arrays("x", order_by="array_id")
    assert all(isinstance(r, dj.NpyRef) and not r.is_loaded for r in column)
    assert all(not r.is_loaded for r in table.to_arrays(order_by="array_id")["x"])
    for label, expected in ARRAYS.items():
        ref = refs[label]
        assert isinstance(ref, dj.NpyRef), label
        assert not ref.is_loaded
        assert ref.shape == expected.shape and ref.dtype == expected.dtype, label
        assert (ref.ndim, ref.size, ref.nbytes) == (expected.ndim, expected.size, expected.nbytes), label
        got = ref.load()
        assert ref.is_loaded and got.dtype == expected.dtype, label
        np.testing.assert_array_equal(got, expected, err_msg=label)
        np.testing.assert_array_equal(np.asarray(ref), expected, err_msg=label)
    assert float(np.mean(refs["float64 2-d"])) == ARRAYS["float64 2-d"].mean()
    assert len(refs["uint8"]) == 200
    with pytest.raises(TypeError):
        len(refs["0-d"])


def test_objects_are_schema_addressed(env):
    table, root, schema = env
    table.insert1({"array_id": 100, "x": np.ones(3)})
    ref = (table & {"array_id": 100}).fetch1("x")
    parts = ref.path.split("/")
    assert parts[:4] == ["_schema", schema, table.table_name, "array_id=100"]
    assert parts[4].startswith("x_") and parts[4].endswith(".npy") and len(parts[4]) == len("x_") + 8 + len(".npy")
    assert ref.store == "local" and (root / ref.path).is_file()
    assert np.load(root / ref.path).tolist() == [1.0, 1.0, 1.0]  # a plain .npy file anyone can read


def test_slices_read_ranges_only(env, monkeypatch):
    table, _root, _schema = env
    cases = {i: a for i, a in enumerate(ARRAYS.values()) if a.ndim >= 1 and a.shape[0] >= 3}
    table.insert([{"array_id": 200 + i, "x": a} for i, a in cases.items()])
    store = get_store("local")

    def no_whole_reads(path):
        raise AssertionError(f"{path} was read whole")

    monkeypatch.setattr(store, "get", no_whole_reads)
    for i, expected in cases.items():
        ref = (table & {"array_id": 200 + i}).fetch1("x")
        for key in KEYS:
            try:
                want = expected[key]
            except IndexError:
                with pytest.raises(IndexError):
                    ref[key]
                continue
            got = ref[key]
            np.testing.assert_array_equal(got, want, err_msg=f"{expected.dtype}{expected.shape}[{key!r}]")
            assert np.shape(got) == np.shape(want)
        assert not ref.is_loaded


def test_load_with_mmap_maps_the_file_of_a_folder_store(env):
    table, root, _schema = env
    table.insert1({"array_id": 150, "x": np.arange(24.0).reshape(4, 6)})
    ref = (table & {"array_id": 150}).fetch1("x")
    mapped = ref.load(mmap_mode="r")
    assert isinstance(mapped, np.memmap) and Path(mapped.filename) == root / ref.path
    np.testing.assert_array_equal(mapped[2], np.arange(12.0, 18.0))


def test_object_dtype_is_refused_and_nothing_is_written(env):
    table, root, _schema = env
    before = _files(root)
    with pytest.raises(NpyDtypeError, match="object") as info:
        table.insert([{"array_id": 300, "x": np.ones(2)}, {"array_id": 301, "x": np.array([1, "a"], dtype=object)}])
    assert isinstance(info.value, DataJointError)
    with pytest.raises(TypeError, match="numpy arrays"):
        table.insert1({"array_id": 302, "x": [1, 2, 3]})
    assert _files(root) == before
    assert len(table & "array_id >= 300") == 0


def test_npy_needs_a_store(env):
    table, _root, schema = env
    db_schema = dj.Schema(schema, connection=table.connection)
    with pytest.raises(DataJointError, match="npy@"):
        @db_schema
        class NoStore(dj.Manual):
            definition = """
            k : int32
            ---
            x : <npy>
            """


@pytest.fixture(scope="module")
def s3_env(s3_server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("npy_s3")
    conn = make_connection("sqlite", folder)
    name = fresh_schema_name()
    stores = {"default": "lab", "lab": s3_server.store(access_key=ACCESS_KEY, secret_key=SECRET_KEY)}
    try:
        with dj.config.override(stores=stores, safemode=False):
            schema = dj.Schema(name, connection=conn)
            yield declare(schema)
            store = get_store("lab")
            for path in store.list():
                store.delete(path)
    finally:
        drop_schema(conn, name)
        conn.close_all()


def test_slicing_a_large_array_on_s3_transfers_little(s3_env, monkeypatch):
    table = s3_env
    big = np.random.default_rng(0).random((25_600, 1024))  # 200 MiB of float64
    table.insert1({"array_id": 1, "x": big})
    store = get_store("lab")
    served = []
    cat_file = store.fs.cat_file

    def counting_cat_file(path, *args, **kwargs):
        data = cat_file(path, *args, **kwargs)
        served.append(len(data))
        return data

    monkeypatch.setattr(store.fs, "cat_file", counting_cat_file)
    ref = (table & {"array_id": 1}).fetch1("x")
    assert sum(served) == 0 and ref.shape == big.shape and ref.dtype == big.dtype
    np.testing.assert_array_equal(ref[3000:3010, 100:120], big[3000:3010, 100:120])
    np.testing.assert_array_equal(ref[17], big[17])
    np.testing.assert_array_equal(ref[[5, 6, 4000]], big[[5, 6, 4000]])
    assert 0 < sum(served) < 0.05 * big.nbytes, f"{sum(served)} bytes of {big.nbytes} were read"
    assert not ref.is_loaded
    np.testing.assert_array_equal(ref.load()[25_599], big[25_599])
    assert sum(served) > big.nbytes  # the whole array, once


def test_missing_object_gives_a_clear_error(env):
    table, root, _schema = env
    table.insert1({"array_id": 400, "x": np.arange(4)})
    ref = (table & {"array_id": 400}).fetch1("x")
    (root / ref.path).unlink()
    with pytest.raises(DataJointError, match="no object"):
        ref[0:2]



def test_objects_follow_rows_and_gc_on_s3(s3_env):
    table = s3_env
    store = get_store("lab")
    schema = table.database
    table.insert1({"array_id": 2, "x": np.arange(10)})
    ref = (table & {"array_id": 2}).fetch1("x")
    path = ref.path
    mapped = ref.load(mmap_mode="r")  # a remote object is copied to a local file first
    assert isinstance(mapped, np.memmap) and mapped.tolist() == list(range(10))
    orphan = f"_schema/{schema}/{table.table_name}/array_id=99/x_orphaned.npy"
    store.put(orphan, b"not referenced")
    elsewhere = "_schema/djtest_someone_else/t/x.npy"
    store.put(elsewhere, b"another schema")
    report = dj.gc.collect(dj.Schema(schema, connection=table.connection), dry_run=False)
    assert report["orphaned_schema_paths"] == [orphan] and report["schema_paths_deleted"] == 1
    assert store.exists(path) and not store.exists(orphan) and store.exists(elsewhere)
    (table & {"array_id": 2}).delete()
    assert not store.exists(path)
    store.delete(elsewhere)
    # SeaweedFS keeps listing emptied folders as directory entries: they are not objects, nor orphans
    emptied = f"_schema/{schema}/{table.table_name}/array_id=2"
    assert store.list(emptied) == [] and store.list("_schema/djtest_someone_else") == []
    assert all(store.exists(p) for p in store.list(f"_schema/{schema}"))
    report = dj.gc.collect(dj.Schema(schema, connection=table.connection), dry_run=True)
    assert report["schema_paths_orphaned"] == 0 and report["hash_paths_orphaned"] == 0


def test_partition_pattern_lifts_key_attributes_and_gc_follows(env, tmp_path):
    table, _root, _schema = env
    (tmp_path / "parted").mkdir()
    name = fresh_schema_name()
    stores = {**dj.config["stores"],
              "parted": {"protocol": "file", "location": str(tmp_path / "parted"), "partition_pattern": "subject"}}
    try:
        with dj.config.override(stores=stores):
            schema = dj.Schema(name, connection=table.connection)

            @schema
            class Trace(dj.Manual):
                definition = """
                subject : int32
                session : int32
                ---
                x : <npy@parted>
                """

            Trace.insert1({"subject": 3, "session": 1, "x": np.arange(3)})
            path = Trace.fetch1("x").path
            assert path.split("/")[:5] == ["_schema", "subject=3", name, "trace", "session=1"]
            orphan = tmp_path / "parted" / "_schema" / "subject=4" / name / "trace" / "session=2" / "x_gone.npy"
            orphan.parent.mkdir(parents=True)
            orphan.write_bytes(b"orphan")
            foreign = tmp_path / "parted" / "_schema" / "subject=4" / "djtest_other" / "t" / "x.npy"
            foreign.parent.mkdir(parents=True)
            foreign.write_bytes(b"someone else's")
            report = dj.gc.collect(schema, store="parted", dry_run=False)
            assert report["orphaned_schema_paths"] == [orphan.relative_to(tmp_path / "parted").as_posix()]
            assert not orphan.exists() and foreign.exists() and (tmp_path / "parted" / path).exists()
            Trace.delete()
            assert not (tmp_path / "parted" / path).exists()
    finally:
        drop_schema(table.connection, name)
