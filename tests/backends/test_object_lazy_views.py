"""Lazy xarray views of ``<npy@>`` (``NpyRef.to_xarray``) and the ``dj_jupyter.lazy`` adapters.

An ``NpyRef`` seen through xarray reads only the byte ranges of a selection (never the
whole file); ``import dj_jupyter`` loads neither zarr nor xarray.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

import dj_jupyter as dj
from dj_jupyter.lazy import lazy_data_array
from dj_jupyter.stores import get_store
from tests.backends.conftest import drop_schema, fresh_schema_name, make_connection

DATA = np.arange(600, dtype="int32").reshape(20, 30)


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    folder = tmp_path_factory.mktemp("npy_xarray")
    (folder / "store").mkdir()
    conn = make_connection("sqlite", folder)
    name = fresh_schema_name()
    stores = {"default": "local", "local": {"protocol": "file", "location": str(folder / "store")}}
    try:
        with dj.config.override(stores=stores, safemode=False):
            schema = dj.Schema(name, connection=conn)

            @schema
            class Trace(dj.Manual):
                definition = """
                trace_id : int32
                ---
                x : <npy@>
                """

            Trace.insert1({"trace_id": 1, "x": DATA})
            yield Trace.fetch1("x")
    finally:
        drop_schema(conn, name)
        conn.close_all()


def test_npy_ref_to_xarray_reads_ranges_only(ref, monkeypatch):
    store = get_store("local")
    ranges = []
    get_range = store.get_range

    def counting(path, start, length):
        ranges.append(length)
        return get_range(path, start, length)

    def no_whole_reads(path):
        raise AssertionError(f"{path} was read whole")

    monkeypatch.setattr(store, "get", no_whole_reads)
    monkeypatch.setattr(store, "get_range", counting)
    da = ref.to_xarray(["time"], name="x")
    assert isinstance(da, xr.DataArray) and da.dims == ("time", "dim_1") and da.shape == DATA.shape
    assert da.dtype == DATA.dtype and ranges == []  # building the view reads nothing
    np.testing.assert_array_equal(da.isel(time=slice(3, 5), dim_1=[1, 4]).values, DATA[3:5][:, [1, 4]])
    np.testing.assert_array_equal(da[7].values, DATA[7])
    assert 2 * 30 * 4 + 30 * 4 <= sum(ranges) < DATA.nbytes / 2, ranges  # header + two rows + one row
    assert not ref.is_loaded
    assert ref.describe() == {"kind": "npy", "path": ref.path, "store": "local", "shape": [20, 30],
                              "dtype": "int32", "ndim": 2, "nbytes": 2400}


def test_lazy_data_array_over_any_array_like():
    class Counting:
        shape, dtype = DATA.shape, DATA.dtype
        calls: list = []

        def __getitem__(self, key):
            self.calls.append(key)
            return DATA[key]

    source = Counting()
    da = lazy_data_array(source, ["a", "b"], name="v", attrs={"units": "mV"})
    assert source.calls == [] and da.attrs == {"units": "mV"}
    sub = da.isel(a=slice(2, 6)).isel(b=slice(0, 3))  # selections compose without reading
    assert source.calls == []
    np.testing.assert_array_equal(sub.values, DATA[2:6, 0:3])
    assert len(source.calls) == 1


def test_import_stays_light():
    code = "import sys, dj_jupyter as dj; dj.ObjectRef; print([m for m in ('zarr', 'xarray') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_group_without_dimension_names_gets_named_dimensions(tmp_path):
    import zarr
    from fsspec.implementations.local import LocalFileSystem

    from dj_jupyter.lazy import describe_zarr, zarr_to_xarray

    mapper = LocalFileSystem(auto_mkdir=True).get_mapper((tmp_path / "g.zarr").as_posix())
    group = zarr.open_group(mapper, mode="w")
    group.create_array("a", shape=(4, 3), dtype="int8")[:] = np.arange(12).reshape(4, 3)
    group.create_array("b", shape=(5,), dtype="float64")[:] = 0.5
    ds = zarr_to_xarray(mapper)
    assert ds["a"].dims == ("a_dim_0", "a_dim_1") and ds["b"].dims == ("b_dim_0",)
    np.testing.assert_array_equal(ds["a"][1:3, 2].values, [5, 8])
    summary = describe_zarr(mapper)
    assert sorted(summary["arrays"]) == ["a", "b"] and summary["nbytes"] == 12 + 40
    empty = LocalFileSystem(auto_mkdir=True).get_mapper((tmp_path / "plain").as_posix())
    (tmp_path / "plain").mkdir()
    assert describe_zarr(empty) == {"kind": "folder"}
