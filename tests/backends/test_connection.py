"""Connection contract on every backend: transactions, threads, lost connections,
error translation, credentials never shown, and the catalog read back from raw DDL."""

from __future__ import annotations

import multiprocessing
import sys
import threading

import pytest

from dj_jupyter.connection import Connection
from dj_jupyter.errors import (
    ConnectionFailedError,
    DataJointError,
    DuplicateError,
    IntegrityError,
    LostConnectionError,
    MissingAttributeError,
    MissingTableError,
    QuerySyntaxError,
    UnknownAttributeError,
)
from dj_jupyter.heading.spec import ForeignKeyInfo, IndexInfo
from dj_jupyter.sql.ddl import compile_create_schema

from tests.backends.conftest import SERVERS, drop_schema, fresh_schema_name, make_connection, require_backend

WRONG_PASSWORD = "Wr0ng-pa55word-7f3a"

INT_TYPE = {"sqlite": "int", "mysql": "int", "postgresql": "integer"}
VARCHAR_20 = {"sqlite": "varchar(20)", "mysql": "varchar(20)", "postgresql": "character varying(20)"}


# ---------------------------------------------------------------- raw DDL helpers

def _t(c: Connection, schema: str, table: str) -> str:
    return c.dialect.escape_text(c.dialect.full_name(schema, table))


def _index_name(c: Connection, schema: str, name: str) -> str:
    # sqlite index names are global to the file: prefix them like tables
    return c.dialect.quote(f"{schema}.{name}" if c.backend == "sqlite" else name)


def _set_comment(c: Connection, schema: str, table: str, column: str | None, text: str) -> None:
    """Comment a table (column None) or a column the way each backend stores comments."""
    if c.backend == "sqlite":
        c.query(
            'INSERT INTO "~comments" (schema_name, table_name, column_name, comment) VALUES (?, ?, ?, ?)',
            (schema, table, column or "", text),
        )
    elif c.backend == "postgresql":
        target = _t(c, schema, table) + ("" if column is None else "." + c.dialect.quote(column))
        # utility statements take no bound parameters on PostgreSQL: a quoted literal
        c.query(f"COMMENT ON {'TABLE' if column is None else 'COLUMN'} {target} IS {c.dialect.string_literal(text)}")
    # MySQL comments are written inline in CREATE TABLE


def create_parent_child(c: Connection, schema: str) -> None:
    """``parent(id PK, name unique)`` and ``child(id -> parent, k, note)`` plus a service table."""
    for sql in compile_create_schema(c.dialect, schema):
        c.query(sql)
    mysql = c.backend == "mysql"
    cmt = (lambda text: f" COMMENT '{text}'") if mysql else (lambda text: "")
    parent, child = _t(c, schema, "parent"), _t(c, schema, "child")
    c.query(
        f"CREATE TABLE {parent} (id INT NOT NULL{cmt(':int32:parent id')}, "
        f"name VARCHAR(20) NOT NULL{cmt(':varchar(20):')}, PRIMARY KEY (id)){cmt('the parents') if mysql else ''}"
    )
    c.query(
        f"CREATE TABLE {child} (k INT NOT NULL, id INT NOT NULL, note VARCHAR(20) DEFAULT NULL, "
        f"PRIMARY KEY (id, k), FOREIGN KEY (id) REFERENCES {parent} (id))"
    )
    c.query(f"CREATE UNIQUE INDEX {_index_name(c, schema, 'name_unique')} ON {parent} (name)")
    c.query(f"CREATE INDEX {_index_name(c, schema, 'note_k')} ON {child} (note, k)")
    c.query(f"CREATE TABLE {_t(c, schema, '~lineage')} (table_name VARCHAR(64) NOT NULL, PRIMARY KEY (table_name))")
    _set_comment(c, schema, "parent", None, "the parents")
    _set_comment(c, schema, "parent", "id", ":int32:parent id")
    _set_comment(c, schema, "parent", "name", ":varchar(20):")


