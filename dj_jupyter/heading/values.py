"""Python values <-> driver values, one column at a time.

Insert: :func:`column_encoder` returns a function that validates and converts a whole
column (a list of values) before any SQL runs; a wrong value raises
:class:`~dj_jupyter.errors.ValidationError` naming the attribute, the expected type,
the value and its row.  Fetch: :func:`column_decoder` returns a function converting a
fetched column, or ``None`` when the driver's values are already right (the common
case: no per-row work at all).

The fast paths test the set of Python types in a column (a C-level loop) and only
fall back to per-value conversion for mixed or foreign inputs (numpy scalars,
strings from CSV files...).  Differences between drivers are the tables at the end.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import itertools
import json
import math
import operator
import uuid
from operator import itemgetter, methodcaller
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import ValidationError
from .heading import Attribute

__all__ = [
    "has_none", "column_encoder", "column_decoder", "encode_scalar", "split_columns", "INTEGER_RANGES"]

Column = list
Encoder = Callable[[Sequence[Any]], list]

INTEGER_RANGES = {
    "int8": (-(2**7), 2**7 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint8": (0, 2**8 - 1),
    "uint16": (0, 2**16 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
}
# SQLite integers are 64-bit signed: uint64 is limited there
_SQLITE_UINT64_MAX = 2**63 - 1


def _fail(attr: Attribute, expected: str, value: Any, row: int | None, hint: str = "") -> ValidationError:
    where = f" (row {row})" if row is not None else ""
    text = f"Attribute `{attr.name}` expects {expected}; got {value!r} of type {type(value).__name__}{where}."
    if hint:
        text += " " + hint
    return ValidationError(text)


def has_none(column: Sequence[Any]) -> bool:
    """Whether a column holds None, by identity (``None in column`` would compare numpy arrays elementwise)."""
    return any(map(operator.is_, column, itertools.repeat(None)))


def _is_missing(v: Any) -> bool:
    """None and float NaN (pandas' missing value) become SQL NULL."""
    return v is None or (type(v) is float and v != v)


def split_columns(rows: Sequence[Sequence[Any]], width: int) -> list[list]:
    """The ``width`` columns of equally long rows, as lists.

    One C-level pass per column: ``zip(*rows)`` would create an iterator per row,
    which costs about five times as much for 100k rows.
    """
    return [list(map(itemgetter(i), rows)) for i in range(width)]


# ---------------------------------------------------------------------------------- integers
def _to_int(attr: Attribute, v: Any, row: int) -> int | None:
    if _is_missing(v):
        return None
    t = type(v)
    if t is int:
        return v
    if t is bool:
        return int(v)
    if hasattr(v, "dtype") and getattr(v, "ndim", 1) == 0:  # numpy scalar
        kind = v.dtype.kind
        if kind in "iub":
            return int(v)
        if kind == "f":
            v = float(v)
            if v != v:
                return None
    if isinstance(v, float):
        if v.is_integer():
            return int(v)
        raise _fail(attr, f"an integer ({attr.core})", v, row)
    if isinstance(v, decimal.Decimal) and v == v.to_integral_value():
        return int(v)
    if isinstance(v, str):
        try:
            return int(v.strip())
        except ValueError:
            pass
    raise _fail(attr, f"an integer ({attr.core})", v, row)


def _integer_encoder(attr: Attribute, dialect: str) -> Encoder:
    lo, hi = INTEGER_RANGES.get(attr.core, (None, None))
    if dialect == "sqlite" and attr.core == "uint64":
        hi = _SQLITE_UINT64_MAX

    def check_range(values: list) -> None:
        present = [v for v in values if v is not None] if None in values else values
        if not present or lo is None:
            return
        low, high = min(present), max(present)
        if low < lo or high > hi:
            bad = low if low < lo else high
            hint = "SQLite stores integers as signed 64-bit." if dialect == "sqlite" and bad > hi else ""
            raise _fail(attr, f"an integer in [{lo}, {hi}] ({attr.core})", bad, values.index(bad), hint)

    def encode(column: Sequence[Any]) -> list:
        values = list(column)
        types = set(map(type, values))
        if not types <= {int, type(None)}:
            values = [_to_int(attr, v, i) for i, v in enumerate(values)]
        check_range(values)
        return values

    return encode


# ---------------------------------------------------------------------------------- floats
FLOAT32_MAX = float(np.finfo(np.float32).max)  # the servers refuse a larger magnitude (SQLite would keep it)
UNDERFLOW = "a number that is 0 or of magnitude at least ~1.4e-45 (float32)"


def _float_encoder(attr: Attribute, dialect: str) -> Encoder:
    def convert(v: Any, row: int) -> float | None:
        if _is_missing(v):
            return None
        if isinstance(v, (int, float, decimal.Decimal)) and not isinstance(v, bool):
            f = float(v)
        elif hasattr(v, "dtype") and getattr(v, "ndim", 1) == 0 and v.dtype.kind in "iuf":
            f = float(v)
        elif isinstance(v, str):
            try:
                f = float(v)
            except ValueError:
                raise _fail(attr, f"a number ({attr.core})", v, row) from None
        else:
            raise _fail(attr, f"a number ({attr.core})", v, row)
        if math.isnan(f):
            return None
        if math.isinf(f) and dialect == "mysql":
            raise _fail(attr, "a finite number (MySQL cannot store infinity)", v, row)
        if single and abs(f) > FLOAT32_MAX and not math.isinf(f):
            raise _fail(attr, f"a number within +-{FLOAT32_MAX:.8g} (float32)", v, row)
        if underflows and f != 0 and np.float32(f) == 0:
            raise _fail(attr, UNDERFLOW, v, row, "PostgreSQL refuses it (underflow): give 0.0 or use float64.")
        return f

    single = attr.core == "float32"
    underflows = single and dialect == "postgresql"  # a real that rounds to 0: MySQL stores 0, PostgreSQL refuses

    def encode(column: Sequence[Any]) -> list:
        values = list(column)
        if values and set(map(type, values)) <= {float}:
            # vectorised check: NaN -> NULL, infinity refused where the server cannot store it, float32's range
            arr = np.asarray(values, dtype=float)
            finite = np.isfinite(arr)
            if single:
                over = np.flatnonzero(finite & (np.abs(arr) > FLOAT32_MAX))
                if over.size:
                    row = int(over[0])
                    raise _fail(attr, f"a number within +-{FLOAT32_MAX:.8g} (float32)", values[row], row)
            if underflows:
                lost = np.flatnonzero(finite & (arr != 0) & (arr.astype(np.float32) == 0))
                if lost.size:
                    row = int(lost[0])
                    raise _fail(attr, UNDERFLOW, values[row], row,
                                "PostgreSQL refuses it (underflow): give 0.0 or use float64.")
            if finite.all():
                return values
            if dialect == "mysql" and np.isinf(arr).any():
                row = int(np.flatnonzero(np.isinf(arr))[0])
                raise _fail(attr, "a finite number (MySQL cannot store infinity)", values[row], row)
            return [None if v != v else v for v in values]
        return [convert(v, i) for i, v in enumerate(values)]

    return encode


def _bool_encoder(attr: Attribute, dialect: str) -> Encoder:
    def convert(v: Any, row: int) -> Any:
        if _is_missing(v):
            return None
        if isinstance(v, bool) or (hasattr(v, "dtype") and getattr(v, "dtype").kind == "b"):
            b = bool(v)
        elif isinstance(v, (int,)) and v in (0, 1):
            b = bool(v)
        elif hasattr(v, "dtype") and v.dtype.kind in "iu" and int(v) in (0, 1):
            b = bool(int(v))
        elif isinstance(v, str) and v.strip().lower() in ("true", "false", "1", "0"):
            b = v.strip().lower() in ("true", "1")
        else:
            raise _fail(attr, "a boolean (True/False or 1/0)", v, row)
        return b if dialect == "postgresql" else int(b)

    def encode(column: Sequence[Any]) -> list:
        values = list(column)
        types = set(map(type, values))
        # fast path (no per-value Python frame): real bools, as bools or as 0/1
        if dialect == "postgresql" and types <= {bool, type(None)}:
            return values
        if types <= {bool}:
            return list(map(int, values))
        return [convert(v, i) for i, v in enumerate(values)]

    return encode


# ---------------------------------------------------------------------------------- strings
def _string_encoder(attr: Attribute, dialect: str) -> Encoder:
    limit = attr.type.args[0] if attr.core in ("char", "varchar") and attr.type.args else None
    allowed = set(attr.type.args) if attr.core == "enum" else None

    def convert(v: Any, row: int) -> Any:
        if v is None:
            return None
        if isinstance(v, str):  # numpy.str_ is a str subclass
            return str(v)
        raise _fail(attr, f"a string ({attr.type.text})", v, row)

    def encode(column: Sequence[Any]) -> list:
        values = list(column)
        if not set(map(type, values)) <= {str, type(None)}:
            values = [convert(v, i) for i, v in enumerate(values)]
        present = [v for v in values if v is not None] if None in values else values
        if limit is not None and present:
            longest = max(present, key=len)
            if len(longest) > limit:
                raise _fail(attr, f"at most {limit} characters ({attr.type.text})", longest, values.index(longest))
        if allowed is not None:
            bad = set(present) - allowed
            if bad:
                value = sorted(bad)[0]
                raise _fail(attr, f"one of {sorted(allowed)}", value, values.index(value))
        return values

    return encode


# ---------------------------------------------------------------------------------- temporal
def _date_value(attr: Attribute, v: Any, row: int) -> _dt.date | None:
    if _is_missing(v):
        return None
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, _dt.date):
        return v
    if isinstance(v, str):
        try:
            return _dt.date.fromisoformat(v.strip())
        except ValueError:
            pass
    elif hasattr(v, "dtype") and v.dtype.kind == "M":  # numpy.datetime64
        return _dt.date.fromisoformat(str(v.astype("datetime64[D]")))
    raise _fail(attr, "a date (datetime.date or 'YYYY-MM-DD')", v, row)


