"""Writing the DataJoint ``<blob>`` wire format (byte-compatible with DataJoint 2.3.5).

This module also owns the format's shared facts (headers, type codes, numeric type ids)
and :class:`BlobError`, which :mod:`dj_jupyter.codecs.blob_unpack` reads back.

Layout of a blob: a protocol header, ``mYm\\0`` when only the MATLAB-compatible subset is
used (numeric, bool and char arrays, cells, structs) or ``dj0\\0`` as soon as anything
Python-specific appears; then one type code byte and its body.  All integers are
little-endian; arrays are stored in Fortran (column-major) order, as MATLAB holds them.
Large blobs may be wrapped in ``ZL123\\0`` + uint64 uncompressed length + a zlib stream.
"""

from __future__ import annotations

import collections.abc
import datetime
import decimal
import sys
import uuid
import zlib

import numpy as np

from ..errors import DataJointError
from .matlab import MatCell, MatStruct

__all__ = ["BlobError", "pack", "pack_column"]

MATLAB_HEADER = b"mYm\0"
PYTHON_HEADER = b"dj0\0"
ZLIB_HEADER = b"ZL123\0"
# DataJoint only tries compression above this size, so small blobs stay readable as is
COMPRESS_ABOVE = 1000
# above this size a few slices are test-compressed first: compressing a megabyte of noise costs
# several times what sending it to the database does, to save a few percent
PROBE_ABOVE = 1 << 16
PROBE_SLICES, PROBE_BYTES, PROBE_RATIO = 3, 2048, 0.9
MAX_INT_BYTES = 0xFFFF
_LITTLE_ENDIAN = sys.byteorder == "little"  # native arrays are written as they are (the format is little-endian)

# MATLAB mxClassID numbers for numeric arrays, plus DataJoint's ids for datetime64 units
BOOL_ID, CHAR_ID, OBJECT_ID = 3, 4, 5
NUMERIC_IDS: dict[np.dtype, int] = {
    np.dtype(code): type_id
    for code, type_id in (("?", 3), ("f8", 6), ("f4", 7), ("i1", 8), ("u1", 9), ("i2", 10), ("u2", 11),
                          ("i4", 12), ("u4", 13), ("i8", 14), ("u8", 15))
}
DATETIME_UNITS = ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as")
DATETIME_ID0 = 65536


class BlobError(DataJointError, ValueError):
    """A value cannot be written as a ``<blob>``, or bytes are not a valid ``<blob>``.

    Raised for values of a type the format has no code for, and for malformed input to
    ``unpack`` (bad header, unknown type code, truncated data, sparse arrays); the message
    gives the byte offset and what was expected there.
    """


def _u64(n: int) -> bytes:
    return n.to_bytes(8, "little")


def _u32(n: int) -> bytes:
    return n.to_bytes(4, "little")


def _unsupported(obj: object) -> BlobError:
    return BlobError(
        f"Cannot store a value of type {type(obj).__module__}.{type(obj).__qualname__} in a <blob>. "
        "Supported: None, bool, int, float, complex, str, bytes, Decimal, UUID, date/time/datetime, "
        "lists, tuples, sets, dicts and numpy arrays/scalars of those. "
        "Convert the value to one of these (for example a dict of its fields) first."
    )