def count(c: Connection, table: str) -> int:
    return c.query(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


@pytest.fixture
def tables(connection, schema_name):
    create_parent_child(connection, schema_name)
    return _t(connection, schema_name, "parent"), _t(connection, schema_name, "child")


def insert_parent(c: Connection, parent: str, pid: int, name: str) -> None:
    c.query(f"INSERT INTO {parent} (id, name) VALUES ({c.dialect.placeholders(2)})", (pid, name))


# ---------------------------------------------------------------- basics

def test_query_returns_cursor_and_dicts(connection, tables):
    parent, _ = tables
    insert_parent(connection, parent, 1, "ann")
    assert connection.query(f"SELECT id, name FROM {parent}").fetchall()[0] == (1, "ann")
    assert connection.query(f"SELECT id, name FROM {parent}", as_dict=True).fetchall() == [{"id": 1, "name": "ann"}]


def test_percent_is_escaped_in_driver_ready_sql(connection):
    sql = connection.dialect.escape_text("SELECT '100%'")
    assert connection.query(sql).fetchone()[0] == "100%"


def test_one_statement_per_call(connection):
    with pytest.raises(QuerySyntaxError):
        connection.query("SELECT 1; SELECT 2")
    assert connection.query("SELECT 3").fetchone()[0] == 3  # still usable


def test_executemany_counts_rows(connection, tables):
    parent, _ = tables
    rows = [(i, f"n{i}") for i in range(1000)]
    n = connection.executemany(f"INSERT INTO {parent} (id, name) VALUES ({connection.dialect.placeholders(2)})", rows)
    assert n == 1000
    assert count(connection, parent) == 1000
    with pytest.raises(DuplicateError):
        connection.executemany(f"INSERT INTO {parent} (id, name) VALUES ({connection.dialect.placeholders(2)})", rows[:2])


def test_repr_shows_backend_and_user(connection, backend_name):
    text = repr(connection)
    assert backend_name in text and text == str(connection)
    if backend_name != "sqlite":
        assert SERVERS[backend_name]["user"] in text and "127.0.0.1" in text


def test_get_user_and_ping(connection, backend_name):
    user = connection.get_user()
    if backend_name != "sqlite":
        assert user.split("@")[0] == SERVERS[backend_name]["user"]
    assert connection.ping() is True
    assert connection.is_connected


def test_close_then_query_reopens(connection):
    first = connection.connection_id
    connection.close()
    assert not connection.is_connected
    assert connection.query("SELECT 1").fetchone()[0] == 1
    assert connection.connection_id != first


def test_context_manager_closes(backend_name, tmp_path):
    with make_connection(backend_name, tmp_path) as c:
        assert c.is_connected
    assert not c.is_connected


# ---------------------------------------------------------------- transactions

def test_commit_and_rollback(connection, tables):
    parent, _ = tables
    connection.start_transaction()
    assert connection.in_transaction
    insert_parent(connection, parent, 1, "kept")
    connection.commit_transaction()
    assert not connection.in_transaction
    connection.start_transaction()
    insert_parent(connection, parent, 2, "dropped")
    connection.cancel_transaction()
    assert [r[0] for r in connection.query(f"SELECT name FROM {parent}").fetchall()] == ["kept"]


def test_transaction_context_manager(connection, tables):
    parent, _ = tables
    with connection.transaction as tx:
        assert tx is connection and connection.in_transaction
        insert_parent(connection, parent, 1, "a")
    assert not connection.in_transaction
    with pytest.raises(ZeroDivisionError):
        with connection.transaction:
            insert_parent(connection, parent, 2, "b")
            1 / 0
    assert not connection.in_transaction
    assert count(connection, parent) == 1


def test_nested_transaction_is_refused(connection):
    with connection.transaction:
        with pytest.raises(DataJointError, match="Nested transactions are not supported"):
            connection.start_transaction()
        with pytest.raises(DataJointError, match="Nested"):
            with connection.transaction:
                pass
        assert connection.in_transaction  # the outer one is still open
    assert not connection.in_transaction


# ---------------------------------------------------------------- threads and processes

def test_threads_get_their_own_connections(connection, tables):
    parent, _ = tables
    ids, seen_before_commit = {}, []
    inserted, checked = threading.Event(), threading.Event()

    def writer():
        ids["worker"] = connection.connection_id
        with connection.transaction:
            insert_parent(connection, parent, 7, "from thread")
            inserted.set()
            checked.wait(10)

    worker = threading.Thread(target=writer)
    worker.start()
    assert inserted.wait(10)
    assert not connection.in_transaction  # the transaction belongs to the worker thread
    seen_before_commit.append(count(connection, parent))
    checked.set()
    worker.join(10)
    assert ids["worker"] != connection.connection_id
    assert seen_before_commit == [0]
    assert count(connection, parent) == 1


def _child_report(connection: Connection, queue) -> None:
    queue.put((connection.connection_id, connection.query("SELECT 1").fetchone()[0]))


@pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX only")
def test_forked_child_opens_its_own_connection(connection):
    parent_id = connection.connection_id
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_report, args=(connection, queue))
    child.start()
    child_id, one = queue.get(timeout=30)
    child.join(30)
    assert child.exitcode == 0 and one == 1
    assert child_id != parent_id
    # the child did not close or reuse the parent's session
    assert connection.query("SELECT 2").fetchone()[0] == 2
    assert connection.connection_id == parent_id