def _datetime_value(attr: Attribute, v: Any, row: int) -> _dt.datetime | None:
    if _is_missing(v):
        return None
    if isinstance(v, _dt.datetime):
        return v.to_pydatetime() if hasattr(v, "to_pydatetime") else v
    if isinstance(v, _dt.date):
        return _dt.datetime(v.year, v.month, v.day)
    if isinstance(v, str):
        try:
            return _dt.datetime.fromisoformat(v.strip())
        except ValueError:
            pass
    elif hasattr(v, "dtype") and v.dtype.kind == "M":
        return _dt.datetime.fromisoformat(str(v.astype("datetime64[us]")))
    raise _fail(attr, "a datetime (datetime.datetime or 'YYYY-MM-DD HH:MM:SS')", v, row)


def _temporal_encoder(attr: Attribute, dialect: str) -> Encoder:
    is_date = attr.core == "date"
    to_value = _date_value if is_date else _datetime_value
    exact = _dt.date if is_date else _dt.datetime
    to_text = _dt.date.isoformat if is_date else methodcaller("isoformat", " ")
    as_text = dialect == "sqlite"

    def encode(column: Sequence[Any]) -> list:
        values = list(column)
        # fast path: exactly date/datetime objects (not subclasses such as pandas.Timestamp)
        # need no conversion, only their ISO text on SQLite
        if set(map(type, values)) <= {exact, type(None)}:
            if not as_text:
                return values
            if None in values:
                return [None if v is None else to_text(v) for v in values]
            return list(map(to_text, values))
        values = [to_value(attr, v, i) for i, v in enumerate(values)]
        if as_text:  # SQLite stores ISO text; it sorts and compares correctly
            return [None if v is None else (v.isoformat(sep=" ") if type(v) is _dt.datetime else v.isoformat()) for v in values]
        return values

    return encode


