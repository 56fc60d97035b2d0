"""``<npy@store>``: a numpy array as a ``.npy`` file at a schema-addressed path; fetched as a lazy :class:`NpyRef`.

The row keeps ``{"path", "store", "dtype", "shape"}``, so shape and dtype are known without
reading the object.  Arrays are written in C order (a Fortran-ordered array is copied), so
a slice of the leading axes is a set of contiguous byte ranges of the file.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np

from ..errors import ValidationError
from .npyref import NpyRef
from .registry import CodecTypeError
from .schema_addressed import SchemaCodec

__all__ = ["NpyCodec", "NpyDtypeError"]


class NpyDtypeError(ValidationError):
    """``<npy@>`` was given an array of object dtype (a ``.npy`` file would need pickle to hold it)."""


def _dtype_text(dtype: np.dtype) -> Any:
    # structured dtypes have no string form np.dtype() parses back: keep their descr list
    return np.lib.format.dtype_to_descr(dtype) if dtype.names else str(dtype)


class NpyCodec(SchemaCodec):
    """``<npy@>``: ``numpy.ndarray`` values (not object dtype) as ``.npy`` files; fetch gives an :class:`NpyRef`."""

    name = "npy"

    def validate(self, value: Any) -> None:
        if not isinstance(value, np.ndarray):
            raise CodecTypeError(f"<npy@> stores numpy arrays; got a value of type {type(value).__name__}. "
                                 "Convert it with numpy.asarray(value), or use <blob@> for other Python objects.")
        if value.dtype.hasobject:
            raise NpyDtypeError(f"<npy@> cannot store an array of dtype {value.dtype} (it holds Python objects, "
                                "which a .npy file can only keep by pickling). Convert it to a numeric or string "
                                "dtype, or use <blob@> for object arrays.")

    def encode(self, value: Any, *, key: dict | None = None, context: dict | None = None,
               store_name: str | None = None) -> dict:
        self.validate(value)
        array = np.ascontiguousarray(value) if value.ndim else value
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        store, path = self._new_path(key, context, store_name, ".npy")
        store.put(path, buffer.getvalue())
        return {"path": path, "store": store.name, "dtype": _dtype_text(array.dtype), "shape": list(array.shape)}

    def decode(self, stored: Any, *, key: dict | None = None, context: dict | None = None) -> NpyRef:
        meta = json.loads(stored) if isinstance(stored, (str, bytes)) else stored
        cfg = (context or {}).get("config") or (key or {}).get("_config")
        return NpyRef(meta, cfg)