# ---------------------------------------------------------------- lost connections

def _kill(backend: str, victim_id: int, tmp_path) -> None:
    with make_connection(backend, tmp_path) as killer:
        if backend == "mysql":
            killer.query("KILL %s", (victim_id,))
        else:
            killer.query("SELECT pg_terminate_backend(%s)", (victim_id,))


SERVER_BACKENDS = ("mysql", "postgresql")


@pytest.mark.parametrize("backend", SERVER_BACKENDS)
def test_lost_connection_outside_transaction_reconnects(backend, tmp_path):
    require_backend(backend)
    with make_connection(backend, tmp_path) as c:
        victim = c.connection_id
        _kill(backend, victim, tmp_path)
        assert c.query("SELECT 5").fetchone()[0] == 5
        assert c.connection_id != victim


@pytest.mark.parametrize("backend", SERVER_BACKENDS)
def test_lost_connection_inside_transaction_raises(backend, tmp_path):
    require_backend(backend)
    with make_connection(backend, tmp_path) as c:
        c.start_transaction()
        _kill(backend, c.connection_id, tmp_path)
        with pytest.raises(LostConnectionError):
            c.query("SELECT 5")
        assert not c.in_transaction
        assert c.query("SELECT 6").fetchone()[0] == 6  # between transactions: reconnects


@pytest.mark.parametrize("backend", SERVER_BACKENDS)
def test_lost_connection_without_reconnect_raises(backend, tmp_path):
    require_backend(backend)
    with make_connection(backend, tmp_path, reconnect=False) as c:
        _kill(backend, c.connection_id, tmp_path)
        with pytest.raises(LostConnectionError):
            c.query("SELECT 5")


@pytest.mark.parametrize("backend", SERVER_BACKENDS)
def test_transaction_context_after_lost_connection(backend, tmp_path):
    require_backend(backend)
    with make_connection(backend, tmp_path) as c:
        with pytest.raises(LostConnectionError):
            with c.transaction:
                _kill(backend, c.connection_id, tmp_path)
                c.query("SELECT 1")
        assert not c.in_transaction


# ---------------------------------------------------------------- error translation

def test_duplicate_key(connection, tables):
    parent, _ = tables
    insert_parent(connection, parent, 1, "a")
    with pytest.raises(DuplicateError, match="skip_duplicates=True"):
        insert_parent(connection, parent, 1, "b")


def test_unique_index_violation_is_duplicate(connection, tables):
    parent, _ = tables
    insert_parent(connection, parent, 1, "a")
    with pytest.raises(DuplicateError):
        insert_parent(connection, parent, 2, "a")


def test_foreign_key_violation(connection, tables):
    parent, child = tables
    with pytest.raises(IntegrityError):
        connection.query(f"INSERT INTO {child} (id, k) VALUES ({connection.dialect.placeholders(2)})", (99, 1))
    insert_parent(connection, parent, 1, "a")
    connection.query(f"INSERT INTO {child} (id, k) VALUES ({connection.dialect.placeholders(2)})", (1, 1))
    with pytest.raises(IntegrityError):
        connection.query(f"DELETE FROM {parent}")


def test_not_null_violation(connection, tables):
    parent, _ = tables
    with pytest.raises(MissingAttributeError):
        connection.query(f"INSERT INTO {parent} (id, name) VALUES ({connection.dialect.placeholders(2)})", (1, None))


def test_syntax_error_shows_the_sql(connection):
    sql = "SELEC 1 FROM nowhere_at_all"
    with pytest.raises(QuerySyntaxError) as info:
        connection.query(sql)
    assert sql in str(info.value)


def test_unknown_table(connection, schema_name):
    for sql in compile_create_schema(connection.dialect, schema_name):
        connection.query(sql)
    with pytest.raises(MissingTableError):
        connection.query(f"SELECT * FROM {_t(connection, schema_name, 'no_such_table')}")


def test_unknown_column(connection, tables):
    parent, _ = tables
    with pytest.raises(UnknownAttributeError) as info:
        connection.query(f"SELECT no_such_column FROM {parent}")
    assert "no_such_column" in str(info.value)


def test_errors_inside_transaction_leave_it_usable_for_rollback(connection, tables):
    parent, _ = tables
    with pytest.raises(DuplicateError):
        with connection.transaction:
            insert_parent(connection, parent, 1, "a")
            insert_parent(connection, parent, 1, "a")
    assert count(connection, parent) == 0