# ---------------------------------------------------------------------------------- others
def _decimal_encoder(attr: Attribute, dialect: str) -> Encoder:
    def convert(v: Any, row: int) -> Any:
        if _is_missing(v) or (isinstance(v, decimal.Decimal) and v.is_nan()):  # NaN is missing, as for floats
            return None
        try:
            d = decimal.Decimal(str(v)) if not isinstance(v, decimal.Decimal) else v
        except decimal.InvalidOperation:
            raise _fail(attr, f"a decimal number ({attr.type.text})", v, row) from None
        if isinstance(v, bool) or not d.is_finite():
            raise _fail(attr, f"a finite decimal number ({attr.type.text})", v, row)
        if digits is not None and not _fits(d, *digits):
            raise _fail(attr, f"a decimal number of at most {digits[0] - digits[1]} digits before the point "
                              f"({attr.type.text})", v, row, "The server would refuse it or store another value.")
        return str(d) if dialect == "sqlite" else d

    args = attr.type.args
    digits = (int(args[0]), int(args[1]) if len(args) > 1 else 0) if args else None

    return lambda column: [convert(v, i) for i, v in enumerate(column)]


def _fits(d: decimal.Decimal, precision: int, scale: int) -> bool:
    """Whether ``d``, rounded half away from zero to ``scale`` places (as the servers round), fits decimal(p, s)."""
    if d.is_zero() or d.adjusted() < precision - scale - 1:
        return True
    if d.adjusted() >= precision - scale:
        return False
    rounded = d.quantize(decimal.Decimal(1).scaleb(-scale), rounding=decimal.ROUND_HALF_UP,
                         context=decimal.Context(prec=precision + 2))
    return rounded.adjusted() < precision - scale


