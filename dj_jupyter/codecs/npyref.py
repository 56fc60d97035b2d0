"""``NpyRef``: a lazy reference to a ``.npy`` file in an object store.

Metadata (shape, dtype, path, store) comes from the row, so creating a reference reads
nothing.  ``ref[...]`` reads only the bytes of the selection: in a C-ordered file the
leading integer indices narrow to one block, and the first sliced axis selects runs of
contiguous sub-blocks, each fetched with one ranged read (``Store.get_range``); the rest
of the selection is applied in memory.  Selections this cannot map to ranges (Fortran
order, newaxis, several index arrays) fall back to loading the whole array.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import DataJointError
from ..settings import config as global_config
from ..stores import get_store

__all__ = ["NpyRef", "parse_npy_dtype"]

_PREFIX = 16  # magic (6) + version (2) + header length (2 or 4), rounded up


def parse_npy_dtype(text: Any) -> np.dtype:
    """The dtype recorded in ``<npy@>`` metadata (a dtype string or a structured descr list)."""
    if isinstance(text, list):
        return np.lib.format.descr_to_dtype([tuple(x) if isinstance(x, list) else x for x in text])
    return np.dtype(text)


@dataclass(frozen=True)
class _Header:
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran: bool
    offset: int  # where the data starts


class NpyRef:
    """A lazy ``numpy`` array stored as a ``.npy`` file (what ``<npy@>`` attributes fetch as).

    Parameters
    ----------
    meta : dict
        The stored metadata: ``path``, ``store``, ``dtype``, ``shape``.
    config : Config, optional
        Settings used to find the store (default ``dj.config``).

    Examples
    --------
    >>> ref = NpyRef({"path": "_schema/s/t/id=1/x_abcd1234.npy", "store": "main", "dtype": "float32",
    ...               "shape": [3, 4]})
    >>> ref.shape, ref.dtype, ref.nbytes, ref.is_loaded
    ((3, 4), dtype('float32'), 48, False)
    """

    def __init__(self, meta: dict, config: Any = None) -> None:
        self.path: str = meta["path"]
        self.store: str | None = meta.get("store")
        self.shape: tuple[int, ...] = tuple(int(n) for n in meta["shape"])
        self.dtype: np.dtype = parse_npy_dtype(meta["dtype"])
        self._config = global_config if config is None else config
        self._array: np.ndarray | None = None
        self._header: _Header | None = None

    # ------------------------------------------------------------------ metadata (no I/O)
    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    @property
    def is_loaded(self) -> bool:
        return self._array is not None

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d array: this NpyRef holds a scalar.")
        return self.shape[0]

    def __repr__(self) -> str:
        return f"NpyRef(shape={self.shape}, dtype={self.dtype}, path={self.path!r}, store={self.store!r})"

    def __str__(self) -> str:
        return self.path

    # ------------------------------------------------------------------ reading
    def _store(self) -> Any:
        return get_store(self.store, config=self._config)

    def load(self, mmap_mode: str | None = None) -> np.ndarray:
        """The whole array (read once, then cached).

        Parameters
        ----------
        mmap_mode : {None, "r", "r+", "c"}
            Memory-map instead of reading: a folder store maps its file in place; a remote
            store first copies the file to ``{tempdir}/datajoint_mmap/``.
        """
        if self._array is not None and mmap_mode is None:
            return self._array
        store = self._store()
        if mmap_mode is not None:
            return np.load(self._local_file(store), mmap_mode=mmap_mode, allow_pickle=False)
        self._array = np.load(io.BytesIO(store.get(self.path)), allow_pickle=False)
        return self._array

    def _local_file(self, store: Any) -> str:
        full = getattr(store, "full_path", None)
        if getattr(store.spec, "protocol", None) == "file" and full is not None:
            return os.fspath(full(self.path))
        folder = os.path.join(tempfile.gettempdir(), "datajoint_mmap")
        os.makedirs(folder, exist_ok=True)
        # the token in the path makes each object's name unique within its store
        target = os.path.join(folder, f"{store.name}__{self.path.replace('/', '__')}")
        if not os.path.exists(target):
            with open(target + ".part", "wb") as f:
                f.write(store.get(self.path))
            os.replace(target + ".part", target)
        return target

    def to_xarray(self, dims: Any = None, *, name: str | None = None) -> Any:
        """A lazy ``xarray.DataArray`` over the file: selections read only their byte ranges.

        ``dims`` names the dimensions (missing ones are ``dim_0``, ``dim_1``...).
        """
        from ..lazy import lazy_data_array

        return lazy_data_array(self, dims, name=name)

    def describe(self) -> dict:
        """A summary from the row's metadata (no I/O): kind, path, store, shape, dtype, nbytes."""
        return {"kind": "npy", "path": self.path, "store": self.store, "shape": list(self.shape),
                "dtype": str(self.dtype), "ndim": self.ndim, "nbytes": self.nbytes}

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        array = self.load()
        return array if dtype is None else array.astype(dtype)

    def header(self) -> _Header:
        """The file's header (two small ranged reads, cached)."""
        if self._header is None:
            store = self._store()
            head = store.get_range(self.path, 0, _PREFIX)
            if head[:6] != b"\x93NUMPY":
                raise DataJointError(f"Object {self.path!r} in store {store.name!r} is not a .npy file.")
            major = head[6]
            length = int.from_bytes(head[8:10] if major == 1 else head[8:12], "little")
            offset = (10 if major == 1 else 12) + length
            fp = io.BytesIO(store.get_range(self.path, 0, offset))
            version = np.lib.format.read_magic(fp)
            read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read(fp)
            self._header = _Header(tuple(shape), dtype, bool(fortran), offset)
        return self._header

    def __getitem__(self, key: Any) -> Any:
        if self._array is not None:
            return self._array[key]
        plan = _plan_ranges(self.shape, key)
        if plan is None or not self.shape:
            return self.load()[key]
        head = self.header()
        if head.fortran or head.dtype.hasobject or head.shape != self.shape:
            return self.load()[key]
        return self._read_plan(head, plan)

    def _read_plan(self, head: _Header, plan: tuple) -> np.ndarray:
        base, rows, block_shape, rest = plan
        item = head.dtype.itemsize
        block = math.prod(block_shape) * item
        if not rows:
            return np.empty((0, *block_shape), dtype=head.dtype)[rest]
        store = self._store()
        parts = []
        for start, count in _runs(rows):
            data = store.get_range(self.path, head.offset + base * item + start * block, count * block)
            parts.append(np.frombuffer(data, dtype=head.dtype).reshape((count, *block_shape)))
        chunk = np.concatenate(parts) if len(parts) != 1 else parts[0].copy()
        return chunk[rest]


