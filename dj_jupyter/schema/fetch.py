"""Fetching rows of a query: driver tuples -> columns -> dicts, DataFrames or numpy arrays.

One SELECT per call.  Rows arrive from the driver as tuples; columns that need a
Python conversion (UUID from bytes, JSON text, SQLite dates...) are converted a whole
column at a time, and only those.  Headings are resolved once per call, never per row.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, Sequence

import numpy as np

from ..codecs.columns import codec_column_decoder
from ..codecs.registry import registry_generation
from ..errors import DataJointError
from ..heading.heading import Heading
from ..heading.values import column_decoder, split_columns
from ..query.algebra import resolve_order_by
from ..query.nodes import Node, Top, remember
from ..sql.compiler import compile_select

__all__ = ["fetch_columns", "rows_to_dicts", "to_pandas_frame", "to_structured", "with_top", "check_names"]


def with_top(node: Node, order_by: Any = None, limit: int | None = None, offset: int | None = None) -> Node:
    """Apply ``order_by``/``limit``/``offset`` as a Top node (ordering defaults to the primary key)."""
    if order_by is None and limit is None and not offset:
        return node
    memo = node.memo("top")  # the same page of the same node is the same node (and keeps its SQL)
    try:
        key = (order_by if not isinstance(order_by, list) else tuple(order_by), limit, offset)
        top = memo.get(key)
    except TypeError:  # unhashable order_by: resolve_order_by says what is wrong with it
        key, top = None, None
    if top is None:
        top = Top(node, limit, resolve_order_by(node.heading, order_by), int(offset or 0))
        if key is not None:
            remember(memo, key, top)
    return top


def check_names(heading: Heading, names: Sequence[str]) -> None:
    for n in names:
        if n not in heading:
            raise heading.unknown(n)


def _decoder(attr: Any, dialect: str) -> Any:
    """The column decoder of an attribute: its codec chain for codec types, else the core conversion."""
    return codec_column_decoder(attr, dialect) if attr.is_codec else column_decoder(attr, dialect)


def column_decoders(heading: Heading, names: Sequence[str], dialect: str) -> tuple[tuple[int, Any], ...]:
    """``(position, decoder)`` of the columns of ``names`` that need one, built once per heading.

    Headings are immutable; codec chains depend on the registry too, so the registry's
    generation is part of the key (a codec defined again in a notebook is picked up).
    """
    key = ("decoders", dialect, tuple(names), registry_generation())
    memo = heading.memo
    decoders = memo.get(key)
    if decoders is None:
        decoders = tuple((i, dec) for i, name in enumerate(names) if (dec := _decoder(heading[name], dialect)))
        remember(memo, key, decoders)
    return decoders


def _decode(rows: list, decoders: tuple[tuple[int, Any], ...], columns: list[list] | None) -> list[list] | None:
    """Decode the columns that need it, in place in ``columns`` (split from ``rows`` when first needed).

    Decoders keep NULL as None, so a column that is all NULL is left alone (a preview's empty
    blob column costs no decoding).  Returns ``columns``, or None when nothing was decoded.
    """
    n = len(rows)
    for i, dec in decoders:
        column = columns[i] if columns is not None else list(map(itemgetter(i), rows))
        if column.count(None) == n:
            continue
        if columns is None:
            columns = split_columns(rows, len(rows[0]))
        columns[i] = dec(column)
    return columns


def fetch_columns(connection: Any, node: Node, names: Sequence[str] | None = None) -> tuple[list[str], list[list], int]:
    """Execute the query and return ``(names, columns, row_count)`` with values converted."""
    heading = node.heading
    names = list(heading.names if names is None else names)
    sql, params = compile_select(connection.dialect, node, names)
    rows = connection.query(sql, params).fetchall()
    if not rows:
        return names, [[] for _ in names], 0
    columns = split_columns(rows, len(names))
    _decode(rows, column_decoders(heading, names, connection.dialect.name), columns)
    return names, columns, len(rows)


def fetch_rows(connection: Any, node: Node, names: Sequence[str] | None = None) -> tuple[list[str], list[tuple]]:
    """Rows as tuples, converting only the columns that need it."""
    heading = node.heading
    names = list(heading.names if names is None else names)
    sql, params = compile_select(connection.dialect, node, names)
    rows = connection.query(sql, params).fetchall()
    decoders = column_decoders(heading, names, connection.dialect.name)
    if rows and decoders:
        columns = _decode(rows, decoders, None)
        if columns is not None:
            rows = list(zip(*columns))
    return names, rows


def rows_to_dicts(names: list[str], rows: Sequence[tuple]) -> list[dict]:
    return [dict(zip(names, r)) for r in rows]


def to_pandas_frame(heading: Heading, names: list[str], columns: list[list]):
    import pandas as pd

    if not columns or not columns[0]:
        frame = pd.DataFrame({n: pd.Series(dtype=_pandas_dtype(heading[n])) for n in names})
    else:
        frame = pd.DataFrame(dict(zip(names, columns)), columns=names)
    pk = [k for k in heading.primary_key if k in names]
    return frame.set_index(pk) if pk else frame


def _pandas_dtype(attr) -> str:
    if attr.is_integer and not attr.nullable:
        return "int64"
    if attr.core in ("float32", "float64"):
        return "float64"
    return "object"


def numpy_dtype(attr) -> Any:
    """int64 for non-null integers (uint64: uint64), float64 for floats, object otherwise."""
    if attr.is_integer and not attr.nullable:
        return np.uint64 if attr.core == "uint64" else np.int64
    if attr.core in ("float32", "float64") or attr.sql_type in ("float", "double", "real", "double precision"):
        return np.float64
    return object


def to_structured(heading: Heading, names: list[str], columns: list[list], n: int) -> np.ndarray:
    dtype = np.dtype([(name, numpy_dtype(heading[name])) for name in names])
    out = np.empty(n, dtype=dtype)
    for name, col in zip(names, columns):
        if dtype[name] == np.float64:
            out[name] = np.array([np.nan if v is None else v for v in col], dtype=np.float64) if None in col else col
        elif dtype[name] == object:
            out[name] = _objects(col)
        else:
            out[name] = col
    return out


def _objects(values: list) -> np.ndarray:
    """A 1-d object array holding each value as it is: arrays are not broadcast, lazy references not loaded."""
    return np.fromiter(values, dtype=object, count=len(values))


def column_array(attr, values: list) -> np.ndarray:
    dt = numpy_dtype(attr)
    if dt is np.float64 and None in values:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    if dt is object:
        return _objects(values)
    return np.array(values, dtype=dt)


def expect_one(n: int, what: str = "fetch1") -> None:
    if n != 1:
        raise DataJointError(
            f"{what} expects exactly one row; the query returned {n}. "
            + ("Restrict the query to a single key first." if n > 1 else "Check the restriction: no row matched.")
        )