def _uuid_encoder(attr: Attribute, dialect: str) -> Encoder:
    def convert(v: Any, row: int) -> Any:
        if v is None:
            return None
        try:
            if isinstance(v, uuid.UUID):
                u = v
            elif isinstance(v, (bytes, bytearray)) and len(v) == 16:
                u = uuid.UUID(bytes=bytes(v))
            else:
                u = uuid.UUID(str(v))
        except (ValueError, TypeError, AttributeError):
            raise _fail(attr, "a UUID (uuid.UUID or its string)", v, row, "badly formed UUID.") from None
        return u if dialect == "postgresql" else u.bytes

    return lambda column: [convert(v, i) for i, v in enumerate(column)]


def _json_encoder(attr: Attribute, dialect: str) -> Encoder:
    def convert(v: Any, row: int) -> Any:
        if v is None:
            return None
        try:
            return json.dumps(v, default=_json_default, allow_nan=False)  # NaN/inf are not JSON: servers refuse them
        except (TypeError, ValueError) as exc:
            raise _fail(attr, "a JSON-serializable value", v, row, str(exc)) from None

    return lambda column: [convert(v, i) for i, v in enumerate(column)]


def _json_default(v: Any) -> Any:
    if hasattr(v, "tolist"):  # numpy arrays and scalars
        return v.tolist()
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    if isinstance(v, (uuid.UUID, decimal.Decimal)):
        return str(v)
    raise TypeError(f"{type(v).__name__} is not JSON serializable")


def _bytes_encoder(attr: Attribute, dialect: str) -> Encoder:
    def convert(v: Any, row: int) -> Any:
        if v is None:
            return None
        if isinstance(v, (bytes, bytearray, memoryview)):
            return bytes(v)
        hint = "Use the <blob> type to store Python objects and arrays." if attr.core != "bytes" else ""
        raise _fail(attr, "bytes", v, row, hint)

    return lambda column: [convert(v, i) for i, v in enumerate(column)]


def _passthrough(attr: Attribute, dialect: str) -> Encoder:
    def convert(v: Any) -> Any:
        if _is_missing(v):
            return None
        if hasattr(v, "dtype") and getattr(v, "ndim", 1) == 0 and hasattr(v, "item"):
            return v.item()
        return v

    return lambda column: [convert(v) for v in column]


