"""Lazy array views over stored objects: Zarr arrays and groups, ``xarray`` objects, ``.npy`` files.

The only package of dj_jupyter that imports ``zarr`` and ``xarray`` (an import-linter contract
checks it).  It works on what the stores give (an fsspec mapping over an object, or an
object with numpy-style ranged indexing) and knows nothing of tables or codecs, so the
references in :mod:`dj_jupyter.codecs` (``ObjectRef``, ``NpyRef``) call into it, on first
use only: ``import dj_jupyter`` never loads zarr or xarray.

Views compose selections without I/O; indexing reads only the chunks (Zarr) or byte ranges
(``.npy``) it needs.  No dask is required: xarray's lazy indexing is backed directly by
zarr or by the ``NpyRef``.
"""

from __future__ import annotations

from .arrays import LazyBackendArray, lazy_data_array
from .zarr_views import describe_zarr, open_zarr, zarr_to_xarray

__all__ = ["LazyBackendArray", "describe_zarr", "lazy_data_array", "open_zarr", "zarr_to_xarray"]
