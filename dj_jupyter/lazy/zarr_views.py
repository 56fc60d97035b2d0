"""Zarr stores in an object store, opened lazily: zarr arrays and groups, xarray views, metadata summaries.

Every function takes a key-value mapping over the stored object (``ObjectRef.fsmap``, an
``fsspec.FSMap``).  Opening reads only Zarr metadata (``zarr.json`` documents); chunks are
read when a selection needs them, on S3 as in a folder.
"""

from __future__ import annotations

import warnings
from typing import Any

import xarray as xr
import zarr

from ..errors import DataJointError
from .arrays import default_dims, lazy_data_array, lazy_variable

__all__ = ["array_summary", "describe_zarr", "open_zarr", "zarr_to_xarray"]


class NotZarrError(DataJointError, ValueError):
    """A stored object opened as Zarr holds no Zarr metadata."""


def open_zarr(store: Any, *, mode: str = "r", label: str = "") -> Any:
    """The Zarr array or group in ``store`` (a mapping over the object); reads its metadata only.

    Raises
    ------
    NotZarrError
        The object holds no Zarr array or group (it is a plain file or folder).
    """
    try:
        return zarr.open(store=store, mode=mode)
    except (FileNotFoundError, KeyError, zarr.errors.NodeNotFoundError) as error:
        raise NotZarrError(f"Object {label!r} is not a Zarr store (no zarr.json or .zarray/.zgroup found): "
                           f"{error}. Read its files with ref.open(...) / ref.listdir() instead.") from None


def _dimension_names(array: Any) -> list[str | None] | None:
    names = getattr(array.metadata, "dimension_names", None)  # Zarr v3
    if names is None:
        names = array.attrs.get("_ARRAY_DIMENSIONS")  # Zarr v2 convention of xarray
    return list(names) if names else None


def array_summary(array: Any) -> dict:
    """Shape, dtype, chunks, nbytes (uncompressed) and codecs of a zarr array, from its metadata."""
    compressors = getattr(array, "compressors", None) or ()
    return {"shape": list(array.shape), "dtype": str(array.dtype), "chunks": list(array.chunks),
            "nbytes": int(array.nbytes), "nchunks": int(array.nchunks), "ndim": array.ndim,
            "dimension_names": _dimension_names(array), "zarr_format": array.metadata.zarr_format,
            "compressors": [type(c).__name__ for c in compressors], "attrs": dict(array.attrs)}


def describe_zarr(store: Any, *, label: str = "") -> dict:
    """A JSON-ready summary of the object read from Zarr metadata only (no chunk is read).

    Returns
    -------
    dict
        ``{"kind": "zarr_array", "shape", "dtype", "chunks", "nbytes", ...}``, or
        ``{"kind": "zarr_group", "attrs", "arrays": {path: summary}, "nbytes"}``, or
        ``{"kind": "folder"}`` when the folder is not a Zarr store.
    """
    try:
        node = open_zarr(store, label=label)
    except NotZarrError:
        return {"kind": "folder"}
    if isinstance(node, zarr.Array):
        return {"kind": "zarr_array", **array_summary(node)}
    arrays = {path: array_summary(member) for path, member in sorted(node.members(max_depth=None))
              if isinstance(member, zarr.Array)}
    return {"kind": "zarr_group", "attrs": dict(node.attrs), "arrays": arrays,
            "nbytes": sum(a["nbytes"] for a in arrays.values())}


def zarr_to_xarray(store: Any, *, label: str = "", **kwargs: Any) -> xr.Dataset | xr.DataArray:
    """A lazy ``xarray.DataArray`` (one Zarr array) or ``xarray.Dataset`` (a Zarr group) over ``store``.

    Values are read when selected or computed (``.sel``/``.isel`` then ``.values``), chunk by chunk.
    ``kwargs`` go to ``xarray.open_zarr`` for groups (``decode_times=False``...).
    """
    node = open_zarr(store, label=label)
    if isinstance(node, zarr.Array):
        name = node.basename or None
        return lazy_data_array(node, _dimension_names(node), name=name, attrs=dict(node.attrs), outer=True)
    kwargs.setdefault("chunks", None)  # no dask: xarray's own lazy indexing over zarr
    kwargs.setdefault("consolidated", node.metadata.consolidated_metadata is not None)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return xr.open_zarr(store, **kwargs)
    except (KeyError, ValueError):  # arrays without dimension names: name them dim_0, dim_1...
        return _group_dataset(node)


def _group_dataset(group: Any) -> xr.Dataset:
    variables = {}
    for name, array in sorted(group.arrays()):
        dims = [f"{name}_{d}" if d.startswith("dim_") else d
                for d in default_dims(array.ndim, _dimension_names(array))]
        variables[name] = lazy_variable(array, dims, outer=True, attrs=dict(array.attrs))
    return xr.Dataset(variables, attrs=dict(group.attrs))
