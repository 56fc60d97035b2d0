"""DDL compilation: :class:`TableSpec` -> SQL statements, per dialect.

Every function returns a list of statements, each to be run in its own driver call (the
PostgreSQL driver would otherwise run several statements per call, and MySQL refuses
them).  All text is driver-ready: ``%`` is doubled for drivers that format parameters
with ``%``, because callers always pass a (possibly empty) parameter tuple.

Layout per dialect
------------------
MySQL/MariaDB
    One ``CREATE TABLE`` laid out as DataJoint 2.x writes it: columns with inline
    comments, ``PRIMARY KEY``, foreign keys, indexes, ``ENGINE=InnoDB, COMMENT '...'``.
PostgreSQL
    enum types (one ``DO`` block each, which ignores an existing type), ``CREATE TABLE``,
    ``COMMENT ON TABLE/COLUMN``, ``CREATE [UNIQUE] INDEX`` for declared indexes and then the
    foreign-key support indexes.  Run them in one transaction: DDL is transactional there.
SQLite
    ``CREATE TABLE "schema.table"``, ``CREATE INDEX``, and one ``INSERT`` into the
    ``"~comments"`` catalog (SQLite has no comments).  Foreign-key support indexes are
    created as on PostgreSQL (SQLite does not index referencing columns by itself).

Existence is the caller's business: ``CREATE TABLE`` and ``CREATE SCHEMA`` fail if the
object exists, so a caller that checked first never silently keeps an old layout.
"""

from __future__ import annotations

import hashlib
import re

from ..errors import DataJointError
from ..heading.spec import ColumnSpec, ForeignKeySpec, TableSpec
from .dialect import Dialect
from .types import check_constraint, column_type, default_sql, enum_type_name

__all__ = [
    "COMMENTS_TABLE",
    "SCHEMAS_TABLE",
    "compile_bootstrap",
    "compile_create_schema",
    "compile_create_table",
    "compile_drop_enum_types",
    "compile_drop_schema",
    "compile_drop_table",
]

COMMENTS_TABLE = "~comments"
SCHEMAS_TABLE = "~schemas"

_FK_ACTIONS = "ON UPDATE CASCADE ON DELETE RESTRICT"
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _q(dialect: Dialect, identifier: str) -> str:
    return dialect.escape_text(dialect.quote(identifier))


def _full(dialect: Dialect, schema: str, table: str) -> str:
    return dialect.escape_text(dialect.full_name(schema, table))


def _columns(dialect: Dialect, names) -> str:
    return ", ".join(_q(dialect, n) for n in names)


# ---------------------------------------------------------------------------------------------
# bootstrap and schemas


def compile_bootstrap(dialect: Dialect) -> list[str]:
    """Statements creating the catalog tables a backend needs before anything else.

    SQLite only: ``"~schemas"`` (one row per schema) and ``"~comments"`` (table and column
    comments; ``column_name = ''`` holds the table comment).  Empty for the servers.
    """
    if dialect.name != "sqlite":
        return []
    return [
        f"CREATE TABLE IF NOT EXISTS {_q(dialect, SCHEMAS_TABLE)} (schema_name TEXT PRIMARY KEY)",
        (
            f"CREATE TABLE IF NOT EXISTS {_q(dialect, COMMENTS_TABLE)} ("
            "schema_name TEXT NOT NULL, table_name TEXT NOT NULL, column_name TEXT NOT NULL, comment TEXT NOT NULL, "
            "PRIMARY KEY (schema_name, table_name, column_name))"
        ),
    ]


def compile_create_schema(dialect: Dialect, schema: str) -> list[str]:
    """Create a schema: a MySQL database, a PostgreSQL schema, a SQLite ``"~schemas"`` row."""
    if dialect.name == "mysql":
        return [f"CREATE DATABASE {_q(dialect, schema)}"]
    if dialect.name == "postgresql":
        return [f"CREATE SCHEMA {_q(dialect, schema)}"]
    return [f"INSERT INTO {_q(dialect, SCHEMAS_TABLE)} (schema_name) VALUES ({dialect.string_literal(schema)})"]


