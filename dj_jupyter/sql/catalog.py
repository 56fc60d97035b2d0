"""Introspection SQL: what schemas, tables, columns, indexes and foreign keys exist.

Every function returns ``(sql, params)`` ready for ``Connection.query``.  The queries
of the three dialects return the *same columns in the same order*, so the code that
assembles :class:`~dj_jupyter.heading.spec.TableInfo` values
(:mod:`dj_jupyter.backends.catalog`) has no per-dialect branches.  Metadata is read
per schema in a constant number of queries, never one query per table.

SQLite has no schemas: a schema is the name prefix ``schema.`` of the tables in one
database file, its existence is a row of ``"~schemas"``, and comments live in
``"~comments"(schema_name, table_name, column_name, comment)`` where ``table_name``
is the name inside the schema and a table's own comment has ``column_name = ''``.

Result columns
--------------
schemas:      (schema_name,)
tables:       (table_name, comment)
columns:      (table_name, column_name, sql_type, nullable, default, comment,
               key_position (1-based position in the primary key, 0 if not in it), autoincrement)
indexes:      (table_name, index_name, is_unique, column_name), primary keys excluded,
               ordered by table, index and position in the index
foreign keys: (constraint_name, child_schema, child_table, parent_schema, parent_table,
               child_column, parent_column), ordered by child, constraint and position
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from .dialect import Dialect

__all__ = [
    "SYSTEM_SCHEMAS",
    "Statement",
    "list_schemas_sql",
    "schema_exists_sql",
    "tables_sql",
    "columns_sql",
    "indexes_sql",
    "foreign_keys_sql",
    "current_user_sql",
    "ping_sql",
]

Statement = tuple[str, tuple[Any, ...]]

SYSTEM_SCHEMAS: dict[str, tuple[str, ...]] = {
    "mysql": ("information_schema", "mysql", "performance_schema", "sys"),
    "postgresql": ("information_schema", "public"),  # and every pg_* schema
    "sqlite": (),
}


def _in_list(placeholder: str, n: int) -> str:
    return "(" + ", ".join([placeholder] * n) + ")"


def _table_filter(dialect: Dialect, column: str, table: str | None) -> tuple[str, tuple[Any, ...]]:
    if table is None:
        return "", ()
    return f" AND {column} = {dialect.placeholder}", (table,)


def _dispatch(table: dict[str, Callable[..., Statement]], dialect: Dialect, *args: Any) -> Statement:
    return table[dialect.name](dialect, *args)


# ------------------------------------------------------------------ schemas

def _mysql_schemas(d: Dialect) -> Statement:
    names = SYSTEM_SCHEMAS["mysql"]
    return (
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA "
        f"WHERE SCHEMA_NAME NOT IN {_in_list(d.placeholder, len(names))} ORDER BY SCHEMA_NAME",
        names,
    )


def _pg_schemas(d: Dialect) -> Statement:
    names = SYSTEM_SCHEMAS["postgresql"]
    return (
        "SELECT nspname FROM pg_catalog.pg_namespace WHERE left(nspname, 3) <> 'pg_' "
        f"AND nspname NOT IN {_in_list(d.placeholder, len(names))} ORDER BY nspname",
        names,
    )


def _sqlite_schemas(d: Dialect) -> Statement:
    return 'SELECT schema_name FROM "~schemas" ORDER BY schema_name', ()


def list_schemas_sql(dialect: Dialect) -> Statement:
    """Names of user schemas (system schemas excluded)."""
    return _dispatch({"mysql": _mysql_schemas, "postgresql": _pg_schemas, "sqlite": _sqlite_schemas}, dialect)


_SCHEMA_EXISTS = {
    "mysql": "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s",
    "postgresql": "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s",
    "sqlite": 'SELECT 1 FROM "~schemas" WHERE schema_name = ?',
}


def schema_exists_sql(dialect: Dialect, schema: str) -> Statement:
    """One row if the schema exists, none otherwise."""
    return _SCHEMA_EXISTS[dialect.name], (schema,)


# ------------------------------------------------------------------ tables

def _mysql_tables(d: Dialect, schema: str, table: str | None) -> Statement:
    extra, args = _table_filter(d, "TABLE_NAME", table)
    return (
        "SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES "
        f"WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE'{extra}",
        (schema, *args),
    )


def _pg_tables(d: Dialect, schema: str, table: str | None) -> Statement:
    extra, args = _table_filter(d, "c.relname", table)
    return (
        "SELECT c.relname, COALESCE(obj_description(c.oid, 'pg_class'), '') "
        "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE n.nspname = %s AND c.relkind IN ('r', 'p'){extra}",
        (schema, *args),
    )


def _sqlite_prefix(schema: str) -> tuple[str, tuple[Any, ...]]:
    """SQL condition selecting the tables of a schema: names starting with ``schema.``."""
    prefix = schema + "."
    return "m.type = 'table' AND substr(m.name, 1, ?) = ?", (len(prefix), prefix)


def _sqlite_local(schema: str) -> tuple[str, tuple[Any, ...]]:
    """SQL expression for the table name inside the schema."""
    return "substr(m.name, ?)", (len(schema) + 2,)


def _sqlite_table_filter(schema: str, table: str | None) -> tuple[str, tuple[Any, ...]]:
    if table is None:
        return "", ()
    return " AND m.name = ?", (f"{schema}.{table}",)


def _sqlite_tables(d: Dialect, schema: str, table: str | None) -> Statement:
    where, wargs = _sqlite_prefix(schema)
    local, largs = _sqlite_local(schema)
    extra, targs = _sqlite_table_filter(schema, table)
    return (
        f"SELECT {local}, COALESCE(c.comment, '') FROM sqlite_master m "
        f'LEFT JOIN "~comments" c ON c.schema_name = ? AND c.table_name = {local} AND c.column_name = \'\' '
        f"WHERE {where}{extra}",
        (*largs, schema, *largs, *wargs, *targs),
    )


def tables_sql(dialect: Dialect, schema: str, table: str | None = None) -> Statement:
    """All base tables of a schema (service tables included), or just ``table``."""
    return _dispatch({"mysql": _mysql_tables, "postgresql": _pg_tables, "sqlite": _sqlite_tables}, dialect, schema, table)


# ------------------------------------------------------------------ columns

def _mysql_columns(d: Dialect, schema: str, table: str | None) -> Statement:
    extra, args = _table_filter(d, "c.TABLE_NAME", table)
    return (
        "SELECT c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE = 'YES', c.COLUMN_DEFAULT, "
        "c.COLUMN_COMMENT, COALESCE(s.SEQ_IN_INDEX, 0), c.EXTRA LIKE '%%auto_increment%%' "
        "FROM information_schema.COLUMNS c "
        "JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME "
        "AND t.TABLE_TYPE = 'BASE TABLE' "
        "LEFT JOIN information_schema.STATISTICS s ON s.TABLE_SCHEMA = c.TABLE_SCHEMA "
        "AND s.TABLE_NAME = c.TABLE_NAME AND s.COLUMN_NAME = c.COLUMN_NAME AND s.INDEX_NAME = 'PRIMARY' "
        f"WHERE c.TABLE_SCHEMA = %s{extra} ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION",
        (schema, *args),
    )


def _pg_columns(d: Dialect, schema: str, table: str | None) -> Statement:
    extra, args = _table_filter(d, "c.relname", table)
    # enum types are reported qualified so that they can be found whatever the search_path
    return (
        "SELECT c.relname, a.attname, "
        "CASE WHEN t.typtype = 'e' THEN quote_ident(tn.nspname) || '.' || quote_ident(t.typname) "
        "ELSE format_type(a.atttypid, a.atttypmod) END, "
        "NOT a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid), COALESCE(col_description(c.oid, a.attnum), ''), "
        "COALESCE((SELECT k.ord FROM unnest(pk.indkey) WITH ORDINALITY AS k(att, ord) WHERE k.att = a.attnum), 0), "
        "(a.attidentity <> '' OR left(COALESCE(pg_get_expr(ad.adbin, ad.adrelid), ''), 8) = 'nextval(') "
        "FROM pg_catalog.pg_attribute a "
        "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
        "JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace "
        "LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
        "LEFT JOIN pg_catalog.pg_index pk ON pk.indrelid = c.oid AND pk.indisprimary "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
        f"{extra} ORDER BY c.relname, a.attnum",
        (schema, *args),
    )


def _sqlite_columns(d: Dialect, schema: str, table: str | None) -> Statement:
    where, wargs = _sqlite_prefix(schema)
    local, largs = _sqlite_local(schema)
    extra, targs = _sqlite_table_filter(schema, table)
    # sqlite has no AUTOINCREMENT flag per column: it is the INTEGER PRIMARY KEY of a table
    # whose CREATE statement says AUTOINCREMENT.
    return (
        f"SELECT {local}, p.name, lower(p.type), NOT p.\"notnull\", p.dflt_value, COALESCE(c.comment, ''), "
        "p.pk, (p.pk = 1 AND lower(p.type) = 'integer' AND instr(lower(m.sql), 'autoincrement') > 0) "
        "FROM sqlite_master m JOIN pragma_table_info(m.name) p "
        f'LEFT JOIN "~comments" c ON c.schema_name = ? AND c.table_name = {local} AND c.column_name = p.name '
        f"WHERE {where}{extra} ORDER BY m.name, p.cid",
        (*largs, schema, *largs, *wargs, *targs),
    )


def columns_sql(dialect: Dialect, schema: str, table: str | None = None) -> Statement:
    """The columns of every table of a schema (or of ``table``), in declaration order."""
    return _dispatch(
        {"mysql": _mysql_columns, "postgresql": _pg_columns, "sqlite": _sqlite_columns}, dialect, schema, table
    )


# ------------------------------------------------------------------ indexes

def _mysql_indexes(d: Dialect, schema: str, table: str | None) -> Statement:
    extra, args = _table_filter(d, "TABLE_NAME", table)
    return (
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE = 0, COLUMN_NAME FROM information_schema.STATISTICS "
        f"WHERE TABLE_SCHEMA = %s AND INDEX_NAME <> 'PRIMARY'{extra} "
        "ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
        (schema, *args),
    )


def _pg_indexes(d: Dialect, schema: str, table: str | None) -> Statement:
    extra, args = _table_filter(d, "t.relname", table)
    # an expression in an index has no attribute: report its text instead
    return (
        "SELECT t.relname, i.relname, ix.indisunique, "
        "COALESCE(a.attname, pg_get_indexdef(ix.indexrelid, k.n, true)) "
        "FROM pg_catalog.pg_index ix "
        "JOIN pg_catalog.pg_class t ON t.oid = ix.indrelid "
        "JOIN pg_catalog.pg_class i ON i.oid = ix.indexrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace "
        "CROSS JOIN LATERAL generate_series(1, ix.indnkeyatts) AS k(n) "
        "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = ix.indkey[k.n - 1] "
        f"WHERE n.nspname = %s AND t.relkind IN ('r', 'p') AND NOT ix.indisprimary{extra} "
        "ORDER BY t.relname, i.relname, k.n",
        (schema, *args),
    )


def _sqlite_indexes(d: Dialect, schema: str, table: str | None) -> Statement:
    where, wargs = _sqlite_prefix(schema)
    local, largs = _sqlite_local(schema)
    extra, targs = _sqlite_table_filter(schema, table)
    # origin 'pk' is the automatic index sqlite builds for the primary key
    return (
        f"SELECT {local}, il.name, il.\"unique\", COALESCE(ii.name, '<expression>') "
        "FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii "
        f"WHERE {where} AND il.origin <> 'pk'{extra} ORDER BY m.name, il.name, ii.seqno",
        (*largs, *wargs, *targs),
    )


def indexes_sql(dialect: Dialect, schema: str, table: str | None = None) -> Statement:
    """Secondary indexes (not the primary key) of a schema's tables, one row per indexed column."""
    return _dispatch(
        {"mysql": _mysql_indexes, "postgresql": _pg_indexes, "sqlite": _sqlite_indexes}, dialect, schema, table
    )