_ENCODERS: dict[str, Callable[[Attribute, str], Encoder]] = {
    **{k: _integer_encoder for k in INTEGER_RANGES},
    "float32": _float_encoder,
    "float64": _float_encoder,
    "bool": _bool_encoder,
    "char": _string_encoder,
    "varchar": _string_encoder,
    "enum": _string_encoder,
    "date": _temporal_encoder,
    "datetime": _temporal_encoder,
    "decimal": _decimal_encoder,
    "uuid": _uuid_encoder,
    "json": _json_encoder,
    "bytes": _bytes_encoder,
}


def column_encoder(attr: Attribute, dialect: str) -> Encoder:
    """A function validating and converting one column of insert values for ``dialect``."""
    if attr.core in _ENCODERS:
        return _ENCODERS[attr.core](attr, dialect)
    if "blob" in attr.sql_type or attr.sql_type == "bytea":
        return _bytes_encoder(attr, dialect)
    return _passthrough(attr, dialect)


def encode_scalar(attr: Attribute, value: Any, dialect: str) -> Any:
    """Encode one value (restrictions by dict, update1)."""
    return column_encoder(attr, dialect)([value])[0]


# ---------------------------------------------------------------------------------- fetch
def _map_present(fn: Callable[[Any], Any]) -> Callable[[list], list]:
    return lambda column: [None if v is None else fn(v) for v in column]


def _decimal_from(scale: int | None) -> Callable[[Any], decimal.Decimal]:
    quantum = decimal.Decimal(1).scaleb(-scale) if scale is not None else None

    def convert(v: Any) -> decimal.Decimal:
        d = v if isinstance(v, decimal.Decimal) else decimal.Decimal(str(v))
        return d.quantize(quantum) if quantum is not None else d

    return convert


def _date_from_text(v: Any) -> Any:
    return _dt.date.fromisoformat(v) if isinstance(v, str) else v


def _datetime_from_text(v: Any) -> Any:
    return _dt.datetime.fromisoformat(v) if isinstance(v, str) else v


def _parse_text_column(parse: Callable[[str], Any], fallback: Callable[[Any], Any]) -> Callable[[list], list]:
    """Decode ISO text; a column holding only strings is parsed without a per-value Python frame."""
    per_value = _map_present(fallback)

    def decode(column: list) -> list:
        if set(map(type, column)) <= {str}:
            return list(map(parse, column))
        return per_value(column)

    return decode


def _uuid_from(v: Any) -> uuid.UUID:
    return v if isinstance(v, uuid.UUID) else uuid.UUID(bytes=bytes(v))


def _strip_pad(v: Any) -> Any:
    return v.rstrip(" ") if isinstance(v, str) else v


def _json_from(v: Any) -> Any:
    return json.loads(v) if isinstance(v, (str, bytes, bytearray)) else v


def column_decoder(attr: Attribute, dialect: str) -> Callable[[list], list] | None:
    """A function converting a fetched column to Python values, or None if none is needed."""
    core = attr.core
    if core == "uuid" and dialect != "postgresql":
        return _map_present(_uuid_from)
    if core == "json" and dialect != "postgresql":
        return _map_present(_json_from)
    if core == "char" and dialect != "mysql":
        # MySQL drops the trailing pad spaces of CHAR values; PostgreSQL keeps them and SQLite
        # keeps what was given: strip them everywhere so that every backend returns the same value
        return _map_present(_strip_pad)
    if dialect == "sqlite":
        if core == "date":
            return _parse_text_column(_dt.date.fromisoformat, _date_from_text)
        if core == "datetime":
            return _parse_text_column(_dt.datetime.fromisoformat, _datetime_from_text)
        if core == "decimal":
            return _map_present(_decimal_from(attr.type.args[1] if len(attr.type.args) > 1 else 0))
        if core == "bytes" or attr.sql_type in ("blob", "longblob"):
            return _map_present(bytes)
    if dialect == "postgresql":
        if core == "uint64":
            return _map_present(int)
        if core == "bool":
            return None
        if core == "bytes" or attr.sql_type == "bytea":
            return _map_present(bytes)
    return None
