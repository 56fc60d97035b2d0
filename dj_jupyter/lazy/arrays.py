"""xarray's lazy indexing over any array-like that reads on demand (a zarr array, an ``NpyRef``).

:class:`LazyBackendArray` is the small adapter xarray's backends use: xarray composes
selections without I/O (``LazilyIndexedArray``) and, when values are needed, hands this
adapter one explicit indexer, which it turns into one ``source[...]`` call.  The source
decides what to read: a zarr array reads only the chunks the selection touches, an
``NpyRef`` only the byte ranges.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr
from xarray.backends import BackendArray
from xarray.core import indexing

__all__ = ["LazyBackendArray", "lazy_data_array", "lazy_variable"]


class LazyBackendArray(BackendArray):
    """An array-like with ``shape``, ``dtype`` and numpy-style ``__getitem__``, for xarray's lazy indexing.

    Parameters
    ----------
    source : array-like
        Reads on ``source[key]``.
    outer : bool
        The source supports orthogonal indexing through ``source.oindex[...]`` (zarr does);
        otherwise xarray reduces index arrays to slices and finishes the selection in memory.
    """

    def __init__(self, source: Any, *, outer: bool = False) -> None:
        self.source = source
        self.shape = tuple(int(n) for n in source.shape)
        self.dtype = np.dtype(source.dtype)
        self._outer = outer

    def __getitem__(self, key: indexing.ExplicitIndexer) -> np.ndarray:
        support = indexing.IndexingSupport.OUTER if self._outer else indexing.IndexingSupport.BASIC
        return indexing.explicit_indexing_adapter(key, self.shape, support, self._read)

    def _read(self, key: tuple) -> np.ndarray:
        if self._outer and any(not isinstance(k, (slice, int, np.integer)) for k in key):
            return np.asarray(self.source.oindex[key])
        return np.asarray(self.source[key])


def default_dims(ndim: int, names: Sequence[str | None] | None = None) -> tuple[str, ...]:
    """Dimension names: the given ones, with ``dim_{i}`` for the missing."""
    names = list(names or [])
    return tuple((names[i] if i < len(names) and names[i] else f"dim_{i}") for i in range(ndim))


def lazy_variable(source: Any, dims: Sequence[str], *, outer: bool = False, attrs: dict | None = None) -> xr.Variable:
    """An ``xarray.Variable`` over ``source`` whose values are read only when indexed or computed."""
    data = indexing.LazilyIndexedArray(LazyBackendArray(source, outer=outer))
    return xr.Variable(tuple(dims), data, attrs=attrs or {})


def lazy_data_array(source: Any, dims: Sequence[str | None] | None = None, *, name: str | None = None,
                    attrs: dict | None = None, outer: bool = False) -> xr.DataArray:
    """A lazy ``xarray.DataArray`` over ``source`` (no values read until selected or computed).

    Examples
    --------
    >>> da = lazy_data_array(np.arange(6).reshape(2, 3), dims=["t"], name="x")
    >>> da.dims, int(da[1, 2])
    (('t', 'dim_1'), 5)
    """
    variable = lazy_variable(source, default_dims(len(source.shape), dims), outer=outer, attrs=attrs)
    return xr.DataArray(variable, name=name)
