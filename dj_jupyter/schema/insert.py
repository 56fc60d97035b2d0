"""insert / insert1 / update1: rows are shaped into columns, validated, encoded, then written at once.

Every value is checked against its attribute before any SQL runs; a wrong value names
the attribute, the expected type, the value and its row.  The work is columnar: one
pass per column, with fast paths that avoid per-value Python work for the common
types.  A multi-statement write runs inside a transaction, so it lands whole or not at all.
"""

from __future__ import annotations

import threading
import warnings
from operator import itemgetter
from typing import Any

from ..codecs.columns import codec_column_encoder
from ..errors import DataJointError, DuplicateError, MissingAttributeError, UnknownAttributeError, ValidationError
from ..heading.heading import Heading
from ..heading.values import column_encoder, encode_scalar, has_none, split_columns
from ..sql.compiler import compile_select
from ..sql.dml import compile_insert, compile_insert_select, compile_update
from ..stores.writes import undo_writes_on_error

__all__ = ["insert_rows", "insert_dataframe", "update_row", "populating", "rows_to_columns"]

_local = threading.local()


def populating() -> set:
    """Classes whose ``make`` is running in this thread (they may insert into themselves)."""
    s = getattr(_local, "classes", None)
    if s is None:
        s = _local.classes = set()
    return s


# ----------------------------------------------------------------------------- shaping rows
def rows_to_columns(rows: Any, heading: Heading) -> tuple[list[str], list[list], int]:
    """Turn any supported input into (field names, columns, number of rows)."""
    if hasattr(rows, "columns") and hasattr(rows, "to_dict"):  # pandas DataFrame
        frame = rows
        if not _is_default_index(frame):
            frame = frame.reset_index()
        return [str(c) for c in frame.columns], [frame[c].tolist() for c in frame.columns], len(frame)
    if hasattr(rows, "dtype") and getattr(rows.dtype, "names", None):  # numpy structured array
        arr = rows.reshape(-1) if getattr(rows, "ndim", 1) != 1 else rows
        names = list(arr.dtype.names)
        return names, [arr[n].tolist() for n in names], len(arr)
    rows = list(rows)
    if not rows:
        return [], [], 0
    first = rows[0]
    if hasattr(first, "keys") and not hasattr(first, "dtype"):
        names = list(first.keys())
        n = len(names)
        if n == 0:
            if any(len(r) for r in rows):
                raise DataJointError("Attempt to insert rows with different fields: every row must have the same attributes.")
            return [], [], len(rows)
        if set(map(len, rows)) != {n}:
            raise DataJointError("Attempt to insert rows with different fields: every row must have the same attributes.")
        getter = itemgetter(*names)
        try:
            tuples = list(map(getter, rows))
        except KeyError as exc:
            raise DataJointError(
                f"Attempt to insert rows with different fields: a row lacks {exc.args[0]!r}, which the first row has."
            ) from None
        columns = split_columns(tuples, n) if n > 1 else [list(tuples)]
        return names, columns, len(rows)
    if hasattr(first, "dtype") and getattr(first.dtype, "names", None):  # numpy.void records
        names = list(first.dtype.names)
        return names, [[r[n] for r in rows] for n in names], len(rows)
    if isinstance(first, (tuple, list)):
        warnings.warn("Inserting positional tuples is deprecated: insert dicts naming each attribute.",
                      DeprecationWarning, stacklevel=4)
        names = heading.names
        lengths = set(map(len, rows))
        if lengths != {len(names)}:
            raise DataJointError(
                f"Incorrect number of attributes: rows have {sorted(lengths)} values; the heading has {len(names)} "
                f"({', '.join(names)})."
            )
        return names, split_columns(rows, len(names)), len(rows)
    raise DataJointError(
        f"Cannot insert rows of type {type(first).__name__}: expected dicts, numpy records, a pandas DataFrame or a query."
    )


def _is_default_index(frame: Any) -> bool:
    idx = frame.index
    return idx.nlevels == 1 and idx.name is None and type(idx).__name__ == "RangeIndex"


# ----------------------------------------------------------------------------- checks
def _check_fields(table: Any, names: list[str], columns: list[list], heading: Heading, ignore_extra: bool):
    kept_names, kept_cols = [], []
    for name, col in zip(names, columns):
        if name in heading:
            kept_names.append(name)
            kept_cols.append(col)
        elif not ignore_extra:
            raise UnknownAttributeError(
                f"`{name}` is not in the table heading of {table.__class__.__name__}; the heading has: "
                f"{', '.join(heading.names)}. Use ignore_extra_fields=True to drop extra fields."
            )
    return kept_names, kept_cols


def _check_required(table: Any, names: list[str], heading: Heading) -> None:
    given = set(names)
    missing = [a.name for a in heading.all_attributes
               if a.name not in given and not a.nullable and a.default is None and not a.autoincrement
               and a.name != "_singleton" and not (a.hidden and a.name.startswith("_job_"))]
    if missing:
        raise MissingAttributeError(
            f"Missing required attribute{'s' if len(missing) > 1 else ''} {', '.join('`%s`' % m for m in missing)} "
            f"for {table.__class__.__name__}: give a value for each (they have no default and are not nullable)."
        )