def _plan_ranges(shape: tuple[int, ...], key: Any) -> tuple | None:
    """How to read ``array[key]`` by ranges: ``(base element, rows, block shape, in-memory key)``.

    ``rows`` are indices along the first non-integer axis (``None`` if every axis is an
    integer: one element).  Returns None when the key needs the whole array.
    """
    key = key if isinstance(key, tuple) else (key,)
    if any(k is None for k in key) or sum(1 for k in key if k is Ellipsis) > 1:
        return None
    dots = [i for i, k in enumerate(key) if k is Ellipsis]  # identity: index arrays have no truth value
    if dots:
        i = dots[0]
        key = key[:i] + (slice(None),) * (len(shape) - len(key) + 1) + key[i + 1:]
    if len(key) > len(shape):
        raise IndexError(f"too many indices: the array is {len(shape)}-dimensional, but {len(key)} were indexed")
    key = key + (slice(None),) * (len(shape) - len(key))
    base, axis = 0, 0
    strides = [math.prod(shape[i + 1:]) for i in range(len(shape))]
    while axis < len(shape) and _is_int(key[axis]):
        i = int(key[axis])
        if not -shape[axis] <= i < shape[axis]:
            raise IndexError(f"index {i} is out of bounds for axis {axis} with size {shape[axis]}")
        base += (i % shape[axis]) * strides[axis]
        axis += 1
    if axis == len(shape):
        return base, [0], (), (0,)
    rows, first = _rows(key[axis], shape[axis])
    if rows is None:
        return None
    rest = key[axis + 1:]
    if any(not (isinstance(k, slice) or _is_int(k)) for k in rest):
        return None
    return base, rows, shape[axis + 1:], (first, *rest)


def _is_int(k: Any) -> bool:
    return isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_))


def _rows(k: Any, n: int) -> tuple[list[int] | None, Any]:
    """Rows to read along one axis, and the key that re-applies its shape to what was read."""
    if isinstance(k, slice):
        rows = list(range(*k.indices(n)))
        if k.step is not None and k.step < 0:  # read ascending, reverse in memory
            return rows[::-1], slice(None, None, -1)
        return rows, slice(None)
    array = np.asarray(k)
    if array.dtype == bool:
        if array.shape != (n,):
            return None, None
        array = np.flatnonzero(array)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
        return None, None
    if array.size and not ((array >= -n) & (array < n)).all():
        raise IndexError(f"index out of bounds for axis with size {n}")
    wanted = (array % n) if array.size else array
    unique = sorted({int(i) for i in wanted})
    position = {r: j for j, r in enumerate(unique)}
    return unique, np.array([position[int(i)] for i in wanted], dtype=np.intp)


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row indices as ``(start, count)`` runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for r in rows:
        if runs and runs[-1][0] + runs[-1][1] == r:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((r, 1))
    return runs
