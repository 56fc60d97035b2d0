"""The backend matrix: every test here runs on SQLite, MariaDB/MySQL and PostgreSQL.

Fixtures
--------
backend_name   "sqlite" | "mysql" | "postgresql" (parametrized).  An unreachable server
               skips its tests locally and fails them when the environment has CI=true.
connection     a fresh :class:`dj_jupyter.Connection` for ``backend_name`` (SQLite: a file
               in the test's tmp folder; MySQL: root@127.0.0.1:3306; PostgreSQL:
               postgres@127.0.0.1:5432, database postgres).  Closed after the test.
schema_name    a unique ``djtest_`` schema name; the schema (if the test created it) is
               dropped afterwards, whatever happened in the test.

Helpers: :func:`fresh_schema_name`, :func:`drop_schema`, :func:`require_backend`,
:func:`make_connection`.
"""

from __future__ import annotations

import functools
import os
import uuid
from pathlib import Path

import pytest

from dj_jupyter.connection import Connection
from dj_jupyter.errors import DataJointError
from dj_jupyter.sql.ddl import compile_drop_schema

BACKENDS = ("sqlite", "mysql", "postgresql")

# where the test servers listen (override with DJ_TEST_MYSQL_HOST / DJ_TEST_POSTGRES_HOST)
SERVERS = {
    "mysql": dict(host=os.environ.get("DJ_TEST_MYSQL_HOST", "127.0.0.1:3306"), user="root", password=""),
    "postgresql": dict(host=os.environ.get("DJ_TEST_POSTGRES_HOST", "127.0.0.1:5432"), user="postgres", password=None),
}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


@functools.lru_cache(maxsize=None)
def server_problem(backend: str) -> str | None:
    """Why the test server of ``backend`` cannot be used, or None if it can (checked once)."""
    if backend == "sqlite":
        return None
    try:
        probe = Connection(backend=backend, **SERVERS[backend])
    except DataJointError as error:
        return f"{type(error).__name__}: {error}"
    probe.close_all()
    return None


def require_backend(backend: str) -> None:
    """Skip (locally) or fail (CI=true) when the backend's server is unreachable."""
    problem = server_problem(backend)
    if problem is None:
        return
    message = f"the {backend} test server is not reachable ({problem})"
    if in_ci():
        pytest.fail(message + "; in CI every backend must be up", pytrace=False)
    pytest.skip(message)


def make_connection(backend: str, folder: Path, **options) -> Connection:
    """A new Connection to the test server of ``backend`` (SQLite: ``folder/test.db``)."""
    if backend == "sqlite":
        return Connection(backend="sqlite", path=str(folder / "test.db"), **options)
    return Connection(backend=backend, **SERVERS[backend], **options)


def fresh_schema_name(prefix: str = "djtest_") -> str:
    """A schema name no other test uses (lower case: MySQL folds names on some systems)."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def drop_schema(connection: Connection, name: str) -> None:
    """Drop a schema and everything in it, if it exists (only ever called on our names)."""
    assert name.startswith("djtest_"), f"refusing to drop {name!r}: not a test schema"
    if connection.in_transaction:
        connection.cancel_transaction()
    if connection.backend != "sqlite":
        if connection.catalog.schema_exists(name):
            for sql in compile_drop_schema(connection.dialect, name, []):
                connection.query(sql)
        return
    # SQLite: a schema is a name prefix; switch foreign keys off so that the order of
    # the drops does not matter (tests may leave any kind of graph behind)
    tables = list(connection.catalog.table_infos(name))
    connection.query("PRAGMA foreign_keys = OFF")
    try:
        for sql in compile_drop_schema(connection.dialect, name, tables):
            connection.query(sql)
    finally:
        connection.query("PRAGMA foreign_keys = ON")


@pytest.fixture(params=BACKENDS)
def backend_name(request) -> str:
    require_backend(request.param)
    return request.param


@pytest.fixture
def connection(backend_name, tmp_path):
    conn = make_connection(backend_name, tmp_path)
    yield conn
    conn.close_all()


@pytest.fixture
def schema_name(connection):
    name = fresh_schema_name()
    yield name
    drop_schema(connection, name)