# ------------------------------------------------------------------ foreign keys

def _mysql_foreign_keys(d: Dialect, schemas: Sequence[str], table: str | None) -> Statement:
    extra, args = _table_filter(d, "TABLE_NAME", table)
    return (
        "SELECT CONSTRAINT_NAME, TABLE_SCHEMA, TABLE_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, "
        "COLUMN_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE "
        f"WHERE REFERENCED_TABLE_NAME IS NOT NULL AND TABLE_SCHEMA IN {_in_list(d.placeholder, len(schemas))}{extra} "
        "ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION",
        (*schemas, *args),
    )


def _pg_foreign_keys(d: Dialect, schemas: Sequence[str], table: str | None) -> Statement:
    extra, args = _table_filter(d, "c.relname", table)
    return (
        "SELECT con.conname, cn.nspname, c.relname, pn.nspname, p.relname, ca.attname, pa.attname "
        "FROM pg_catalog.pg_constraint con "
        "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
        "JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace "
        "JOIN pg_catalog.pg_class p ON p.oid = con.confrelid "
        "JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace "
        "CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(child_att, parent_att, ord) "
        "JOIN pg_catalog.pg_attribute ca ON ca.attrelid = con.conrelid AND ca.attnum = k.child_att "
        "JOIN pg_catalog.pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attnum = k.parent_att "
        f"WHERE con.contype = 'f' AND cn.nspname IN {_in_list(d.placeholder, len(schemas))}{extra} "
        "ORDER BY cn.nspname, c.relname, con.conname, k.ord",
        (*schemas, *args),
    )