def compile_drop_schema(dialect: Dialect, schema: str, tables: list[str]) -> list[str]:
    """Drop a schema and everything in it.

    Parameters
    ----------
    tables : list of str
        SQLite only (a schema there is a name prefix): the schema's tables, in an order
        that drops children before parents.  Ignored by MySQL and PostgreSQL.
    """
    if dialect.name == "mysql":
        return [f"DROP DATABASE {_q(dialect, schema)}"]
    if dialect.name == "postgresql":
        return [f"DROP SCHEMA {_q(dialect, schema)} CASCADE"]
    where = f"schema_name = {dialect.string_literal(schema)}"
    return [f"DROP TABLE {_full(dialect, schema, t)}" for t in tables] + [
        f"DELETE FROM {_q(dialect, COMMENTS_TABLE)} WHERE {where}",
        f"DELETE FROM {_q(dialect, SCHEMAS_TABLE)} WHERE {where}",
    ]


# ---------------------------------------------------------------------------------------------
# drop table


def compile_drop_table(dialect: Dialect, schema: str, table: str, *, if_exists: bool = False) -> list[str]:
    """Drop one table (and, on SQLite, its rows in ``"~comments"``).

    On PostgreSQL follow with :func:`compile_drop_enum_types` to remove enum types that
    no table uses any more.
    """
    statements = [f"DROP TABLE {'IF EXISTS ' if if_exists else ''}{_full(dialect, schema, table)}"]
    if dialect.name == "sqlite":
        statements.append(
            f"DELETE FROM {_q(dialect, COMMENTS_TABLE)} WHERE schema_name = {dialect.string_literal(schema)} "
            f"AND table_name = {dialect.string_literal(table)}"
        )
    return statements


def compile_drop_enum_types(dialect: Dialect, schema: str) -> list[str]:
    """PostgreSQL: drop the schema's ``enum_*`` types that no column uses (empty elsewhere).

    The check runs on the server, in one ``DO`` block, so it needs no round trip.
    """
    if dialect.name != "postgresql":
        return []
    body = (
        "DECLARE r record; BEGIN "
        "FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        f"WHERE n.nspname = {dialect.string_literal(schema)} AND t.typtype = 'e' "
        f"AND t.typname LIKE {dialect.string_literal('enum_%')} "
        "AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.atttypid = t.oid AND NOT a.attisdropped) "
        f"LOOP EXECUTE format({dialect.string_literal('DROP TYPE %I.%I')}, {dialect.string_literal(schema)}, r.typname); "
        "END LOOP; END"
    )
    return [_do_block(body)]


def _do_block(body: str) -> str:
    # dollar quoting: pick a tag that cannot occur in the body
    tag, i = "$dj$", 0
    while tag in body:
        i += 1
        tag = f"$dj{i}$"
    return f"DO {tag} {body} {tag}"


# ---------------------------------------------------------------------------------------------
# create table


def compile_create_table(dialect: Dialect, spec: TableSpec) -> list[str]:
    """The statements that create a table, in the order they must run.

    Parameters
    ----------
    dialect : Dialect
    spec : TableSpec
        The resolved declaration (foreign keys expanded, hidden columns added).

    Returns
    -------
    list of str
        One SQL statement per item, driver-ready.

    Raises
    ------
    DataJointError
        The table or a column name is too long for the backend, the primary key is empty or
        names a missing column, a foreign key or index names a missing column, a blob or
        json column is in the primary key, or a default does not fit its type.

    Examples
    --------
    >>> from dj_jupyter.sql.dialect import SQLITE
    >>> from dj_jupyter.definition.syntax import TypeSpec
    >>> t = TypeSpec("int32", "core", "int32")
    >>> spec = TableSpec("lab", "mouse", "mice", (ColumnSpec("mouse_id", t, t, in_key=True),), ("mouse_id",))
    >>> compile_create_table(SQLITE, spec)[0]
    'CREATE TABLE "lab.mouse" (\\n  "mouse_id" int NOT NULL CHECK ("mouse_id" BETWEEN -2147483648 AND 2147483647),\\n  PRIMARY KEY ("mouse_id")\\n)'
    """
    _validate(dialect, spec)
    return _COMPILERS[dialect.name](dialect, spec)


