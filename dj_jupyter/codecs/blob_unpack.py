"""Reading the DataJoint ``<blob>`` wire format (blobs written by DataJoint, MATLAB or us).

Every read is bounds-checked, so a truncated or corrupted blob raises :class:`BlobError`
naming the byte offset and what was expected there, never an IndexError.  Numeric arrays
are read with one ``numpy.frombuffer`` each and copied once, so they are writable and do
not keep the whole blob alive.
"""

from __future__ import annotations

import datetime
import decimal
import struct
import sys
import uuid
import zlib

import numpy as np

from .blob_pack import (
    CHAR_ID,
    DATETIME_ID0,
    DATETIME_UNITS,
    MATLAB_HEADER,
    NUMERIC_IDS,
    OBJECT_ID,
    PYTHON_HEADER,
    ZLIB_HEADER,
    BlobError,
)
from .matlab import MatCell, MatStruct

__all__ = ["unpack", "unpack_column"]

_DTYPES: dict[int, np.dtype] = {type_id: dtype for dtype, type_id in NUMERIC_IDS.items()}
_DTYPES.update({DATETIME_ID0 + i: np.dtype(f"datetime64[{unit}]") for i, unit in enumerate(DATETIME_UNITS)})
# numpy refuses shapes whose non-zero extents multiply (times the item size, at most 16) past 2**63, even when
# another extent is 0; no real array comes near this
_MAX_EXTENT = 2**58
# little-endian data read in place (named as numpy names native types, e.g. float64 rather than <f8)
_PLAIN_DTYPES = {type_id: dtype if sys.byteorder == "little" else dtype.newbyteorder("<") for type_id, dtype in _DTYPES.items()}
_HEADERS = (MATLAB_HEADER + b"A", PYTHON_HEADER + b"A")
_U64 = struct.Struct("<Q")
_IDS = struct.Struct("<II")
_COLUMN_BLOB_LIMIT = 1 << 16  # equal blobs up to this size are joined and read as one array


