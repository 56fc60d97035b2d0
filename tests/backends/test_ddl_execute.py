"""Run the compiled DDL on real servers with the raw drivers.

MariaDB: ``SHOW CREATE TABLE`` of every table must equal what DataJoint 2.3.5 writes
(/work/shared/spec/reference-ddl-mariadb.sql).  All three backends: the foreign keys and
the CHECK constraints refuse bad rows.  Everything lives in ``djtest_ddl`` (a database, a
schema, or a name prefix in a temporary SQLite file) and is dropped afterwards.

Outside CI an unreachable server skips its tests; with ``CI=true`` it fails them.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from dj_jupyter.sql.ddl import (
    compile_bootstrap,
    compile_create_schema,
    compile_create_table,
    compile_drop_enum_types,
    compile_drop_schema,
    compile_drop_table,
)
from dj_jupyter.heading.spec import IndexSpec
from dj_jupyter.sql.dialect import MYSQL, POSTGRESQL, SQLITE, Dialect
from dj_jupyter.sql.types import enum_type_name
from tests.unit.ddl_reference_specs import REFERENCE_TABLE_NAMES, SCHEMA, reference_tables

REFERENCE_FILE = Path("/work/shared/spec/reference-ddl-mariadb.sql")
UUID_A = bytes(range(16))


def _unreachable(what: str, error: Exception):
    message = f"{what} is not reachable ({type(error).__name__}: {error})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + "; in CI every backend must be up")
    pytest.skip(message + "; start it (see /work/shared/recipes.md) to run these tests")


@dataclass
class Raw:
    """A raw driver connection, as the backends will use it: one statement per call, params always passed."""

    dialect: Dialect
    conn: object
    refused: tuple  # driver exceptions meaning "constraint violated"
    missing: tuple  # driver exceptions meaning "no such table"

    def run(self, sql: str, params: tuple = ()) -> None:
        if self.dialect is SQLITE:
            self.conn.execute(sql, params)
        else:
            with self.conn.cursor() as cursor:
                cursor.execute(sql, params)

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.dialect is SQLITE:
            return [tuple(r) for r in self.conn.execute(sql, params).fetchall()]
        with self.conn.cursor() as cursor:
            cursor.execute(sql, params)
            return [tuple(r) for r in cursor.fetchall()]

    def table(self, name: str) -> str:
        return self.dialect.escape_text(self.dialect.full_name(SCHEMA, name))


def _mysql() -> Raw:
    pymysql = pytest.importorskip("pymysql")
    try:
        conn = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", autocommit=True)
    except pymysql.err.OperationalError as error:
        _unreachable("MariaDB at 127.0.0.1:3306", error)
    raw = Raw(MYSQL, conn, (pymysql.err.IntegrityError, pymysql.err.DataError), (pymysql.err.ProgrammingError,))
    raw.run(f"DROP DATABASE IF EXISTS {MYSQL.quote(SCHEMA)}")  # our own leftovers only (djtest_ prefix)
    return raw


def _postgres() -> Raw:
    psycopg = pytest.importorskip("psycopg")
    try:
        conn = psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True)
    except psycopg.OperationalError as error:
        _unreachable("PostgreSQL at 127.0.0.1:5432", error)
    raw = Raw(POSTGRESQL, conn, (psycopg.IntegrityError,), (psycopg.errors.UndefinedTable,))
    raw.run(f"DROP SCHEMA IF EXISTS {POSTGRESQL.quote(SCHEMA)} CASCADE")
    return raw


def _sqlite(path: Path) -> Raw:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    raw = Raw(SQLITE, conn, (sqlite3.IntegrityError,), (sqlite3.OperationalError,))
    for statement in compile_bootstrap(SQLITE):
        raw.run(statement)
    return raw


@pytest.fixture(scope="module", params=["mysql", "postgresql", "sqlite"])
def db(request, tmp_path_factory):
    """A backend with every reference table created in ``djtest_ddl``."""
    if request.param == "mysql":
        raw = _mysql()
    elif request.param == "postgresql":
        raw = _postgres()
    else:
        raw = _sqlite(tmp_path_factory.mktemp("ddl") / "ddl.db")
    tables = reference_tables()
    try:
        for statement in compile_create_schema(raw.dialect, SCHEMA):
            raw.run(statement)
        for spec in tables:
            for statement in compile_create_table(raw.dialect, spec):
                raw.run(statement)
        yield raw
    finally:
        for statement in compile_drop_schema(raw.dialect, SCHEMA, [t.name for t in reversed(tables)]):
            raw.run(statement)
        raw.conn.close()


def _reference_blocks() -> dict[str, str]:
    text = REFERENCE_FILE.read_text()
    blocks = re.findall(r"^-- table `([^`]+)`\n(CREATE TABLE .*?;)$", text, flags=re.MULTILINE | re.DOTALL)
    return {name: body[:-1] for name, body in blocks}


# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("db", ["mysql"], indirect=True)
@pytest.mark.parametrize("table", REFERENCE_TABLE_NAMES)
def test_mariadb_layout_matches_datajoint(db, table):
    expected = _reference_blocks()[table]
    (_, created), = db.rows(f"SHOW CREATE TABLE {db.table(table)}")
    assert created == expected


def test_reference_file_covers_every_table():
    assert sorted(_reference_blocks()) == sorted(REFERENCE_TABLE_NAMES)


def _insert_species(db, species_id=1):
    db.run(f"INSERT INTO {db.table('#species')} (species_id, name) VALUES ({db.dialect.placeholders(2)})", (species_id, "mouse"))


def _insert_subject(db, subject_id, species_id):
    sql = (
        f"INSERT INTO {db.table('subject')} (subject_id, species_id, sex, dob, weight_g) "
        f"VALUES ({db.dialect.placeholders(5)})"
    )
    db.run(sql, (subject_id, species_id, "F", "2024-01-02", "20.5"))


def test_foreign_key_refuses_orphans_and_restricts_delete(db):
    _insert_species(db, 7)
    _insert_subject(db, 70, 7)
    with pytest.raises(db.refused):
        _insert_subject(db, 71, 999)  # no such species
    with pytest.raises(db.refused):
        db.run(f"DELETE FROM {db.table('#species')} WHERE species_id = {db.dialect.placeholder}", (7,))
    # ON UPDATE CASCADE carries a changed parent key into the child
    db.run(f"UPDATE {db.table('#species')} SET species_id = 8 WHERE species_id = 7")
    assert db.rows(f"SELECT species_id FROM {db.table('subject')} WHERE subject_id = 70") == [(8,)]
    db.run(f"DELETE FROM {db.table('subject')}")
    db.run(f"DELETE FROM {db.table('#species')}")


def test_defaults_fill_missing_values(db):
    _insert_species(db, 3)
    _insert_subject(db, 30, 3)
    assert db.rows(f"SELECT notes FROM {db.table('subject')} WHERE subject_id = 30") == [("",)]
    assert db.rows(f"SELECT latin FROM {db.table('#species')} WHERE species_id = 3") == [(None,)]
    db.run(f"DELETE FROM {db.table('subject')}")
    db.run(f"DELETE FROM {db.table('#species')}")


def _insert_uints(db, u8, u16, u32, u64):
    sql = f"INSERT INTO {db.table('uint_zoo')} (u8, u16, u32, u64) VALUES ({db.dialect.placeholders(4)})"
    db.run(sql, (u8, u16, u32, u64))


@pytest.mark.parametrize(
    "values",
    [(256, 0, 0, 0), (-1, 0, 0, 0), (1, 65536, 0, 0), (2, -1, 0, 0), (3, 0, 2**32, 0), (4, 0, -1, 0), (5, 0, 0, -1)],
    ids=["u8-high", "u8-neg", "u16-high", "u16-neg", "u32-high", "u32-neg", "u64-neg"],
)
def test_unsigned_ranges_refuse_bad_values(db, values):
    with pytest.raises(db.refused):
        _insert_uints(db, *values)
    assert db.rows(f"SELECT count(*) FROM {db.table('uint_zoo')}") == [(0,)]


def test_unsigned_ranges_accept_limits(db):
    u64_max = 2**63 - 1 if db.dialect is SQLITE else 2**64 - 1  # SQLite integers are 64-bit signed
    _insert_uints(db, 255, 65535, 2**32 - 1, u64_max)
    rows = db.rows(f"SELECT u8, u16, u32, u64, flag, label FROM {db.table('uint_zoo')}")
    assert [tuple(int(v) if i < 5 else v for i, v in enumerate(r)) for r in rows] == [
        (255, 65535, 2**32 - 1, u64_max, 1, "50%")
    ]
    db.run(f"DELETE FROM {db.table('uint_zoo')}")


def test_enum_refuses_unknown_value(db):
    _insert_species(db, 4)
    with pytest.raises(db.refused + _data_errors(db)):
        sql = (
            f"INSERT INTO {db.table('subject')} (subject_id, species_id, sex, dob, weight_g) "
            f"VALUES ({db.dialect.placeholders(5)})"
        )
        db.run(sql, (40, 4, "X", "2024-01-02", "1"))
    db.run(f"DELETE FROM {db.table('#species')}")


def _data_errors(db) -> tuple:
    if db.dialect is POSTGRESQL:
        import psycopg

        return (psycopg.DataError,)  # invalid input value for enum
    return ()


def test_comments_with_percent_survive(db):
    if db.dialect is MYSQL:
        rows = db.rows(
            "SELECT table_comment FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (SCHEMA, "uint_zoo"),
        )
        column = db.rows(
            "SELECT column_comment FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s AND column_name = 'u8'",
            (SCHEMA, "uint_zoo"),
        )
    elif db.dialect is POSTGRESQL:
        rows = db.rows("SELECT obj_description(%s::regclass, 'pg_class')", (f'"{SCHEMA}"."uint_zoo"',))
        column = db.rows("SELECT col_description(%s::regclass, 1)", (f'"{SCHEMA}"."uint_zoo"',))
    else:
        where = "schema_name = ? AND table_name = ? AND column_name = ?"
        rows = db.rows(f'SELECT comment FROM "~comments" WHERE {where}', (SCHEMA, "uint_zoo", ""))
        column = db.rows(f'SELECT comment FROM "~comments" WHERE {where}', (SCHEMA, "uint_zoo", "u8"))
    assert rows == [("unsigned types; 100% dj_jupyter",)]
    assert column == [(":uint8:rate in %",)]


@pytest.mark.parametrize("db", ["postgresql", "sqlite"], indirect=True)  # MySQL indexes foreign keys itself
def test_foreign_key_support_indexes(db):
    if db.dialect is POSTGRESQL:
        sql = "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = %s ORDER BY indexname"
        names = [r[0] for r in db.rows(sql, (SCHEMA, "session"))]
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name"
        names = [r[0].split(".", 1)[1] for r in db.rows(sql, (f"{SCHEMA}.session",))]
    assert [n for n in names if n.startswith("idx_")] == [
        "idx_session_device_id",
        "idx_session_experimenter",
        "idx_session_session_start",
    ]


def test_drop_table_and_unused_enum_types(db):
    # create a throwaway table that shares subject's enum value set, then drop it
    extra = [t for t in reference_tables() if t.name == "pairing"][0]
    extra = type(extra)(extra.schema, "pairing_copy", "", extra.columns, extra.primary_key, extra.foreign_keys)
    for statement in compile_create_table(db.dialect, extra):
        db.run(statement)
    for statement in compile_drop_table(db.dialect, SCHEMA, "pairing_copy") + compile_drop_enum_types(db.dialect, SCHEMA):
        db.run(statement)
    if db.dialect is POSTGRESQL:
        types = {r[0] for r in db.rows(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = %s AND t.typtype = 'e'", (SCHEMA,)
        )}  # fmt: skip
        # still used by pairing, subject and the jobs table: nothing dropped
        assert enum_type_name(("sibling", "cagemate")) in types
        assert enum_type_name(("F", "M", "U")) in types
    if db.dialect is SQLITE:
        left = db.rows('SELECT count(*) FROM "~comments" WHERE table_name = ?', ("pairing_copy",))
        assert left == [(0,)]
    with pytest.raises(db.missing):
        db.rows(f"SELECT * FROM {db.table('pairing_copy')}")


def test_postgres_enum_type_dropped_when_unused():
    raw = _postgres()
    schema = "djtest_ddl_enum"  # not SCHEMA: the module fixture may hold it right now
    raw.run(f"DROP SCHEMA IF EXISTS {POSTGRESQL.quote(schema)} CASCADE")
    spec = [t for t in reference_tables() if t.name == "pairing"][0]
    lone = type(spec)(schema, "lonely", "", spec.columns[2:], ("relation",))
    try:
        for statement in compile_create_schema(POSTGRESQL, schema) + compile_create_table(POSTGRESQL, lone):
            raw.run(statement)
        type_query = "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = %s AND t.typname = %s"
        name = enum_type_name(("sibling", "cagemate"))
        assert raw.rows(type_query, (schema, name)) == [(1,)]
        for statement in compile_drop_table(POSTGRESQL, schema, "lonely") + compile_drop_enum_types(POSTGRESQL, schema):
            raw.run(statement)
        assert raw.rows(type_query, (schema, name)) == [(0,)]
    finally:
        for statement in compile_drop_schema(POSTGRESQL, schema, []):
            raw.run(statement)
        raw.conn.close()


def test_postgres_failed_declaration_leaves_nothing_behind():
    """Run in one transaction, a failing statement rolls back the table and its enum type too."""
    import psycopg

    raw = _postgres()
    schema = "djtest_ddl_atomic"
    raw.run(f"DROP SCHEMA IF EXISTS {POSTGRESQL.quote(schema)} CASCADE")
    spec = [t for t in reference_tables() if t.name == "pairing"][0]
    broken = type(spec)(schema, "broken", "", spec.columns[2:], ("relation",), (), (IndexSpec(("(no_such_column)",)),))
    statements = compile_create_table(POSTGRESQL, broken)
    name = enum_type_name(("sibling", "cagemate"))
    try:
        for statement in compile_create_schema(POSTGRESQL, schema):
            raw.run(statement)
        with pytest.raises(psycopg.errors.UndefinedColumn):
            with raw.conn.transaction():
                for statement in statements:
                    raw.run(statement)
        assert raw.rows("SELECT count(*) FROM pg_tables WHERE schemaname = %s", (schema,)) == [(0,)]
        assert raw.rows("SELECT count(*) FROM pg_type WHERE typname = %s AND typnamespace = %s::regnamespace",
                        (name, schema)) == [(0,)]  # fmt: skip
    finally:
        for statement in compile_drop_schema(POSTGRESQL, schema, []):
            raw.run(statement)
        raw.conn.close()