# ---------------------------------------------------------------- connecting

@pytest.mark.parametrize("backend", SERVER_BACKENDS)
def test_wrong_credentials_never_show_the_password(backend):
    require_backend(backend)
    # PostgreSQL trusts local users here: an unknown role is what gets refused
    user = "root" if backend == "mysql" else "djtest_no_such_role"
    with pytest.raises(ConnectionFailedError) as info:
        Connection(SERVERS[backend]["host"], user, WRONG_PASSWORD, backend=backend)
    error = info.value
    texts = [str(error), repr(error), *map(str, error.args)]
    assert all(WRONG_PASSWORD not in t for t in texts)
    assert "127.0.0.1" in str(error) and user in str(error)
    assert "DJ_HOST" in str(error)
    assert error.__cause__ is None and error.__suppress_context__


@pytest.mark.parametrize("backend", SERVER_BACKENDS)
def test_password_not_in_repr(backend):
    require_backend(backend)
    with Connection(backend=backend, **SERVERS[backend]) as c:
        assert "password" not in repr(c) and "password" not in repr(c._params)


def test_unreachable_server():
    with pytest.raises(ConnectionFailedError, match="127.0.0.1:1"):
        Connection("127.0.0.1:1", "someone", WRONG_PASSWORD, backend="postgresql")


def test_missing_driver_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pymysql", None)  # import pymysql now raises ImportError
    with pytest.raises(DataJointError, match=r'pip install "dj_jupyter\[mysql\]"'):
        Connection("127.0.0.1", "root", "")


def test_sqlite_file_that_cannot_be_opened(tmp_path):
    with pytest.raises(ConnectionFailedError, match="no_such_folder"):
        Connection(path=str(tmp_path / "no_such_folder" / "x.db"))


# ---------------------------------------------------------------- catalog

def test_catalog_round_trip(connection, tables, schema_name, backend_name):
    catalog = connection.catalog
    assert schema_name in catalog.list_schemas()
    assert catalog.schema_exists(schema_name)
    assert not catalog.schema_exists(fresh_schema_name())
    assert catalog.list_tables(schema_name) == ["child", "parent"]
    infos = catalog.table_infos(schema_name)
    assert list(infos) == sorted(["child", "parent", "~lineage"])

    parent = infos["parent"]
    assert parent.comment == "the parents"
    assert parent.primary_key == ("id",)
    assert [(c.name, c.sql_type, c.nullable, c.comment, c.in_key) for c in parent.columns] == [
        ("id", INT_TYPE[backend_name], False, ":int32:parent id", True),
        ("name", VARCHAR_20[backend_name], False, ":varchar(20):", False),
    ]
    assert IndexInfo("name_unique" if backend_name != "sqlite" else f"{schema_name}.name_unique", ("name",), True) in (
        parent.indexes
    )

    child = infos["child"]
    assert child.primary_key == ("id", "k")  # key order, not column order
    assert [c.name for c in child.columns] == ["k", "id", "note"]
    assert child.columns[2].nullable and child.comment == ""
    note_index = [i for i in child.indexes if i.columns == ("note", "k")]
    assert len(note_index) == 1 and not note_index[0].unique
    assert [(f.columns, f.parent_schema, f.parent_table, f.parent_columns) for f in child.foreign_keys] == [
        (("id",), schema_name, "parent", ("id",))
    ]
    assert catalog.table_info(schema_name, "parent") == parent
    assert catalog.table_info(schema_name, "nope") is None


def test_foreign_keys_across_schemas(connection, tables, schema_name):
    other = fresh_schema_name()
    try:
        for sql in compile_create_schema(connection.dialect, other):
            connection.query(sql)
        connection.query(
            f"CREATE TABLE {_t(connection, other, 'remote')} (rid INT NOT NULL, pid INT NOT NULL, "
            f"PRIMARY KEY (rid), FOREIGN KEY (pid) REFERENCES {tables[0]} (id))"
        )
        fks = connection.catalog.foreign_keys([other])
        assert [(f.child_schema, f.child_table, f.columns, f.parent_schema, f.parent_table, f.parent_columns)
                for f in fks] == [(other, "remote", ("pid",), schema_name, "parent", ("id",))]
        both = connection.catalog.foreign_keys([schema_name, other])
        assert {f.child_table for f in both} == {"child", "remote"}
        assert all(isinstance(f, ForeignKeyInfo) and f.name for f in both)
    finally:
        drop_schema(connection, other)