def _check_not_null(heading: Heading, names: list[str], columns: list[list]) -> None:
    for name, col in zip(names, columns):
        attr = heading[name]
        if not attr.nullable and attr.default is None and has_none(col):
            row = next(i for i, v in enumerate(col) if v is None)
            raise ValidationError(f"Attribute `{name}` cannot be NULL (None or NaN given at row {row}): it has no "
                                  "default and is not nullable, so give it a value.")


def _check_permission(table: Any, allow_direct_insert: bool | None) -> None:
    cls = type(table)
    if cls._allow_insert or allow_direct_insert:
        return
    if any(issubclass(cls, c) or issubclass(c, cls) for c in populating()):
        return
    raise DataJointError(
        f"Inserts into the auto-populated table {cls.__name__} can only be done inside its make method "
        "(call populate()), or pass allow_direct_insert=True."
    )


# ----------------------------------------------------------------------------- insert
def insert_rows(table: Any, rows: Any, *, replace: bool, skip_duplicates: bool, ignore_extra_fields: bool,
                allow_direct_insert: bool | None, chunk_size: int | None) -> None:
    _check_permission(table, allow_direct_insert)
    if table.is_restricted:
        raise DataJointError("Cannot insert into a restricted table: insert into the table class itself.")
    conn = table.connection
    heading = table._state.heading(table.table_name)
    if hasattr(rows, "_node") or (isinstance(rows, type) and hasattr(rows, "_node_for_class")):
        if chunk_size is not None:
            raise DataJointError("chunk_size cannot be used when inserting from a query expression.")
        return _insert_select(table, rows, heading, replace, skip_duplicates, ignore_extra_fields)
    names, columns, n_rows = rows_to_columns(rows, heading)
    if n_rows == 0:
        return
    hidden = [n for n in names if n.startswith("_")]
    if hidden:
        raise UnknownAttributeError(f"`{hidden[0]}` is a hidden platform attribute and cannot be inserted.")
    names, columns = _check_fields(table, names, columns, heading, ignore_extra_fields)
    _check_required(table, names, heading)
    dialect = conn.dialect
    # codec columns are encoded last: they may upload objects, so every cheaper check runs first
    encoded = [None if heading[n].is_codec else column_encoder(heading[n], dialect.name)(col)
               for n, col in zip(names, columns)]
    _check_not_null(heading, names, [col if enc is None else enc for col, enc in zip(columns, encoded)])
    # objects uploaded by codecs are removed again if anything below fails: no row, no object
    with undo_writes_on_error():
        if None in encoded:
            _encode_codec_columns(table, heading, names, columns, encoded, dialect.name)
        statements = []
        for group_names, values in _default_groups(heading, names, encoded, n_rows):
            sql = compile_insert(dialect, table.database, table.table_name, group_names, heading.primary_key,
                                 skip_duplicates=skip_duplicates, replace=replace)
            statements.append((sql, values))
        _execute_insert(conn, statements, chunk_size, table)


def _encode_codec_columns(table: Any, heading: Heading, names: list[str], columns: list[list], encoded: list,
                          dialect: str) -> None:
    """Fill ``encoded`` for the codec columns; each codec sees its row's primary-key values."""
    pk = [(n, col) for n, col in zip(names, columns) if n in heading.primary_key]
    n_rows = len(columns[0])
    keys = [dict(zip([n for n, _ in pk], values)) for values in zip(*(col for _, col in pk))] if pk else [{}] * n_rows
    for i, name in enumerate(names):
        if encoded[i] is None:
            encoder = codec_column_encoder(heading[name], dialect, schema=table.database, table=table.table_name)
            encoded[i] = encoder(columns[i], keys)


def _uses_default(attr: Any) -> bool:
    """None given for this attribute means its declared DEFAULT (not NULL)."""
    return not attr.nullable and attr.default is not None


def _default_groups(heading: Heading, names: list[str], encoded: list[list], n_rows: int):
    """``[(column names, row tuples)]``: rows giving None for a defaulted attribute leave that column out.

    SQL has no parameter meaning DEFAULT, so rows are grouped by which defaulted columns
    they omit; the common case (no such None) is one group with every column.
    """
    defaulted = [i for i, (n, col) in enumerate(zip(names, encoded)) if _uses_default(heading[n]) and None in col]
    if not defaulted:
        return [(names, list(zip(*encoded)) if encoded else [()] * n_rows)]
    groups: dict[tuple[int, ...], list[tuple]] = {}
    for row in zip(*encoded):
        omitted = tuple(i for i in defaulted if row[i] is None)
        groups.setdefault(omitted, []).append(row)
    out = []
    for omitted, rows in groups.items():
        keep = [i for i in range(len(names)) if i not in omitted]
        out.append(([names[i] for i in keep], [tuple(r[i] for i in keep) for r in rows]))
    return out


