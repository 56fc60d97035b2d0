"""``T.staged_insert1``: Zarr (and plain files) written straight into the store, then the row inserted.

On every backend, in a folder store and on a real S3 server: success gives a row whose
``ObjectRef`` opens as zarr / xarray (lazily); an exception inside the block, or a failing
insert, leaves no row and no object.  Also: ``describe()`` from Zarr metadata only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr
import zarr

import dj_jupyter as dj
from dj_jupyter.errors import DataJointError, DuplicateError
from dj_jupyter.stores import get_store
from tests.backends.conftest import BACKENDS, drop_schema, fresh_schema_name, make_connection, require_backend
from tests.backends.test_object import STORES, store_config


def declare(schema: Any) -> Any:
    class Recording(dj.Manual):
        definition = """
        rec_id : int32
        ---
        rate : float64
        traces = null : <object@>
        extra = null : <object@>
        label = "" : varchar(20)
        """

    return schema(Recording, context={})


@pytest.fixture(scope="module", params=[(b, s) for b in BACKENDS for s in STORES], ids=lambda p: f"{p[0]}-{p[1]}")
def table(request, tmp_path_factory):
    backend, kind = request.param
    require_backend(backend)
    folder = tmp_path_factory.mktemp(f"staged_{backend}_{kind}")
    stores = {"default": "main", "main": store_config(kind, request, folder)}
    conn = make_connection(backend, folder)
    name = fresh_schema_name()
    try:
        with dj.config.override(stores=stores, safemode=False):
            yield declare(dj.Schema(name, connection=conn))
            store = get_store("main")
            for path in store.list():
                store.delete(path)
    finally:
        drop_schema(conn, name)
        conn.close_all()


def stored() -> set[str]:
    return set(get_store("main").list())


DATA = np.arange(1200, dtype="float32").reshape(40, 30)


def write_group(staged: Any, field: str = "traces") -> None:
    group = zarr.open_group(staged.store(field, ".zarr"), mode="w")
    volts = group.create_array("volts", shape=DATA.shape, chunks=(10, 30), dtype="float32",
                               dimension_names=["time", "channel"])
    volts[:] = DATA
    times = group.create_array("time", shape=(40,), chunks=(40,), dtype="float64", dimension_names=["time"])
    times[:] = np.arange(40) / 1000.0
    group.attrs["units"] = "uV"


def test_zarr_group_round_trip_as_xarray(table):
    with table.staged_insert1 as staged:
        staged.rec.update(rec_id=1, rate=1000.0)
        write_group(staged)
        with staged.open("extra", ".txt") as f:
            f.write(b"notes")
    row = (table & {"rec_id": 1}).fetch1()
    ref = row["traces"]
    assert isinstance(ref, dj.ObjectRef) and ref.is_dir and ref.ext == ".zarr" and row["rate"] == 1000.0
    assert ref.path.split("/")[2:4] == [table.table_name, "rec_id=1"]
    assert ref.verify() and ref.item_count == len([p for p in stored() if p.startswith(ref.path + "/")])
    assert row["extra"].read() == b"notes" and not row["extra"].is_dir
    ds = ref.to_xarray()
    assert isinstance(ds, xr.Dataset) and ds.attrs["units"] == "uV"
    assert ds["volts"].dims == ("time", "channel") and ds["volts"].shape == (40, 30)
    np.testing.assert_array_equal(ds["volts"].isel(time=slice(12, 15), channel=[2, 7]).values, DATA[12:15][:, [2, 7]])
    np.testing.assert_array_equal(ds["time"].values, np.arange(40) / 1000.0)
    group = ref.open_zarr()
    np.testing.assert_array_equal(group["volts"][39], DATA[39])
    summary = ref.describe()
    assert summary["kind"] == "zarr_group" and summary["attrs"] == {"units": "uV"}
    volts = summary["arrays"]["volts"]
    assert (volts["shape"], volts["chunks"], volts["dtype"], volts["nbytes"]) == ([40, 30], [10, 30], "float32", 4800)
    assert volts["dimension_names"] == ["time", "channel"] and summary["nbytes"] == 4800 + 320


def test_single_zarr_array_as_lazy_data_array(table):
    with table.staged_insert1 as staged:
        staged.rec.update(rec_id=2, rate=1.0)
        z = zarr.open(staged.store("traces", "zarr"), mode="w", shape=DATA.shape, chunks=(8, 8), dtype="float32")
        z[:] = DATA
    ref = (table & {"rec_id": 2}).fetch1("traces")
    da = ref.to_xarray()
    assert isinstance(da, xr.DataArray) and da.dims == ("dim_0", "dim_1")
    np.testing.assert_array_equal(da[5:9, [0, 29]].values, DATA[5:9][:, [0, 29]])
    np.testing.assert_array_equal(da.isel(dim_1=3).values, DATA[:, 3])
    assert ref.describe()["kind"] == "zarr_array" and ref.describe()["chunks"] == [8, 8]
    assert isinstance(ref.to_zarr(), zarr.Array) and zarr.open(ref.fsmap, mode="r").shape == DATA.shape


def test_exception_in_the_block_leaves_nothing(table):
    before = stored()
    with pytest.raises(RuntimeError, match="acquisition failed"):
        with table.staged_insert1 as staged:
            staged.rec.update(rec_id=3, rate=1.0)
            write_group(staged)
            with staged.open("extra", ".bin") as f:
                f.write(b"partial")
            assert len(stored()) > len(before)  # written as it goes
            raise RuntimeError("acquisition failed")
    assert stored() == before and len(table & {"rec_id": 3}) == 0


def test_failed_insert_removes_what_was_written(table):
    with table.staged_insert1 as staged:
        staged.rec.update(rec_id=4, rate=1.0)
    before = stored()
    with pytest.raises(DuplicateError):
        with table.staged_insert1 as staged:
            staged.rec.update(rec_id=4, rate=2.0)  # the key exists: the insert fails after the writes
            write_group(staged)
    assert stored() == before and (table & {"rec_id": 4}).fetch1("rate") == 1.0


def test_staging_errors(table):
    before = stored()
    with pytest.raises(DataJointError, match="primary key.*rec_id"):
        with table.staged_insert1 as staged:
            staged.store("traces", ".zarr")
    with pytest.raises(DataJointError, match="<object@> attributes only.*traces, extra"):
        with table.staged_insert1 as staged:
            staged.rec["rec_id"] = 5
            staged.store("label")
    with pytest.raises(DataJointError, match="already staged"):
        with table.staged_insert1 as staged:
            staged.rec["rec_id"] = 5
            staged.store("traces")
            staged.store("traces")
    assert stored() == before and len(table & {"rec_id": 5}) == 0


def test_deleting_the_row_removes_the_zarr_store(table):
    with table.staged_insert1 as staged:
        staged.rec.update(rec_id=6, rate=1.0)
        write_group(staged)
        assert staged.fs is not None
    path = (table & {"rec_id": 6}).fetch1("traces").path
    assert any(p.startswith(path + "/") for p in stored()) and path + ".manifest.json" in stored()
    (table & {"rec_id": 6}).delete()
    assert not any(p.startswith(path) for p in stored())


def test_plain_folder_describe_and_non_zarr_errors(table, tmp_path: Path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.txt").write_text("x")
    table.insert1({"rec_id": 7, "rate": 1.0, "traces": tmp_path / "d"})
    ref = (table & {"rec_id": 7}).fetch1("traces")
    assert ref.describe()["kind"] == "folder" and ref.describe()["item_count"] == 1
    with pytest.raises(DataJointError, match="not a Zarr store"):
        ref.to_xarray()


def test_make_with_staged_insert_and_a_failing_make_leaves_an_orphan_for_gc(tmp_path):
    (tmp_path / "store").mkdir()
    conn = make_connection("sqlite", tmp_path)
    name = fresh_schema_name()
    stores = {"default": "main", "main": {"protocol": "file", "location": str(tmp_path / "store")}}
    try:
        with dj.config.override(stores=stores, safemode=False):
            schema = dj.Schema(name, connection=conn)

            @schema
            class Session(dj.Manual):
                definition = """
                session : int32
                """

            @schema
            class Movie(dj.Computed):
                definition = """
                -> Session
                ---
                frames : <object@>
                """

                def make(self, key):
                    with self.staged_insert1 as staged:
                        staged.rec.update(key)
                        z = zarr.open(staged.store("frames", ".zarr"), mode="w", shape=(4, 4), dtype="int16")
                        z[:] = key["session"]
                    if key["session"] == 2:
                        raise RuntimeError("analysis failed after the insert")

            Session.insert([{"session": 1}, {"session": 2}])
            Movie.populate(suppress_errors=True)
            assert Movie.to_dicts(order_by="session")[0]["frames"].open_zarr()[0, 0] == 1
            assert len(Movie()) == 1  # session 2 rolled back, its object stays behind
            report = dj.gc.collect(schema, dry_run=False)
            assert report["schema_paths_orphaned"] > 0
            assert all("session=2" in p for p in report["orphaned_schema_paths"])
            assert not any("session=2" in p for p in get_store("main").list())
            assert (Movie & {"session": 1}).fetch1("frames").verify()
    finally:
        drop_schema(conn, name)
        conn.close_all()