def test_autoincrement_and_defaults(connection, schema_name, backend_name):
    for sql in compile_create_schema(connection.dialect, schema_name):
        connection.query(sql)
    auto = {
        "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "mysql": "INT NOT NULL AUTO_INCREMENT PRIMARY KEY",
        "postgresql": "INT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    }[backend_name]
    connection.query(f"CREATE TABLE {_t(connection, schema_name, 'counter')} (n {auto}, label VARCHAR(8) DEFAULT 'x')")
    info = connection.catalog.table_info(schema_name, "counter")
    n, label = info.columns
    assert n.autoincrement and n.in_key and not label.autoincrement
    assert "x" in label.default


def test_mysql_display_widths_are_dropped(tmp_path):
    require_backend("mysql")
    name = fresh_schema_name()
    with make_connection("mysql", tmp_path) as c:
        try:
            for sql in compile_create_schema(c.dialect, name):
                c.query(sql)
            c.query(f"CREATE TABLE {_t(c, name, 'w')} (a INT(11) NOT NULL, b INT(10) UNSIGNED, "
                    "c TINYINT(4), d DECIMAL(6,2), PRIMARY KEY (a))")
            types = [col.sql_type for col in c.catalog.table_info(name, "w").columns]
            assert types == ["int", "int unsigned", "tinyint", "decimal(6,2)"]
        finally:
            drop_schema(c, name)


def test_postgres_enum_types_are_qualified(tmp_path):
    require_backend("postgresql")
    name = fresh_schema_name()
    with make_connection("postgresql", tmp_path) as c:
        try:
            for sql in compile_create_schema(c.dialect, name):
                c.query(sql)
            c.query(f"CREATE TYPE {_t(c, name, 'sex_enum')} AS ENUM ('F', 'M')")
            c.query(f"CREATE TABLE {_t(c, name, 's')} (id INT PRIMARY KEY, sex {_t(c, name, 'sex_enum')} NOT NULL)")
            comment = c.dialect.string_literal(":enum('F', 'M'):100% sure")
            c.query(f"COMMENT ON COLUMN {_t(c, name, 's')}.sex IS {comment}")
            sex = c.catalog.table_info(name, "s").columns[1]
            assert sex.sql_type == f"{name}.sex_enum"
            assert sex.comment == ":enum('F', 'M'):100% sure"
        finally:
            drop_schema(c, name)


# ---------------------------------------------------------------- dj.conn()

def test_conn_singleton_from_config(tmp_path):
    from dj_jupyter import connection as module
    from dj_jupyter.settings import config

    path = str(tmp_path / "global.db")
    with config.override(database__backend="sqlite", database__name=path):
        first = module.conn(reset=True)
        assert first.backend == "sqlite" and str(first._params.path) == path
        assert module.conn() is first
        second = module.conn(reset=True)
        assert second is not first
    first.close_all()
    second.close_all()
    module._GLOBAL = None


def test_conn_without_user_explains_configuration(monkeypatch):
    from dj_jupyter import connection as module
    from dj_jupyter.settings import config

    monkeypatch.delenv("DJ_USER", raising=False)
    with config.override(database__backend="mysql", database__host="127.0.0.1", database__user=None):
        with pytest.raises(DataJointError, match="DJ_USER"):
            module.conn(reset=True)
    module._GLOBAL = None


@pytest.mark.parametrize("backend", SERVER_BACKENDS)
def test_idle_connection_is_checked_before_bulk_insert(backend, tmp_path):
    """A session dropped while the notebook was idle is replaced before executemany runs."""
    require_backend(backend)
    name = fresh_schema_name()
    with make_connection(backend, tmp_path) as c:
        try:
            create_parent_child(c, name)
            victim = c.connection_id
            _kill(backend, victim, tmp_path)
            c._local.state.last_used -= 3600  # pretend an hour passed since the last statement
            parent = _t(c, name, "parent")
            assert c.executemany(f"INSERT INTO {parent} (id, name) VALUES (%s, %s)", [(1, "a"), (2, "b")]) == 2
            assert c.connection_id != victim
        finally:
            drop_schema(c, name)


@pytest.mark.parametrize("backend", SERVER_BACKENDS)
def test_required_tls_is_not_silently_dropped(backend):
    """The test servers offer no TLS: use_tls=True must refuse to connect in plain text."""
    require_backend(backend)
    with pytest.raises(ConnectionFailedError, match="(?i)ssl"):
        Connection(backend=backend, use_tls=True, **SERVERS[backend])