class _Packer:
    """One packing run: writes chunks to a list and remembers whether ``dj0`` is needed."""

    def __init__(self) -> None:
        self.python_native = False

    # -- dispatch ---------------------------------------------------------------------
    def item(self, obj: object, out: list) -> None:
        """Append the type code and body of ``obj`` to ``out`` (DataJoint's dispatch order)."""
        if isinstance(obj, np.ma.MaskedArray):  # the format has no mask: refuse rather than drop it
            raise BlobError("Cannot store a numpy masked array in a <blob>: the format keeps no mask. "
                            "Fill the masked values first (a.filled(np.nan)) or store (a.data, a.mask).")
        if isinstance(obj, MatCell):
            return self.cell(obj, out)
        if isinstance(obj, MatStruct):
            return self.struct(obj, out)
        if isinstance(obj, np.ndarray) and obj.dtype.fields is None:
            return self.array(obj, out)
        self.python_native = True  # everything below exists only in the dj0 protocol
        if isinstance(obj, np.ndarray):
            return self.records(np.asarray(obj), out)
        if isinstance(obj, (np.generic, np.bool_)):
            return self.numpy_scalar(obj, out)
        encoder = _scalar_encoder(obj)
        if encoder is not None:
            out.append(encoder(obj))
            return None
        return self.collection(obj, out)

    def numpy_scalar(self, obj: np.generic, out: list) -> None:
        if isinstance(obj, np.void) and obj.dtype.fields is not None:
            return self.records(np.asarray(obj), out)
        if isinstance(obj, (np.number, np.bool_, np.datetime64)):
            return self.array(np.asarray(obj), out)
        # numpy str_ / bytes_ subclass the builtins: fall through to those encoders
        encoder = _scalar_encoder(obj)
        if encoder is None:
            raise _unsupported(obj)
        out.append(encoder(obj))
        return None

    def collection(self, obj: object, out: list) -> None:
        if isinstance(obj, collections.abc.Mapping):
            out += [b"\x04", _u64(len(obj))]
            for key, value in obj.items():
                _check_rebuilds_hashable(key, "a dict key")
                self.sized(key, out)
                self.sized(value, out)
            return
        if isinstance(obj, collections.abc.MutableSequence):
            code = b"\x02"
        elif isinstance(obj, collections.abc.Sequence):
            code = b"\x01"
        elif isinstance(obj, collections.abc.Set):
            code = b"\x03"
            for element in obj:
                _check_rebuilds_hashable(element, "a set element")
        else:
            raise _unsupported(obj)
        out += [code, _u64(len(obj))]
        for element in obj:
            self.sized(element, out)

    def sized(self, obj: object, out: list) -> None:
        """Append ``obj`` preceded by its uint64 byte length (items of containers)."""
        parts: list = []
        self.item(obj, parts)
        out.append(_u64(sum(len(p) for p in parts)))
        out += parts

    # -- arrays -----------------------------------------------------------------------
    def array(self, a: np.ndarray, out: list) -> None:
        """``A``: ndim, shape, type id, complex flag, then the data in Fortran order."""
        a = _little_endian(a)
        is_complex = a.dtype.kind == "c"
        real = a.real if is_complex else a
        type_id = _type_id(real.dtype)
        out += [b"A", _u64(a.ndim), np.asarray(a.shape, dtype="<u8").tobytes(), _u32(type_id), _u32(is_complex)]
        if type_id == OBJECT_ID:
            self.python_native = True  # MATLAB's mYm cannot read nested blobs
            for element in a.ravel(order="F"):
                self.sized(element, out)
        elif type_id == CHAR_ID:
            # MATLAB chars are 16-bit units
            out.append(a.view(np.uint8).astype("<u2").tobytes(order="F"))
        else:
            if a.ndim == 0 or type_id >= DATETIME_ID0:
                self.python_native = True
            out.append(_fortran_bytes(real))
            if is_complex:
                out.append(_fortran_bytes(a.imag))

    def records(self, a: np.ndarray, out: list) -> None:
        """``F``: field count, NUL-terminated names, then one array (or nested ``F``) per field."""
        names = a.dtype.names
        if not names:
            raise BlobError("Cannot store a structured array without fields in a <blob>; give it at least one field.")
        out += [b"F", _u32(len(names)), "\0".join(names).encode() + b"\0"]
        for name in names:
            field = a[name]
            if field.dtype.fields is not None:
                self.records(field, out)
            else:
                self.array(field, out)

    def struct(self, s: np.ndarray, out: list) -> None:
        """``S``: ndim and shape, field names, then every field of every element (Fortran order)."""
        names = s.dtype.names
        if not names:
            raise BlobError("Cannot store a MatStruct without fields in a <blob>; give it at least one field.")
        out += [b"S", _u64(s.ndim), np.asarray(s.shape, dtype="<u8").tobytes(), _u32(len(names)),
                "\0".join(names).encode() + b"\0"]
        flat = np.asarray(s).ravel(order="F")
        columns = [flat[name] for name in names]
        for index in range(flat.size):
            for column in columns:
                self.sized(column[index], out)

    def cell(self, c: np.ndarray, out: list) -> None:
        """``C``: ndim and shape, then every element as a sized blob (Fortran order)."""
        out += [b"C", _u64(c.ndim), np.asarray(c.shape, dtype="<u8").tobytes()]
        for element in np.asarray(c).ravel(order="F"):
            self.sized(element, out)


def _check_rebuilds_hashable(obj: object, role: str) -> None:
    """Refuse what would unpack as a set inside a set or key: such a blob could never be read back."""
    if _holds_a_set(obj):
        raise BlobError(f"Cannot store {obj!r} as {role} in a <blob>: a set (or frozenset) is read back as a set, "
                        "which Python cannot hash, so the blob could not be read back. Use a tuple instead "
                        "(for example tuple(sorted(...))).")


