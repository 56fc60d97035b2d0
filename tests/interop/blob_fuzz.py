"""A seeded generator of values for the ``<blob>`` format, and a deep comparison of unpacked values.

Used by ``test_blob_fuzz.py`` to compare dj_jupyter's pack/unpack with DataJoint 2.3.5's, byte for byte
and by cross round trip.  Everything is deterministic for a given seed (``random.Random`` and
``numpy.random.default_rng``), so a failing case is reproduced by its index alone.
"""

from __future__ import annotations

import datetime
import decimal
import math
import random
import uuid

import numpy as np

from dj_jupyter.codecs.matlab import MatCell, MatStruct

NUMERIC = ("?", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f4", "f8", "c8", "c16")
DATETIME_UNITS = ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as")
TEXT = ("", "a", "cell 3", "naïve", "日本語", "emoji 🧪", "tab\tnew\nline", "x" * 40)


class Generator:
    """``Generator(seed).value(depth)`` -> one value; ``cases(n)`` -> n (label, value) pairs."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.rng = np.random.default_rng(seed)

    # -- arrays -------------------------------------------------------------------------
    def shape(self) -> tuple[int, ...]:
        ndim = self.r.choice((0, 1, 1, 1, 2, 2, 3, 4))
        return tuple(self.r.choice((0, 1, 1, 2, 3, 5)) if self.r.random() < 0.2 else self.r.randint(1, 6)
                     for _ in range(ndim))

    def numbers(self, code: str, shape: tuple[int, ...]) -> np.ndarray:
        dtype = np.dtype(code)
        n = int(np.prod(shape))
        if dtype.kind == "b":
            data = self.rng.integers(0, 2, n).astype(bool)
        elif dtype.kind in "iu":
            info = np.iinfo(dtype)
            data = self.rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
        else:
            real = np.dtype("f4" if code in ("f4", "c8") else "f8")
            data = self.floats(n, real)
            with np.errstate(invalid="ignore", over="ignore"):  # inf * 1j, float32 max
                if dtype.kind == "c":
                    data = data + 1j * self.floats(n, real)
                data = data.astype(dtype)
        return data.reshape(shape)

    def floats(self, n: int, dtype: np.dtype) -> np.ndarray:
        data = self.rng.standard_normal(n) * 10.0 ** self.rng.integers(-3, 6, n)
        specials = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-300, np.finfo(dtype).max])
        mask = self.rng.random(n) < 0.15
        data[mask] = self.rng.choice(specials, int(mask.sum()))
        with np.errstate(over="ignore"):
            return data.astype(dtype)

    def layout(self, a: np.ndarray) -> np.ndarray:
        """The same values in C order, Fortran order, or as a non-contiguous view."""
        pick = self.r.random()
        if a.ndim == 0 or pick < 0.5:
            return a
        if pick < 0.75:
            return np.asfortranarray(a)
        # a strided view: every other element along each axis of a twice-as-large array
        big = np.zeros(tuple(2 * s for s in a.shape), a.dtype)
        big[tuple(slice(None, None, 2) for _ in a.shape)] = a
        view = big[tuple(slice(None, None, 2) for _ in a.shape)]
        return view.T if self.r.random() < 0.3 else view

    def numeric_array(self) -> np.ndarray:
        return self.layout(self.numbers(self.r.choice(NUMERIC), self.shape()))

    def datetime_array(self) -> np.ndarray:
        unit = self.r.choice(DATETIME_UNITS)
        shape = self.shape()
        n = int(np.prod(shape))
        span = 2**40 if unit in ("ps", "fs", "as", "ns") else 10**5
        data = self.rng.integers(-span, span, n).astype(f"datetime64[{unit}]")
        if n and self.r.random() < 0.3:
            data[0] = np.datetime64("NaT")
        return self.layout(data.reshape(shape))

    def text_array(self) -> np.ndarray:
        shape = self.shape()
        n = int(np.prod(shape))
        return self.layout(np.array([self.r.choice(TEXT) for _ in range(n)] or [""])[:n].reshape(shape))

    def char_array(self) -> np.ndarray:
        """A MATLAB char array (dtype S1, ASCII): 1-d or a single row."""
        word = self.r.choice(("", "a", "hello", "MATLAB chars"))
        a = np.array(list(word), dtype="S1") if word else np.zeros(0, "S1")
        return a.reshape(1, -1) if self.r.random() < 0.3 else a

    def object_array(self, depth: int) -> np.ndarray:
        shape = self.r.choice(((), (0,), (1,), (3,), (2, 2), (2, 1, 3)))
        n = int(np.prod(shape))
        flat = np.empty(n, dtype=object)
        for i in range(n):  # mostly scalars: DataJoint misreads object arrays of arrays (see the test's pins)
            flat[i] = self.value(depth + 1) if self.r.random() < 0.3 else self.scalar()
        return flat.reshape(shape)

    def record_array(self, depth: int = 0) -> np.ndarray:
        """A structured array: numeric fields, sometimes a str, datetime64 or subarray field, or a nested record."""
        n_fields = self.r.randint(1, 4)
        names = self.r.sample(["x", "y", "trace", "ok", "t", "longer_name"], n_fields)
        shape = self.r.choice(((), (1,), (3,), (2, 3)))
        fields = []
        for name in names:
            pick = self.r.random()
            if pick < 0.1:
                fields.append((name, "U6"))
            elif pick < 0.2:
                fields.append((name, "M8[s]"))
            elif pick < 0.3:
                fields.append((name, self.r.choice(NUMERIC), (self.r.randint(1, 3),)))
            elif pick < 0.4 and depth < 2:
                fields.append((name, self.record_array(depth + 1).dtype))
            else:
                fields.append((name, self.r.choice(NUMERIC)))
        rec = np.zeros(shape, dtype=fields)
        n = int(np.prod(shape))
        for name in names:
            dtype = rec.dtype[name]
            if dtype.names:
                continue  # nested records stay zero
            full = shape + dtype.shape
            if dtype.kind == "U":
                rec[name] = np.array([self.r.choice(TEXT)[:6] for _ in range(n)]).reshape(shape)
            elif dtype.kind == "M":
                rec[name] = self.rng.integers(0, 10**9, n).astype("M8[s]").reshape(shape)
            else:
                rec[name] = self.numbers(dtype.base.str, full)
        return rec.view(np.recarray) if self.r.random() < 0.5 else rec

    def cell(self, depth: int) -> MatCell:
        shape = self.r.choice(((0,), (1,), (3,), (1, 3), (2, 2)))
        n = int(np.prod(shape))
        flat = np.empty(n, dtype=object)
        for i in range(n):
            flat[i] = self.matlab_value(depth + 1)
        return flat.reshape(shape).view(MatCell)

    def struct(self, depth: int) -> MatStruct:
        names = self.r.sample(["a", "b", "trace", "label"], self.r.randint(1, 3))
        shape = self.r.choice(((1,), (2,), (1, 2)))
        flat = np.empty(int(np.prod(shape)), dtype=[(name, object) for name in names])
        for i in range(flat.size):
            for name in names:
                flat[name][i] = self.matlab_value(depth + 1)
        return flat.reshape(shape).view(MatStruct)

    def matlab_value(self, depth: int) -> object:
        """Something MATLAB's mYm could hold: numeric arrays, chars, cells and structs."""
        pick = self.r.random()
        if depth < 3 and pick < 0.15:
            return self.cell(depth)
        if depth < 3 and pick < 0.25:
            return self.struct(depth)
        if pick < 0.35:
            return self.char_array()
        code = self.r.choice(NUMERIC)
        return self.layout(self.numbers(code, self.r.choice(((1,), (3,), (2, 3), (1, 1)))))

    # -- Python scalars -----------------------------------------------------------------
    def scalar(self) -> object:
        r = self.r
        kind = r.randrange(16)
        if kind == 0:
            return None
        if kind == 1:
            return r.random() < 0.5
        if kind == 2:
            return r.choice((0, 1, -1, 127, 128, -128, -129, 255, 256, 2**31, -2**31, 2**63, -2**63 - 1, 2**64,
                             10**40, -(10**40), r.randint(-10**6, 10**6)))
        if kind == 3:
            return r.choice((0.0, -0.0, 1.5, math.nan, math.inf, -math.inf, 1e-310, r.uniform(-1e6, 1e6)))
        if kind == 4:
            return complex(r.uniform(-5, 5), r.choice((0.0, r.uniform(-5, 5), math.nan)))
        if kind == 5:
            return r.choice(TEXT)
        if kind == 6:
            return bytes(r.randrange(256) for _ in range(r.choice((0, 1, 7, 30))))
        if kind == 7:
            return decimal.Decimal(r.choice(("0", "1.50", "-3.14159", "1E+10", "NaN", "Infinity", "123456789.000001")))
        if kind == 8:
            return uuid.UUID(int=r.getrandbits(128))
        if kind == 9:
            return datetime.date(r.randint(1, 9999), r.randint(1, 12), r.randint(1, 28))
        if kind == 10:
            return datetime.datetime(r.randint(1, 9999), r.randint(1, 12), r.randint(1, 28), r.randint(0, 23),
                                     r.randint(0, 59), r.randint(0, 59), r.choice((0, r.randint(0, 999999))))
        if kind == 11:
            return datetime.time(r.randint(0, 23), r.randint(0, 59), r.randint(0, 59), r.randint(0, 999999))
        if kind == 12:  # numpy scalars
            code = r.choice(NUMERIC)
            return self.numbers(code, (1,))[0]
        if kind == 13:
            return np.datetime64(r.randint(0, 10**9), r.choice(DATETIME_UNITS))
        if kind == 14:
            return np.str_(r.choice(TEXT)) if r.random() < 0.5 else np.bytes_(b"raw\x00bytes")
        return np.float64(r.uniform(-1, 1))

    # -- containers and the top level -----------------------------------------------------
    def hashable(self) -> object:
        r = self.r
        kind = r.randrange(6)
        if kind == 0:
            return r.choice(TEXT)
        if kind == 1:
            return r.randint(-1000, 1000)
        if kind == 2:
            return r.choice((True, False, None))
        if kind == 3:
            return (r.choice(TEXT), r.randint(0, 9))
        if kind == 4:
            return uuid.UUID(int=r.getrandbits(128))
        return r.choice((1.5, -2.25, datetime.date(2024, 1, 31)))

    def value(self, depth: int = 0) -> object:
        r = self.r
        kind = r.randrange(14) if depth < 3 else r.randrange(6)
        if kind in (0, 1):
            return self.scalar()
        if kind == 2:
            return self.numeric_array()
        if kind == 3:
            return r.choice((self.datetime_array, self.text_array, self.char_array))()
        if kind == 4:
            return self.record_array()
        if kind == 5:
            return self.numbers(r.choice(NUMERIC), ())  # a 0-d array
        if kind == 6:
            return [self.value(depth + 1) for _ in range(r.randint(0, 4))]
        if kind == 7:
            return tuple(self.value(depth + 1) for _ in range(r.randint(0, 4)))
        if kind == 8:
            return {self.hashable(): self.value(depth + 1) for _ in range(r.randint(0, 4))}
        if kind == 9:
            return {self.hashable() for _ in range(r.randint(0, 4))}
        if kind == 10:
            return self.object_array(depth)
        if kind == 11:
            return self.cell(depth)
        if kind == 12:
            return self.struct(depth)
        return frozenset(self.hashable() for _ in range(r.randint(0, 3)))

    def cases(self, n: int) -> list[tuple[str, object]]:
        return [(f"case{i}", self.value()) for i in range(n)]


# -- deep equality --------------------------------------------------------------------------
def difference(a: object, b: object, path: str = "value") -> str | None:
    """None when ``a`` and ``b`` are the same value (type, dtype, shape, NaN-aware); else where they differ."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return _array_difference(a, b, path)
    if type(a) is not type(b):
        return f"{path}: type {type(a).__name__} != {type(b).__name__} ({a!r} vs {b!r})"
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            found = difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(a, dict):
        if list(a) != list(b) and set(map(_key, a)) != set(map(_key, b)):
            return f"{path}: keys {list(a)!r} != {list(b)!r}"
        for key in a:
            found = difference(a[key], b[key], f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(a, (set, frozenset)):  # by repr: NaN != NaN, and elements are scalars or tuples of them
        return None if set(map(repr, a)) == set(map(repr, b)) else f"{path}: {a!r} != {b!r}"
    if isinstance(a, np.generic):
        if a.dtype != b.dtype:
            return f"{path}: dtype {a.dtype} != {b.dtype}"
        return _array_difference(np.asarray(a), np.asarray(b), path)
    if isinstance(a, (float, complex)):
        return None if _same_number(a, b) else f"{path}: {a!r} != {b!r}"
    if isinstance(a, decimal.Decimal):
        return None if (a.is_nan() and b.is_nan()) or a == b else f"{path}: {a!r} != {b!r}"
    return None if a == b else f"{path}: {a!r} != {b!r}"


def _key(k):
    return repr(k)


def _same_number(a, b) -> bool:
    pairs = [(a.real, b.real), (a.imag, b.imag)] if isinstance(a, complex) else [(a, b)]
    return all((math.isnan(x) and math.isnan(y)) or (x == y and math.copysign(1, x) == math.copysign(1, y))
               for x, y in pairs)


def _array_difference(a, b, path: str) -> str | None:
    # MatCell / MatStruct exist in both libraries as distinct classes of the same name
    if type(a).__name__ != type(b).__name__ or not isinstance(b, np.ndarray):
        return f"{path}: type {type(a).__name__} != {type(b).__name__}"
    if a.dtype != b.dtype:
        return f"{path}: dtype {a.dtype} != {b.dtype}"
    if a.shape != b.shape:
        return f"{path}: shape {a.shape} != {b.shape}"
    if a.dtype.names:
        for name in a.dtype.names:
            found = _array_difference(np.asarray(a[name]), np.asarray(b[name]), f"{path}.{name}")
            if found:
                return found
        return None
    if a.dtype.kind == "O":
        for index in np.ndindex(a.shape):
            found = difference(a[index], b[index], f"{path}[{index}]")
            if found:
                return found
        return None
    if a.dtype.kind in "mM":  # NaT-aware
        return None if a.view("i8").tobytes() == b.view("i8").tobytes() else f"{path}: values differ\n{a!r}\n{b!r}"
    if a.dtype.kind in "fc":
        # bit-exact: NaN payloads and signed zeros survive both formats
        return None if a.tobytes() == b.tobytes() else f"{path}: values differ\n{a!r}\n{b!r}"
    return None if np.array_equal(a, b) else f"{path}: values differ\n{a!r}\n{b!r}"


def for_datajoint(value: object, djblob) -> object:
    """``value`` with dj_jupyter's MatCell / MatStruct replaced by DataJoint's (``djblob`` = ``datajoint.blob``).

    The two libraries each define these marker classes; each packs only its own as a cell or struct.
    """
    if isinstance(value, MatCell):
        return _map_objects(value, djblob).view(djblob.MatCell)
    if isinstance(value, MatStruct):
        flat = np.asarray(value).copy()
        for name in flat.dtype.names:
            column = flat[name]
            for index in np.ndindex(column.shape):
                column[index] = for_datajoint(column[index], djblob)
        return flat.view(djblob.MatStruct)
    if isinstance(value, np.ndarray) and value.dtype.kind == "O":
        return _map_objects(value, djblob)
    if isinstance(value, list):
        return [for_datajoint(v, djblob) for v in value]
    if isinstance(value, tuple):
        return tuple(for_datajoint(v, djblob) for v in value)
    if isinstance(value, dict):
        return {k: for_datajoint(v, djblob) for k, v in value.items()}
    return value


def _map_objects(a: np.ndarray, djblob) -> np.ndarray:
    out = np.empty(a.shape, dtype=object)
    for index in np.ndindex(a.shape):
        out[index] = for_datajoint(a[index], djblob)
    return out