def _validate(dialect: Dialect, spec: TableSpec) -> None:
    # the same limit everywhere (MySQL's 64, PostgreSQL's 63) keeps schemas portable between backends
    limit = min(dialect.max_name_length, 64)
    if len(spec.name) > limit:
        raise DataJointError(
            f"Table name {spec.name!r} has {len(spec.name)} characters; {dialect.name} allows at most "
            f"{limit}. Shorten the class name (or the master's name, for a part table)."
        )
    names = [c.name for c in spec.columns]
    for column in spec.columns:
        if len(column.name) > limit:
            raise DataJointError(
                f"Attribute name {column.name!r} of table {spec.name!r} has {len(column.name)} characters; "
                f"at most {limit} are allowed. Choose a shorter name."
            )
    if not spec.primary_key:
        raise DataJointError(f"Table {spec.name!r} has no primary key: expected at least one key column (or _singleton).")
    _require_columns(spec, names, spec.primary_key, "the primary key")
    for fk in spec.foreign_keys:
        _require_columns(spec, names, fk.columns, f"the foreign key to {fk.parent_table!r}")
    for index in spec.indexes:
        _require_columns(spec, names, [i for i in index.items if _PLAIN_NAME.fullmatch(i)], "an index")
    for name in spec.primary_key:
        column = spec.column(name)
        if _is_blob_or_json(column):
            raise DataJointError(
                f"Attribute {name!r} of table {spec.name!r} has type {column.declared.text}: blob and json "
                "attributes are not allowed in the primary key. Move it below the --- line."
            )


def _require_columns(spec: TableSpec, names: list[str], wanted, what: str) -> None:
    missing = [n for n in wanted if n not in names]
    if missing:
        raise DataJointError(
            f"Table {spec.name!r}: {what} names {', '.join(map(repr, missing))}, which "
            f"{'is' if len(missing) == 1 else 'are'} not among its attributes ({', '.join(names)})."
        )


def _is_blob_or_json(column: ColumnSpec) -> bool:
    t = column.type
    if t.kind == "core":
        return t.name in ("json", "bytes")
    return any(w in t.name for w in ("blob", "json", "bytea"))


def _column_sql(dialect: Dialect, spec: TableSpec, column: ColumnSpec) -> str:
    """``"name" type NOT NULL|DEFAULT NULL [DEFAULT x] [CHECK (...)]`` (MySQL adds COMMENT)."""
    parts = [_q(dialect, column.name), column_type(dialect, column.type, schema=spec.schema)]
    nullable = column.nullable or (column.default is not None and column.default.kind == "null")
    default = default_sql(dialect, column.name, column.type, column.default)
    if nullable:
        parts.append("NULL DEFAULT " + default if default else "DEFAULT NULL")
    else:
        parts.append("NOT NULL" + (" DEFAULT " + default if default else ""))
    if dialect.supports_inline_comments and column.stored_comment:
        parts.append("COMMENT " + dialect.string_literal(column.stored_comment))
    check = check_constraint(dialect, column.name, column.type)
    if check:
        parts.append(check)
    return " ".join(parts)


def _foreign_key_sql(dialect: Dialect, fk: ForeignKeySpec) -> str:
    return (
        f"FOREIGN KEY ({_columns(dialect, fk.columns)}) REFERENCES {_full(dialect, fk.parent_schema, fk.parent_table)} "
        f"({_columns(dialect, fk.parent_columns)}) {_FK_ACTIONS}"
    )


def _index_items(dialect: Dialect, items) -> str:
    # plain attribute names are quoted; anything else is an SQL expression in parentheses
    return ", ".join(_q(dialect, i) if _PLAIN_NAME.fullmatch(i) else dialect.escape_text(i) for i in items)


def _table_body(dialect: Dialect, spec: TableSpec, extra: list[str]) -> str:
    lines = [_column_sql(dialect, spec, c) for c in spec.columns]
    lines.append(f"PRIMARY KEY ({_columns(dialect, spec.primary_key)})")
    lines += [_foreign_key_sql(dialect, fk) for fk in spec.foreign_keys]
    lines += extra
    return f"CREATE TABLE {_full(dialect, spec.schema, spec.name)} (\n  " + ",\n  ".join(lines) + "\n)"


# --- MySQL ---


def _compile_mysql(dialect: Dialect, spec: TableSpec) -> list[str]:
    indexes = [
        f"{'UNIQUE INDEX' if ix.unique else 'INDEX'} ({_index_items(dialect, ix.items)})" for ix in spec.indexes
    ]
    body = _table_body(dialect, spec, indexes)
    return [f"{body} ENGINE=InnoDB, COMMENT {dialect.string_literal(spec.comment)}"]


# --- PostgreSQL and SQLite: separate index statements ---