def _holds_a_set(obj: object) -> bool:
    return isinstance(obj, collections.abc.Set) or (isinstance(obj, tuple) and any(_holds_a_set(e) for e in obj))


def _little_endian(a: np.ndarray) -> np.ndarray:
    # the format is little-endian; DataJoint refuses big-endian arrays, we convert them
    if a.dtype.byteorder == ">" and a.dtype.kind != "O":
        return a.astype(a.dtype.newbyteorder("<"))
    return a


def _fortran_bytes(a: np.ndarray) -> memoryview | bytes:
    """The array's data in Fortran order, without a copy when it already is (joined once by ``pack``)."""
    if a.flags.f_contiguous:
        # the transpose of an F-ordered array is C-ordered with the same bytes; as uint8 so that
        # datetime64 (which has no buffer format) works too
        return memoryview(a.T.reshape(-1).view(np.uint8))
    return a.tobytes(order="F")


def _type_id(dtype: np.dtype) -> int:
    """The numeric type id of an array's (real) dtype, or a BlobError naming a conversion."""
    if dtype in NUMERIC_IDS:
        return NUMERIC_IDS[dtype]
    if dtype.kind in "OU":  # unicode arrays are stored element by element, like object arrays
        return OBJECT_ID
    if dtype == np.dtype("S1"):
        return CHAR_ID
    if dtype.kind == "M":
        unit, count = np.datetime_data(dtype)
        if unit in DATETIME_UNITS and count == 1:
            return DATETIME_ID0 + DATETIME_UNITS.index(unit)
        raise BlobError(f"Cannot store datetime64 arrays of unit {dtype.str[4:]!r} in a <blob>; "
                        "use one of the units " + ", ".join(DATETIME_UNITS) + ", e.g. .astype('datetime64[ns]').")
    hints = {
        "m": "store timedelta64 values as integers, e.g. .astype('timedelta64[ns]').astype('int64')",
        "S": "convert bytes arrays with .astype(object) (elements become bytes) or .astype(str)",
        "f": "convert with .astype('float64')",
        "c": "convert with .astype('complex128')",
        "V": "raw void data: convert to bytes with .tobytes()",
    }
    hint = hints.get(dtype.kind, "convert it to a numeric, bool, str or object array")
    raise BlobError(f"Cannot store numpy arrays of dtype {dtype} in a <blob>: the format has no type id for it; {hint}.")


# -- Python scalars (dj0 only) ------------------------------------------------------------
def _pack_int(v: int) -> bytes:
    n_bytes = v.bit_length() // 8 + 1  # room for the sign bit, as DataJoint sizes it
    if n_bytes > MAX_INT_BYTES:
        raise BlobError(f"Cannot store an int of {n_bytes} bytes in a <blob> (at most {MAX_INT_BYTES}); "
                        "store it as a str or as bytes instead.")
    return b"\x0a" + n_bytes.to_bytes(2, "little") + v.to_bytes(n_bytes, "little", signed=True)


def _pack_text(code: bytes, data: bytes) -> bytes:
    return code + _u64(len(data)) + data


def _pack_temporal(v: datetime.date | datetime.time) -> bytes:
    """``t``: int32 YYYYMMDD (or -1 for a time) + int64 HHMMSSuuuuuu (or -1 for a date)."""
    if getattr(v, "tzinfo", None) is not None:
        raise BlobError(f"Cannot store the timezone-aware value {v!r} in a <blob>: the format keeps no time zone. "
                        "Convert it to UTC and drop the zone (.astimezone(datetime.timezone.utc).replace(tzinfo=None)), "
                        "or store its ISO string.")
    date = v.date() if isinstance(v, datetime.datetime) else v if isinstance(v, datetime.date) else None
    time = v.time() if isinstance(v, datetime.datetime) else v if isinstance(v, datetime.time) else None
    day = -1 if date is None else (date.year * 100 + date.month) * 100 + date.day
    clock = -1 if time is None else ((time.hour * 100 + time.minute) * 100 + time.second) * 1_000_000 + time.microsecond
    return b"t" + day.to_bytes(4, "little", signed=True) + clock.to_bytes(8, "little", signed=True)


def _scalar_encoder(obj: object):
    """The encoder of a Python scalar (order matters: bool is an int), or None."""
    if obj is None:
        return lambda _: b"\xff"
    for kind, encoder in _SCALAR_ENCODERS:
        if isinstance(obj, kind):
            return encoder
    return None