def _execute_insert(conn: Any, statements: list[tuple[str, list[tuple]]], chunk_size: int | None, table: Any) -> None:
    work = []
    for sql, values in statements:
        step = chunk_size or len(values) or 1
        work += [(sql, values[i:i + step]) for i in range(0, max(len(values), 1), step)]
    try:
        if conn.in_transaction:
            for sql, chunk in work:
                _run(conn, sql, chunk)
        else:
            with conn.transaction:
                for sql, chunk in work:
                    _run(conn, sql, chunk)
    except DuplicateError as exc:
        # the backend's message already suggests skip_duplicates; name the table and the other way out
        raise DuplicateError(
            f"Inserting into {table.__class__.__name__}: {exc} To overwrite the existing rows instead, use replace=True."
        ) from None


def _run(conn: Any, sql: str, chunk: list[tuple]) -> None:
    if len(chunk) == 1 or not chunk[0]:
        for row in chunk:
            conn.query(sql, row)
    else:
        conn.executemany(sql, chunk)


def _insert_select(table, source, heading, replace, skip_duplicates, ignore_extra_fields) -> None:
    expr = source() if isinstance(source, type) else source
    src_names = expr.heading.names
    names = [n for n in src_names if n in heading]
    extra = [n for n in src_names if n not in heading]
    if extra and not ignore_extra_fields:
        raise DataJointError(
            f"The query has attributes not in {table.__class__.__name__}: {', '.join(extra)}. "
            "Project them away or pass ignore_extra_fields=True."
        )
    _check_required(table, names, heading)
    conn = table.connection
    select, params = compile_select(conn.dialect, expr._node, names)
    sql = compile_insert_select(conn.dialect, table.database, table.table_name, names, select, heading.primary_key,
                                skip_duplicates=skip_duplicates, replace=replace)
    conn.query(sql, params)


def insert_dataframe(table: Any, df: Any, index_as_pk: bool | None = None, **kwargs: Any) -> None:
    if not (hasattr(df, "columns") and hasattr(df, "reset_index")):
        raise DataJointError(f"insert_dataframe needs a pandas DataFrame; got {type(df).__name__}.")
    pk = table.primary_key
    index_names = [n for n in df.index.names if n is not None]
    if index_as_pk is None:
        index_as_pk = bool(index_names) and set(index_names) == set(pk)
    elif index_as_pk and set(index_names) != set(pk):
        raise DataJointError(f"index_as_pk=True needs the DataFrame index to be the primary key ({', '.join(pk)}); "
                             f"its index is ({', '.join(map(str, df.index.names))}).")
    frame = df.reset_index() if index_as_pk else df.reset_index(drop=True)
    table.insert(frame, **kwargs)


# ----------------------------------------------------------------------------- update1
def update_row(table: Any, row: dict) -> None:
    if not isinstance(row, dict) and not hasattr(row, "keys"):
        raise DataJointError("update1 takes a dict (attribute -> value) that includes the primary key.")
    if table.is_restricted:
        raise DataJointError("update1 cannot be applied to a restricted table: pass the key in the row instead.")
    heading = table.heading
    for name in row:
        if name not in heading:
            raise DataJointError(f"Attribute `{name}` not found in {table.__class__.__name__}; the heading has: "
                                 f"{', '.join(heading.names)}.")
    missing = [k for k in heading.primary_key if k not in row]
    if missing:
        raise DataJointError(f"update1 needs the full primary key; missing: {', '.join(missing)}.")
    key = {k: row[k] for k in heading.primary_key}
    n = len(table & key)
    if n != 1:
        raise DataJointError(f"update1 must match exactly one row; the key {key} matches {n}.")
    conn = table.connection
    d = conn.dialect.name
    sets = [k for k in row if k not in heading.primary_key]
    if not sets:
        return
    for k in sets:
        attr = heading[k]
        if row[k] is None and not attr.nullable and attr.default is None:
            raise ValidationError(f"Attribute `{k}` is not nullable and has no default: give it a value (None is "
                                  "only allowed for nullable attributes or attributes with a default).")
    # None means DEFAULT; for a nullable attribute that is NULL, bound as a plain parameter
    to_default = [k for k in sets if row[k] is None and not heading[k].nullable]
    to_value = [k for k in sets if k not in to_default]
    with undo_writes_on_error():
        values = [None if row[k] is None else _update_value(table, heading[k], row[k], key, d) for k in to_value]
        keys = [encode_scalar(heading[k], key[k], d) for k in heading.primary_key]
        sql = compile_update(conn.dialect, table.database, table.table_name, to_value, to_default, heading.primary_key,
                             default_sql=[heading[k].default for k in to_default])
        conn.query(sql, values + keys)


def _update_value(table: Any, attr: Any, value: Any, key: dict, dialect: str) -> Any:
    if not attr.is_codec:
        return encode_scalar(attr, value, dialect)
    encoder = codec_column_encoder(attr, dialect, schema=table.database, table=table.table_name)
    return encoder([value], [key])[0]