def _sqlite_foreign_keys(d: Dialect, schemas: Sequence[str], table: str | None) -> Statement:
    # names are "schema.table": split at the first dot.  A foreign key written without
    # parent columns has "to" NULL; the catalog then assumes the child's column names.
    extra = " AND substr(m.name, instr(m.name, '.') + 1) = ?" if table is not None else ""
    return (
        "SELECT 'fk_' || fk.id, substr(m.name, 1, instr(m.name, '.') - 1), substr(m.name, instr(m.name, '.') + 1), "
        "substr(fk.\"table\", 1, instr(fk.\"table\", '.') - 1), substr(fk.\"table\", instr(fk.\"table\", '.') + 1), "
        "fk.\"from\", fk.\"to\" "
        "FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) fk "
        "WHERE m.type = 'table' AND instr(m.name, '.') > 0 "
        f"AND substr(m.name, 1, instr(m.name, '.') - 1) IN {_in_list('?', len(schemas))}{extra} "
        "ORDER BY m.name, fk.id, fk.seq",
        (*schemas, *((table,) if table is not None else ())),
    )


def foreign_keys_sql(dialect: Dialect, schemas: Sequence[str], table: str | None = None) -> Statement:
    """Foreign keys whose child table is in ``schemas`` (``schemas`` must not be empty)."""
    if not schemas:
        raise ValueError("foreign_keys_sql needs at least one schema name")
    return _dispatch(
        {"mysql": _mysql_foreign_keys, "postgresql": _pg_foreign_keys, "sqlite": _sqlite_foreign_keys},
        dialect,
        tuple(schemas),
        table,
    )


# ------------------------------------------------------------------ session

_CURRENT_USER = {"mysql": "SELECT CURRENT_USER()", "postgresql": "SELECT current_user"}


def current_user_sql(dialect: Dialect) -> Statement | None:
    """The statement returning the session's user, or None (SQLite has no users)."""
    sql = _CURRENT_USER.get(dialect.name)
    return None if sql is None else (sql, ())


def ping_sql(dialect: Dialect) -> Statement:
    """The cheapest statement that needs a round trip to the server."""
    return "SELECT 1", ()