_SCALAR_ENCODERS = (
    (bool, lambda v: b"\x0b" + (b"\x01" if v else b"\x00")),
    (int, _pack_int),
    (complex, lambda v: b"\x0c" + np.complex128(v).tobytes()),
    (float, lambda v: b"\x0d" + np.float64(v).tobytes()),
    ((datetime.date, datetime.time), _pack_temporal),
    (decimal.Decimal, lambda v: _pack_text(b"d", str(v).encode())),
    (uuid.UUID, lambda v: b"u" + v.bytes),
    (str, lambda v: _pack_text(b"\x05", v.encode())),
    ((bytes, bytearray, memoryview), lambda v: _pack_text(b"\x06", bytes(v))),
)


def pack(obj: object, *, compress: bool = True) -> bytes:
    """Serialize ``obj`` to DataJoint's ``<blob>`` bytes.

    Parameters
    ----------
    obj
        None, bool, int (any size), float, complex, str, bytes, Decimal, UUID, date, time,
        datetime (naive), numpy scalars and arrays (numeric, bool, str, object, datetime64,
        structured), :class:`MatCell`, :class:`MatStruct`, and lists, tuples, sets and dicts
        of those, nested to any depth.
    compress
        Compress with zlib when the blob exceeds 1000 bytes and compression makes it smaller.
        Blobs above 64 KiB are compressed only if three 2 KiB slices of them shrink by at least
        10 %: DataJoint would store noise-like data compressed to ~96 % of its size, at a cost
        several times that of the insert itself.  Both forms read back the same everywhere.

    Returns
    -------
    bytes
        Exactly the bytes DataJoint 2.3.5 writes for the same value (except that large blobs
        that barely compress stay uncompressed, see ``compress``).

    Raises
    ------
    BlobError
        The value (or something inside it) has no representation in the format.

    Examples
    --------
    >>> import numpy as np
    >>> pack(None)
    b'dj0\\x00\\xff'
    >>> pack(np.array([1, 2], dtype=np.uint8)).hex()
    '6d596d00410100000000000000020000000000000009000000000000000102'
    """
    packer = _Packer()
    parts: list = []
    try:
        packer.item(obj, parts)
    except RecursionError:
        raise BlobError("Cannot store this value in a <blob>: it is nested too deeply or contains itself "
                        "(a list or dict that holds a reference to itself).") from None
    header = PYTHON_HEADER if packer.python_native else MATLAB_HEADER
    blob = b"".join([header, *parts])
    if compress and len(blob) > COMPRESS_ABOVE and _worth_compressing(blob):
        compressed = ZLIB_HEADER + _u64(len(blob)) + zlib.compress(blob)
        if len(compressed) < len(blob):
            return compressed
    return blob


def _worth_compressing(blob: bytes) -> bool:
    """Whether zlib is likely to shrink a blob by 10 % or more (always tried on blobs up to 64 KiB)."""
    if len(blob) <= PROBE_ABOVE:
        return True
    step = len(blob) // PROBE_SLICES
    sample = b"".join(blob[i * step:i * step + PROBE_BYTES] for i in range(PROBE_SLICES))
    return len(zlib.compress(sample, 1)) < PROBE_RATIO * len(sample)


def pack_column(values: list, *, compress: bool = True) -> list | None:
    """:func:`pack` of a whole column of equal small numeric arrays at once, else None.

    Applies when every value is None or a plain ``numpy.ndarray`` (1-d or more, bool, int,
    uint or float, native byte order) of one dtype and shape, and each blob stays under the
    compression threshold: then every blob is the same header followed by that row's data,
    built once for the column.  The bytes are exactly :func:`pack`'s.

    Examples
    --------
    >>> col = [np.arange(3.0), None, np.ones(3)]
    >>> pack_column(col) == [pack(col[0]), None, pack(col[2])]
    True
    """
    arrays = [v for v in values if v is not None]
    first = arrays[0] if len(arrays) > 1 else None
    if type(first) is not np.ndarray or first.ndim == 0 or first.dtype not in NUMERIC_IDS or not _LITTLE_ENDIAN:
        return None
    dtype, shape = first.dtype, first.shape
    if any(type(a) is not np.ndarray or a.dtype != dtype or a.shape != shape for a in arrays):
        return None
    head = b"".join([MATLAB_HEADER, b"A", _u64(first.ndim), np.asarray(shape, dtype="<u8").tobytes(),
                     _u32(NUMERIC_IDS[dtype]), _u32(0)])
    size = len(head) + first.nbytes
    if compress and size > COMPRESS_ABOVE:
        return None
    order = "C" if first.ndim == 1 else "F"  # the same bytes for 1-d; C is the cheaper call
    return [None if v is None else head + v.tobytes(order) for v in values]
