"""INSERT, UPDATE and DELETE statements, per dialect.  Values are always parameters."""

from __future__ import annotations

from typing import Sequence

from .dialect import Dialect

__all__ = ["compile_insert", "compile_insert_select", "compile_update", "compile_delete"]

# dialects without ``UPDATE ... SET col = DEFAULT``
_NO_SET_DEFAULT = frozenset({"sqlite"})


def _conflict_clause(dialect: Dialect, target: str, columns: Sequence[str], primary_key: Sequence[str], *,
                     skip_duplicates: bool, replace: bool) -> str:
    q = dialect.quote
    if dialect.name == "mysql":
        if skip_duplicates and primary_key:
            # qualified: in INSERT ... SELECT a bare name could also mean the SELECT's column
            k = f"{target}.{q(primary_key[0])}"
            return f" ON DUPLICATE KEY UPDATE {k}={k}"
        return ""
    if not primary_key:
        return ""
    conflict = "(" + ", ".join(q(k) for k in primary_key) + ")"
    if replace:
        others = [c for c in columns if c not in primary_key]
        if not others:
            return f" ON CONFLICT {conflict} DO NOTHING"
        sets = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in others)
        return f" ON CONFLICT {conflict} DO UPDATE SET {sets}"
    if skip_duplicates:
        return f" ON CONFLICT {conflict} DO NOTHING"
    return ""


def compile_insert(dialect: Dialect, schema: str, table: str, columns: Sequence[str], primary_key: Sequence[str], *,
                   skip_duplicates: bool = False, replace: bool = False) -> str:
    """``INSERT INTO t (cols) VALUES (placeholders)`` for ``executemany``; empty ``columns`` inserts defaults."""
    q = dialect.quote
    verb = "REPLACE" if (replace and dialect.name == "mysql") else "INSERT"
    target = dialect.full_name(schema, table)
    if not columns:
        values = " () VALUES ()" if dialect.name == "mysql" else " DEFAULT VALUES"
        return f"{verb} INTO {target}{values}"
    cols = ", ".join(q(c) for c in columns)
    clause = _conflict_clause(dialect, target, columns, primary_key, skip_duplicates=skip_duplicates, replace=replace)
    return f"{verb} INTO {target} ({cols}) VALUES ({dialect.placeholders(len(columns))}){clause}"


def compile_insert_select(dialect: Dialect, schema: str, table: str, columns: Sequence[str], select_sql: str,
                          primary_key: Sequence[str], *, skip_duplicates: bool = False, replace: bool = False) -> str:
    """``INSERT INTO t (cols) SELECT ...``: rows copied inside the server."""
    q = dialect.quote
    verb = "REPLACE" if (replace and dialect.name == "mysql") else "INSERT"
    cols = ", ".join(q(c) for c in columns)
    target = dialect.full_name(schema, table)
    clause = _conflict_clause(dialect, target, columns, primary_key, skip_duplicates=skip_duplicates, replace=replace)
    if clause and dialect.name == "sqlite":
        # SQLite needs a WHERE in INSERT ... SELECT ... ON CONFLICT to parse the upsert unambiguously
        select_sql = f"SELECT * FROM ({select_sql}) WHERE TRUE"
    return f"{verb} INTO {target} ({cols}) {select_sql}{clause}"


def compile_update(dialect: Dialect, schema: str, table: str, set_columns: Sequence[str],
                   default_columns: Sequence[str], key_columns: Sequence[str], *,
                   default_sql: Sequence[str] | None = None) -> str:
    """``UPDATE t SET a=?, b=DEFAULT WHERE k1=? AND k2=?`` (parameters: set values, then key values).

    SQLite has no ``SET b = DEFAULT``: there the declared default expressions
    ``default_sql`` (from the catalog, one per default column) are written instead.
    """
    q = dialect.quote
    if dialect.name in _NO_SET_DEFAULT:
        if default_sql is None or len(default_sql) != len(default_columns):
            raise ValueError("compile_update needs default_sql for each default column on " + dialect.name)
        defaults = [f"{q(c)} = {expr}" for c, expr in zip(default_columns, default_sql)]
    else:
        defaults = [f"{q(c)} = DEFAULT" for c in default_columns]
    sets = [f"{q(c)} = {dialect.placeholder}" for c in set_columns] + defaults
    where = " AND ".join(f"{q(k)} = {dialect.placeholder}" for k in key_columns) or "TRUE"
    return f"UPDATE {dialect.full_name(schema, table)} SET {', '.join(sets)} WHERE {where}"


def compile_delete(dialect: Dialect, schema: str, table: str, where_sql: str | None) -> str:
    """``DELETE FROM t [WHERE ...]``; ``where_sql`` comes from the condition compiler."""
    sql = f"DELETE FROM {dialect.full_name(schema, table)}"
    if where_sql and where_sql != "TRUE":
        sql += f" WHERE {where_sql}"
    return sql