class _Reader:
    """A cursor over the payload of one blob (after its protocol header)."""

    def __init__(self, data: memoryview, start: int, *, squeeze: bool) -> None:
        self.data = data
        self.pos = start
        self.squeeze = squeeze
        self.readers = {
            b"A": self.array, b"F": self.records, b"S": self.struct, b"C": self.cell, b"P": self.sparse,
            b"\xff": lambda: None, b"\x01": lambda: tuple(self.sequence()), b"\x02": lambda: list(self.sequence()),
            b"\x03": self.set_, b"\x04": self.dict_, b"\x05": lambda: self.decode(self.text("str"), "str"),
            b"\x06": lambda: bytes(self.text("bytes")), b"\x0a": self.int_, b"\x0b": lambda: self.take(1, "bool")[0] != 0,
            b"\x0c": lambda: complex(np.frombuffer(self.take(16, "complex128"), "<c16")[0]),
            b"\x0d": lambda: float(np.frombuffer(self.take(8, "float64"), "<f8")[0]),
            b"d": self.decimal_, b"t": self.temporal, b"u": lambda: uuid.UUID(bytes=bytes(self.take(16, "UUID"))),
        }

    # -- primitive reads --------------------------------------------------------------
    def take(self, n: int, what: str) -> memoryview:
        """The next ``n`` bytes, or a BlobError saying how many were missing."""
        left = len(self.data) - self.pos
        if n > left:
            raise BlobError(f"Blob truncated at byte {self.pos}: expected {n} bytes of {what}, only {left} left. "
                            "The stored value is incomplete or corrupted.")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def uint(self, size: int, what: str, *, signed: bool = False) -> int:
        return int.from_bytes(self.take(size, what), "little", signed=signed)

    def count(self, what: str, *, min_item_bytes: int) -> int:
        """A uint64 element count, refused if the remaining bytes cannot possibly hold it."""
        at = self.pos
        n = self.uint(8, f"{what} count")
        if n * min_item_bytes > len(self.data) - self.pos:
            raise BlobError(f"Blob corrupted at byte {at}: a {what} count of {n} does not fit in the "
                            f"{len(self.data) - self.pos} bytes left.")
        return n

    def name(self) -> str:
        """A NUL-terminated field name."""
        end = self.pos
        while True:  # search in small windows: names are short and the blob may be huge
            window = bytes(self.data[end:end + 256])
            if not window:
                raise BlobError(f"Blob truncated at byte {self.pos}: expected a NUL-terminated field name.")
            found = window.find(b"\0")
            if found >= 0:
                end += found
                break
            end += len(window)
        raw = self.take(end + 1 - self.pos, "field name")
        return self.decode(raw[:-1], "field name")

    def names(self, n: int) -> list[str]:
        """``n`` field names, which must be non-empty and distinct to become numpy fields."""
        at = self.pos
        names = [self.name() for _ in range(n)]
        if "" in names or len(set(names)) != n:
            raise BlobError(f"Blob corrupted at byte {at}: field names {names} are empty or repeated.")
        return names

    def decode(self, raw: memoryview, what: str) -> str:
        try:
            return bytes(raw).decode()
        except UnicodeDecodeError as err:
            raise BlobError(f"Blob corrupted before byte {self.pos}: the {what} is not valid UTF-8 ({err}).") from None

    def text(self, what: str) -> memoryview:
        return self.take(self.uint(8, f"{what} length"), what)

    # -- values -----------------------------------------------------------------------
    def value(self) -> object:
        """One type code and its body."""
        at = self.pos
        code = bytes(self.take(1, "type code"))
        reader = self.readers.get(code)
        if reader is None:
            known = ", ".join(repr(k.decode("latin-1")) for k in self.readers)
            raise BlobError(f"Unknown blob type code {code!r} at byte {at}; expected one of {known}. "
                            "The blob may come from a newer DataJoint version, or be corrupted.")
        return reader()

    def sized(self) -> object:
        """A value preceded by its uint64 byte length; the length is checked."""
        at = self.pos
        n = self.uint(8, "item length")
        end = self.pos + n
        if end > len(self.data):
            raise BlobError(f"Blob truncated at byte {at}: an item of {n} bytes is declared, "
                            f"only {len(self.data) - self.pos} left.")
        value = self.value()
        if self.pos != end:
            raise BlobError(f"Blob corrupted at byte {at}: an item declared {n} bytes but its content used "
                            f"{self.pos - at - 8}.")
        return value

    def sequence(self):
        return [self.sized() for _ in range(self.count("sequence item", min_item_bytes=9))]

    def set_(self) -> set:
        return self.hashable(set, self.sequence())

    def dict_(self) -> dict:
        n = self.count("dict entry", min_item_bytes=18)
        return self.hashable(dict, [(self.sized(), self.sized()) for _ in range(n)])

    def hashable(self, kind, items):
        try:
            return kind(items)
        except TypeError as err:
            raise BlobError(f"Blob holds a {kind.__name__} whose keys cannot be rebuilt in Python ({err}).") from None

    def int_(self) -> int:
        return int.from_bytes(self.take(self.uint(2, "int size"), "int"), "little", signed=True)

    def decimal_(self) -> decimal.Decimal:
        raw = self.decode(self.text("Decimal"), "Decimal")
        try:
            return decimal.Decimal(raw)
        except decimal.InvalidOperation:
            raise BlobError(f"Blob corrupted before byte {self.pos}: {raw!r} is not a Decimal.") from None

    def temporal(self) -> datetime.date | datetime.time | None:
        """``t``: int32 YYYYMMDD (-1: no date) and int64 HHMMSSuuuuuu (-1: no time)."""
        at = self.pos
        day = self.uint(4, "date", signed=True)
        clock = self.uint(8, "time", signed=True)
        try:
            date = datetime.date(day // 10000, day // 100 % 100, day % 100) if day >= 0 else None
            time = None
            if clock >= 0:
                seconds, micro = divmod(clock, 1_000_000)
                time = datetime.time(seconds // 10000 % 100, seconds // 100 % 100, seconds % 100, micro)
        except ValueError as err:
            raise BlobError(f"Blob corrupted at byte {at}: {day}/{clock} is not a date/time ({err}).") from None
        if date is not None and time is not None:
            return datetime.datetime.combine(date, time)
        return date if date is not None else time

    def sparse(self) -> None:
        raise BlobError(f"Blob holds a MATLAB sparse array (type code 'P' at byte {self.pos - 1}), which is not "
                        "supported. Store it from MATLAB as a full array (full(x)) or as its (i, j, value) triplets.")

    # -- arrays -----------------------------------------------------------------------
    def shape(self) -> tuple[int, ...]:
        at = self.pos
        ndim = self.uint(8, "number of dimensions")
        shape = tuple(int(x) for x in np.frombuffer(self.take(8 * ndim, "array shape"), "<u8"))
        if _extent(shape) > _MAX_EXTENT:
            raise BlobError(f"Blob corrupted at byte {at}: impossible array shape {shape}.")
        return shape

    def array(self) -> object:
        """``A``: a numeric, bool, char, datetime64 or object array."""
        shape = self.shape()
        n = int(np.prod(shape, dtype=object))
        at = self.pos
        type_id = self.uint(4, "array type id")
        is_complex = self.uint(4, "array complex flag") != 0
        if type_id == OBJECT_ID:
            if n * 9 > len(self.data) - self.pos:
                raise BlobError(f"Blob truncated at byte {self.pos}: {n} array elements cannot fit in the bytes left.")
            flat = np.empty(n, dtype=object)
            for i in range(n):
                flat[i] = self.sized()
            return self.finish(flat.reshape(shape, order="F"))
        if type_id == CHAR_ID:
            return self.chars(shape, n)
        dtype = _DTYPES.get(type_id)
        if dtype is None:
            raise BlobError(f"Unknown array type id {type_id} at byte {at}; expected one of "
                            f"{sorted(_DTYPES) + [CHAR_ID, OBJECT_ID]}. The blob may be corrupted.")
        data = self.numbers(dtype, n, shape)
        if is_complex:
            imag = self.numbers(dtype, n, shape)
            data = _complex(data, imag)
        return self.finish(data, scalar=True)

    def numbers(self, dtype: np.dtype, n: int, shape: tuple[int, ...]) -> np.ndarray:
        raw = self.take(n * dtype.itemsize, f"{n} {dtype} values")
        # a read-only view of the fetched bytes, as DataJoint returns arrays (no copy; .copy() to modify)
        if sys.byteorder == "little":
            return np.frombuffer(raw, dtype, n).reshape(shape, order="F")
        return np.frombuffer(raw, dtype.newbyteorder("<"), n).reshape(shape, order="F").astype(dtype)

    def chars(self, shape: tuple[int, ...], n: int) -> np.ndarray:
        """MATLAB char arrays: 16-bit units; a row of chars becomes a one-element str array."""
        units = np.frombuffer(self.take(2 * n, f"{n} chars"), "<u2", n)
        letters = units.astype("<u4").view("<U1").reshape(shape, order="F")
        if len(shape) == 1 or (len(shape) == 2 and shape[0] == 1):
            letters = np.array(["".join(letters.ravel())])
        return self.finish(letters)

    def finish(self, a: np.ndarray, *, scalar: bool = False) -> object:
        """Apply ``squeeze``; 0-d numeric arrays come back as numpy scalars, as in DataJoint."""
        if self.squeeze:
            a = a.squeeze()
            return a.item() if a.ndim == 0 else a
        return a[()] if scalar and a.ndim == 0 else a

    def records(self) -> np.ndarray:
        """``F``: a structured array, one stored array per field."""
        n_fields = self.uint(4, "field count")
        if n_fields == 0:
            return np.array(None)
        names = self.names(n_fields)
        at = self.pos
        fields = [np.asarray(self.value()) for _ in range(n_fields)]
        base = min((f.shape for f in fields), key=len)
        if any(f.shape[:len(base)] != base for f in fields):
            raise BlobError(f"Blob corrupted at byte {at}: record fields have inconsistent shapes "
                            f"{[f.shape for f in fields]}.")
        try:
            dtype = np.dtype([(name, f.dtype, f.shape[len(base):]) for name, f in zip(names, fields)])
        except (TypeError, ValueError) as err:
            raise BlobError(f"Blob corrupted at byte {at}: bad record fields {names} ({err}).") from None
        rec = np.empty(base, dtype)
        for name, f in zip(names, fields):
            rec[name] = f
        return rec.view(np.recarray)

    def struct(self) -> np.ndarray:
        """``S``: a MATLAB struct array; every field becomes an object column."""
        shape = self.shape()
        n = int(np.prod(shape, dtype=object))
        n_fields = self.uint(4, "field count")
        if n_fields == 0:
            return np.array(None)
        names = self.names(n_fields)
        if n * n_fields * 9 > len(self.data) - self.pos:
            raise BlobError(f"Blob truncated at byte {self.pos}: {n} struct elements cannot fit in the bytes left.")
        flat = np.empty(n, dtype=[(name, object) for name in names])
        columns = [flat[name] for name in names]
        for i in range(n):
            for column in columns:
                column[i] = self.sized()
        data = flat.reshape(shape, order="F")
        return (data.squeeze() if self.squeeze else data).view(MatStruct)

    def cell(self) -> np.ndarray:
        """``C``: a MATLAB cell array, as an object :class:`MatCell`."""
        shape = self.shape()
        n = int(np.prod(shape, dtype=object))
        if n * 9 > len(self.data) - self.pos:
            raise BlobError(f"Blob truncated at byte {self.pos}: {n} cell elements cannot fit in the bytes left.")
        flat = np.empty(n, dtype=object)
        for i in range(n):
            flat[i] = self.sized()
        data = flat.reshape(shape, order="F")
        return (data.squeeze() if self.squeeze else data).view(MatCell)


def _complex(real: np.ndarray, imag: np.ndarray) -> np.ndarray:
    kind = np.complex64 if real.dtype == np.float32 else np.complex128  # MATLAB allows complex integers
    out = np.empty(real.shape, kind, order="F")
    out.real, out.imag = real, imag
    return out


def _payload(blob: memoryview) -> memoryview:
    """The uncompressed blob (header included)."""
    if bytes(blob[:len(ZLIB_HEADER)]) != ZLIB_HEADER:
        return blob
    start = len(ZLIB_HEADER) + 8
    if len(blob) < start:
        raise BlobError(f"Blob truncated: a compressed blob needs {start} header bytes, got {len(blob)}.")
    size = int.from_bytes(blob[len(ZLIB_HEADER):start], "little")
    try:
        data = zlib.decompress(blob[start:])
    except zlib.error as err:
        raise BlobError(f"Compressed blob is corrupted from byte {start} on: zlib says {err}.") from None
    if len(data) != size:
        raise BlobError(f"Compressed blob is corrupted: expected {size} bytes after decompression, got {len(data)}.")
    return memoryview(data)


def unpack(blob: bytes | bytearray | memoryview | None, *, squeeze: bool = False) -> object:
    """Rebuild the value stored in DataJoint ``<blob>`` bytes.

    Parameters
    ----------
    blob
        The stored bytes (``ZL123\\0``-compressed or not), as DataJoint, MATLAB's mYm or
        :func:`~dj_jupyter.codecs.blob.pack` wrote them.  ``None`` (an SQL NULL) gives None.
    squeeze
        Remove singleton dimensions of arrays; arrays left with no dimension become Python scalars.

    Returns
    -------
    object
        The value.  Arrays come back writable with their stored dtype; str arrays come back as
        object arrays, record arrays as ``numpy.recarray``, 0-d numeric arrays as numpy scalars.

    Raises
    ------
    BlobError
        The bytes are not a valid blob: unknown header or type code, truncated data, a length
        that does not match the content, or an unsupported MATLAB sparse array.

    Examples
    --------
    >>> unpack(bytes.fromhex("646a300002020000000000000004000000000000000a0100010100000000000000ff"))
    [1, None]
    """
    if blob is None:
        return None
    plain = _plain_array(blob, squeeze) if type(blob) is bytes else None
    if plain is not None:
        return plain
    try:
        data = _payload(memoryview(blob).cast("B"))
    except TypeError:
        raise BlobError(f"A blob must be bytes, got {type(blob).__name__}.") from None
    header = bytes(data[:4])
    if header not in (MATLAB_HEADER, PYTHON_HEADER):
        raise BlobError(f"Not a DataJoint blob: expected the header b'mYm\\x00', b'dj0\\x00' or b'ZL123\\x00' at byte 0, "
                        f"got {bytes(data[:6])!r}. Was this column written by DataJoint's <blob> (or longblob via mYm)?")
    reader = _Reader(data, 4, squeeze=squeeze)
    value = reader.value()
    if reader.pos != len(data):
        raise BlobError(f"Blob corrupted: the value ends at byte {reader.pos} but the blob has {len(data)} bytes.")
    return value


# -- fast paths: one plain numeric array, and columns of equal small arrays ---------------------
def _plain_layout(blob: bytes) -> tuple[np.dtype, tuple[int, ...], int] | None:
    """``(dtype, shape, data offset)`` of an uncompressed blob holding one real numeric array, else None.

    Anything unusual (compression, other values, complex, char or object arrays, a length that
    does not match) returns None, and the general reader handles it, with its error messages.
    """
    if blob[:5] not in _HEADERS or len(blob) < 13:
        return None
    ndim = _U64.unpack_from(blob, 5)[0]
    start = 13 + 8 * ndim + 8
    if ndim == 0 or ndim > 32 or len(blob) < start:
        return None
    shape = struct.unpack_from(f"<{ndim}Q", blob, 13)
    type_id, is_complex = _IDS.unpack_from(blob, start - 8)
    dtype = _PLAIN_DTYPES.get(type_id)
    if dtype is None or is_complex or _extent(shape) > _MAX_EXTENT:
        return None
    n = 1
    for x in shape:
        n *= x
    return (dtype, shape, start) if start + n * dtype.itemsize == len(blob) else None


def _extent(shape: tuple[int, ...]) -> int:
    """The product of the non-zero extents of ``shape`` (what numpy checks against its size limit)."""
    extent = 1
    for x in shape:
        extent *= x or 1
    return extent


def _plain_array(blob: bytes, squeeze: bool) -> np.ndarray | None:
    layout = _plain_layout(blob)
    if layout is None:
        return None
    dtype, shape, start = layout
    # a read-only view of the fetched bytes, as DataJoint returns arrays (no copy)
    a = np.frombuffer(blob, dtype, offset=start).reshape(shape, order="F")
    if squeeze:
        a = a.squeeze()
        return a.item() if a.ndim == 0 else a
    return a


def unpack_column(blobs: list, *, squeeze: bool = False) -> list:
    """:func:`unpack` of every item of a column (``None`` stays None).

    When the column holds small blobs of one numeric array each, with identical dtype and shape
    (a trace per row, say), they are joined and read as one array, each value a read-only view of
    its row (as every fetched array is read-only, as DataJoint returns them).

    Examples
    --------
    >>> from dj_jupyter.codecs.blob import pack
    >>> [a.tolist() for a in unpack_column([pack(np.arange(2.0)), pack(np.ones(2))])]
    [[0.0, 1.0], [1.0, 1.0]]
    """
    if len(blobs) > 1 and not squeeze:
        rows = _same_arrays(blobs)
        if rows is not None:
            return rows
    return [None if b is None else unpack(b, squeeze=squeeze) for b in blobs]


def _same_arrays(blobs: list) -> list | None:
    first = blobs[0]
    layout = _plain_layout(first) if type(first) is bytes else None
    if layout is None or any(type(b) is not bytes or len(b) != len(first) for b in blobs):
        return None
    dtype, shape, start = layout
    if len(first) <= _COLUMN_BLOB_LIMIT:
        table = np.frombuffer(b"".join(blobs), np.uint8).reshape(len(blobs), len(first))
        if not (table[:, :start] == table[0, :start]).all():  # another dtype or shape somewhere
            return None
        return _rows(table[:, start:], dtype, shape)
    head = first[:start]
    if any(b[:start] != head for b in blobs):
        return None
    return [np.frombuffer(b, dtype, offset=start).reshape(shape, order="F") for b in blobs]


def _rows(data: np.ndarray, dtype: np.dtype, shape: tuple[int, ...]) -> list:
    """Rows of raw bytes (one per value) as arrays of ``dtype`` and ``shape``, each in Fortran order."""
    values = data.view(dtype)
    # Fortran order of each row: the reversed shape in C order, transposed
    return list(values.reshape((len(values), *shape[::-1])).transpose(0, *range(len(shape), 0, -1)))
