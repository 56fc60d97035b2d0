"""Lazy means lazy (departure 4): a small slice of a 200 MB Zarr ``<object@>`` on S3 transfers under 5% of it.

The array is written once per module with ``staged_insert1`` (2 MB chunks) to the real S3
server (SeaweedFS).  Every byte the S3 server sends passes through ``S3FileSystem._cat_file``
(zarr reads each chunk and metadata document with it), which the test counts.  One database
backend suffices: the laziness is the store's, not the database's.
"""

from __future__ import annotations

import numpy as np
import pytest
import s3fs

import dj_jupyter as dj
from dj_jupyter.stores import get_store
from tests.backends.conftest import drop_schema, fresh_schema_name, make_connection
from tests.s3server import ACCESS_KEY, SECRET_KEY

SHAPE, CHUNKS = (12800, 4096), (512, 1024)  # float32: 200 MiB in 100 chunks of 2 MiB
NBYTES = SHAPE[0] * SHAPE[1] * 4


@pytest.fixture(scope="module")
def big(s3_server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("zarr_lazy")
    conn = make_connection("sqlite", folder)
    name = fresh_schema_name()
    stores = {"default": "lab", "lab": s3_server.store(access_key=ACCESS_KEY, secret_key=SECRET_KEY)}
    data = np.random.default_rng(7).random(SHAPE, dtype=np.float32)
    try:
        with dj.config.override(stores=stores, safemode=False):
            schema = dj.Schema(name, connection=conn)

            @schema
            class Movie(dj.Manual):
                definition = """
                movie_id : int32
                ---
                frames : <object@>
                """

            import zarr

            with Movie.staged_insert1 as staged:
                staged.rec["movie_id"] = 1
                group = zarr.open_group(staged.store("frames", ".zarr"), mode="w")
                array = group.create_array("pixels", shape=SHAPE, chunks=CHUNKS, dtype="float32",
                                           dimension_names=["frame", "pixel"], compressors=None)
                array[:] = data
            yield Movie, data
            store = get_store("lab")
            for path in store.list():
                store.delete(path)
    finally:
        drop_schema(conn, name)
        conn.close_all()


@pytest.fixture
def served(monkeypatch):
    """Bytes the S3 server sent, per read, while the test runs."""
    counts: list[int] = []
    original = s3fs.S3FileSystem._cat_file

    async def counting(self, path, *args, **kwargs):
        data = await original(self, path, *args, **kwargs)
        counts.append(len(data))
        return data

    monkeypatch.setattr(s3fs.S3FileSystem, "_cat_file", counting)
    return counts


def test_the_object_is_200_mb_in_the_store(big):
    table, _data = big
    ref = table.fetch1("frames")
    assert ref.is_dir and ref.size > 0.95 * NBYTES and ref.item_count == 100 + 2  # chunks + two zarr.json
    assert ref.describe()["arrays"]["pixels"]["nbytes"] == NBYTES


def test_xarray_slice_reads_under_5_percent(big, served):
    table, data = big
    ref = table.fetch1("frames")
    assert sum(served) == 0  # fetch reads no payload
    ds = ref.to_xarray()
    region = ds["pixels"].isel(frame=slice(1000, 1010), pixel=slice(2000, 2050)).values
    np.testing.assert_array_equal(region, data[1000:1010, 2000:2050])
    print(f"xarray slice: {sum(served)} of {NBYTES} bytes served ({sum(served) / NBYTES:.2%})")
    assert 2 * 2**20 <= sum(served) < 0.05 * NBYTES, f"{sum(served)} of {NBYTES} bytes were read"


def test_zarr_slice_and_describe_read_little(big, served):
    table, data = big
    ref = table.fetch1("frames")
    summary = ref.describe()
    assert summary["arrays"]["pixels"]["chunks"] == list(CHUNKS) and sum(served) < 10_000  # metadata only
    pixels = ref.open_zarr()["pixels"]
    np.testing.assert_array_equal(pixels[5000, 10:20], data[5000, 10:20])
    np.testing.assert_array_equal(pixels[[7, 9000], 4000], data[[7, 9000], 4000])
    print(f"describe + zarr slices: {sum(served)} of {NBYTES} bytes served ({sum(served) / NBYTES:.2%})")
    assert sum(served) < 0.05 * NBYTES, f"{sum(served)} of {NBYTES} bytes were read"