def _index_name(dialect: Dialect, spec: TableSpec, items) -> str:
    words = "_".join(re.sub(r"\W+", "_", i).strip("_") for i in items)
    name = f"idx_{spec.name}_{words}"
    if len(name) > dialect.max_name_length:  # PostgreSQL would truncate silently and collide
        digest = hashlib.md5(name.encode("utf-8")).hexdigest()[:8]
        name = name[: dialect.max_name_length - 9] + "_" + digest
    # SQLite index names share one namespace for the whole file: prefix the schema
    return name if dialect.supports_schemas else f"{spec.schema}.{name}"


def _create_index(dialect: Dialect, spec: TableSpec, items, *, unique: bool) -> str:
    index = _q(dialect, _index_name(dialect, spec, items))
    return (
        f"CREATE {'UNIQUE ' if unique else ''}INDEX {index} ON {_full(dialect, spec.schema, spec.name)} "
        f"({_index_items(dialect, items)})"
    )


def _foreign_key_index_columns(spec: TableSpec) -> list[tuple[str, ...]]:
    """FK column lists needing a supporting index: not a left prefix of the primary key, of a
    declared index, or of a longer FK index already added (longest candidates first)."""
    covering = [tuple(spec.primary_key)] + [tuple(ix.items) for ix in spec.indexes]
    added: list[tuple[str, ...]] = []
    for columns in sorted((tuple(fk.columns) for fk in spec.foreign_keys), key=len, reverse=True):
        if not any(c[: len(columns)] == columns for c in covering + added):
            added.append(columns)
    return added


def _index_statements(dialect: Dialect, spec: TableSpec) -> list[str]:
    declared = [_create_index(dialect, spec, ix.items, unique=ix.unique) for ix in spec.indexes]
    support = [_create_index(dialect, spec, cols, unique=False) for cols in _foreign_key_index_columns(spec)]
    return declared + support


def _enum_statements(dialect: Dialect, spec: TableSpec) -> list[str]:
    statements, seen = [], set()
    for column in spec.columns:
        t = column.type
        if t.kind != "core" or t.name != "enum" or enum_type_name(t.args) in seen:
            continue
        seen.add(enum_type_name(t.args))
        create = f"CREATE TYPE {column_type(dialect, t, schema=spec.schema)} AS ENUM ({', '.join(dialect.string_literal(v) for v in t.args)})"
        statements.append(_do_block(f"BEGIN {create}; EXCEPTION WHEN duplicate_object THEN NULL; END"))
    return statements


def _comment_statements(dialect: Dialect, spec: TableSpec) -> list[str]:
    table = _full(dialect, spec.schema, spec.name)
    statements = []
    if spec.comment:
        statements.append(f"COMMENT ON TABLE {table} IS {dialect.string_literal(spec.comment)}")
    for column in spec.columns:
        if column.stored_comment:
            statements.append(
                f"COMMENT ON COLUMN {table}.{_q(dialect, column.name)} IS {dialect.string_literal(column.stored_comment)}"
            )
    return statements


def _compile_postgresql(dialect: Dialect, spec: TableSpec) -> list[str]:
    return (
        _enum_statements(dialect, spec)
        + [_table_body(dialect, spec, [])]
        + _comment_statements(dialect, spec)
        + _index_statements(dialect, spec)
    )


def _comment_rows(dialect: Dialect, spec: TableSpec) -> str | None:
    rows = [("", spec.comment)] + [(c.name, c.stored_comment) for c in spec.columns]
    values = [
        "(" + ", ".join(dialect.string_literal(v) for v in (spec.schema, spec.name, name, text)) + ")"
        for name, text in rows
        if text
    ]
    if not values:
        return None
    # OR REPLACE: rows left behind by a table dropped outside dj_jupyter must not block this one
    return (
        f"INSERT OR REPLACE INTO {_q(dialect, COMMENTS_TABLE)} (schema_name, table_name, column_name, comment) "
        f"VALUES {', '.join(values)}"
    )


def _compile_sqlite(dialect: Dialect, spec: TableSpec) -> list[str]:
    comments = _comment_rows(dialect, spec)
    return [_table_body(dialect, spec, [])] + _index_statements(dialect, spec) + ([comments] if comments else [])


_COMPILERS = {"mysql": _compile_mysql, "postgresql": _compile_postgresql, "sqlite": _compile_sqlite}
