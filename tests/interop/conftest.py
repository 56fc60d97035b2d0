"""Fixtures for the interoperability tests against the real DataJoint 2.3.5 (the test oracle).

Both libraries talk to the same MariaDB server (root@127.0.0.1:3306) and share one folder store,
configured identically in ``dj_jupyter.config`` and ``datajoint.config`` under the name ``shared``
(also the default store).  An unreachable MariaDB skips locally and fails with CI=true.

Fixtures
--------
djref         the ``datajoint`` module, configured for the test server (session)
ref_conn      a ``datajoint.Connection`` to MariaDB (session)
conn          a ``dj_jupyter.Connection`` to MariaDB (session)
store_dir     the shared store's folder (session)
stores        both libraries' ``stores`` configured to that folder while a test runs
new_schema    a factory of fresh schema names; every schema it made is dropped afterwards
pg            PostgreSQL (postgres@127.0.0.1:5432): ``pg.ref_conn``, ``pg.conn``, ``pg.new_schema()``; DataJoint's
              ``database.backend`` is ``postgresql`` while the module runs (module)
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import pytest

import dj_jupyter as dj
from tests.backends.conftest import SERVERS, drop_schema, fresh_schema_name, make_connection, require_backend

STORE = "shared"


def _import_datajoint():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no datajoint.json found": configured below, at run time
        import datajoint
    return datajoint


@pytest.fixture(scope="session")
def djref():
    require_backend("mysql")
    ref = _import_datajoint()
    host, port = SERVERS["mysql"]["host"].split(":")
    ref.config["database.host"] = host
    ref.config["database.port"] = int(port)
    ref.config["database.user"] = SERVERS["mysql"]["user"]
    ref.config["database.password"] = SERVERS["mysql"]["password"]
    ref.config["safemode"] = False
    ref.config["loglevel"] = "WARNING"
    return ref


@pytest.fixture(scope="session")
def ref_conn(djref):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "MariaDB is not officially supported": that is what we test on
        connection = djref.Connection(
            djref.config["database.host"], SERVERS["mysql"]["user"], SERVERS["mysql"]["password"],
            port=djref.config["database.port"])
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def conn(tmp_path_factory):
    require_backend("mysql")
    connection = make_connection("mysql", tmp_path_factory.mktemp("interop"))
    yield connection
    connection.close_all()


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("interop-store")


@pytest.fixture(scope="module")
def stores(djref, store_dir):
    """The same ``stores`` section in both libraries' configuration, for one test module."""
    config = {"default": STORE, STORE: {"protocol": "file", "location": str(store_dir)}}
    saved = dict(djref.config.stores)
    djref.config.stores.clear()
    djref.config.stores.update(config)
    downloads = str(store_dir.parent / "downloads")  # both libraries write fetched attachments here, not into the cwd
    saved_downloads, djref.config["download_path"] = djref.config["download_path"], downloads
    with dj.config.override(stores=config, safemode=False, download_path=downloads):
        yield config
    djref.config.stores.clear()
    djref.config.stores.update(saved)
    djref.config["download_path"] = saved_downloads


@pytest.fixture(scope="module")
def new_schema(conn):
    """``new_schema()`` -> a fresh schema name, dropped (with everything in it) after the module."""
    made: list[str] = []

    def make() -> str:
        made.append(fresh_schema_name("djtest_interop_"))
        return made[-1]

    yield make
    for name in made:
        drop_schema(conn, name)


@pytest.fixture(scope="module")
def pg(djref, tmp_path_factory):
    require_backend("postgresql")
    host, port = SERVERS["postgresql"]["host"].split(":")
    saved = {key: djref.config[key] for key in ("database.backend", "database.host", "database.port", "database.user")}
    djref.config["database.backend"] = "postgresql"
    djref.config["database.host"], djref.config["database.port"] = host, int(port)
    djref.config["database.user"] = SERVERS["postgresql"]["user"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_connection = djref.Connection(host, SERVERS["postgresql"]["user"], "", port=int(port))
    conn = make_connection("postgresql", tmp_path_factory.mktemp("interop-pg"))
    made: list[str] = []

    def new_schema() -> str:
        made.append(fresh_schema_name("djtest_interop_"))
        return made[-1]

    try:
        yield SimpleNamespace(ref_conn=ref_connection, conn=conn, new_schema=new_schema)
    finally:
        ref_connection.close()
        for name in made:
            drop_schema(conn, name)
        conn.close_all()
        for key, value in saved.items():
            djref.config[key] = value
