"""Database connections: ``dj.conn()``, :class:`Connection`, transactions.

One :class:`Connection` per configuration, one driver connection per thread: each
thread that uses a ``Connection`` lazily opens its own driver connection and has its
own transaction state, so a populate running in a background thread never shares a
socket or a transaction with the notebook's main thread.  A process created by
``os.fork()`` (multiprocessing) never reuses its parent's socket: every driver
connection remembers the pid that opened it.

Lost connections are detected on every backend.  Outside a transaction the statement
is retried once on a fresh connection (when ``reconnect`` is on); inside a transaction
a rollback is attempted, the transaction is marked over and
:class:`~dj_jupyter.errors.LostConnectionError` is raised: never a silent retry.
"""

from __future__ import annotations

import contextlib
import getpass
import itertools
import logging
import os
import threading
import time
import weakref
from typing import Any, Iterable, Iterator, Sequence

from .backends.base import Backend, ConnectionParams
from .backends.catalog import Catalog
from .backends.mysql import MySQLBackend
from .backends.postgres import PostgresBackend
from .backends.sqlite import SQLiteBackend
from .errors import DataJointError, LostConnectionError, ThreadSafetyError
from .settings import config as _config
from .settings import thread_safe_mode
from .sql.catalog import current_user_sql, ping_sql
from .sql.dialect import Dialect

__all__ = ["Connection", "conn", "get_backend"]

logger = logging.getLogger("dj_jupyter")

_BACKENDS: dict[str, type[Backend]] = {
    "sqlite": SQLiteBackend,
    "mysql": MySQLBackend,
    "mariadb": MySQLBackend,
    "postgresql": PostgresBackend,
    "postgres": PostgresBackend,
}
_DEFAULT_PORTS = {"mysql": 3306, "postgresql": 5432}
# a connection idle this long is checked before use: servers drop idle sessions
# (MySQL wait_timeout), and an insert must not fail only because the notebook was idle
_IDLE_CHECK_SECONDS = 60.0
# driver connections inherited through fork(): kept referenced so that garbage
# collection never closes them in the child, which would end the parent's session
_INHERITED: list[Any] = []
_MEMORY_IDS = itertools.count(1)


def get_backend(name: str) -> Backend:
    """The backend for ``"sqlite"``, ``"mysql"`` (MariaDB too) or ``"postgresql"``."""
    try:
        return _BACKENDS[name.lower()]()
    except KeyError:
        raise DataJointError(
            f"Unknown database backend {name!r}: expected 'sqlite', 'mysql' (MariaDB too) or 'postgresql'."
        ) from None


class _ThreadState:
    """The driver connection and transaction flag of one thread."""

    __slots__ = ("conn", "pid", "in_transaction", "last_used", "after_commit", "__weakref__")

    def __init__(self) -> None:
        self.conn: Any = None
        self.pid = 0
        self.in_transaction = False
        self.last_used = 0.0
        self.after_commit: list = []


class _Local(threading.local):
    state: _ThreadState | None = None


class Connection:
    """A connection to one database server (or SQLite file), one driver connection per thread.

    Parameters
    ----------
    host : str, optional
        Server host name, optionally ``"host:port"`` (which overrides ``port``).
    user, password : str, optional
        Credentials (MySQL, PostgreSQL).  The password is never shown in repr or errors.
    port : int, optional
        Server port; default 3306 (MySQL) or 5432 (PostgreSQL).
    backend : {"sqlite", "mysql", "postgresql"}, optional
        Default: ``"sqlite"`` when ``path`` is given, ``"mysql"`` when ``host`` is given,
        else ``database.backend`` from ``dj.config``.
    database_name : str, optional
        The PostgreSQL database holding the schemas (default ``"postgres"``).
    use_tls : bool or dict, optional
        None: try TLS, fall back to plain; True: require; False: off; dict: driver options.
    reconnect : bool
        Reconnect and retry once when the connection was lost outside a transaction.
    path : str, optional
        The SQLite database file (default from ``dj.config``).

    Examples
    --------
    >>> import tempfile, os
    >>> c = Connection(path=os.path.join(tempfile.mkdtemp(), "demo.db"))
    >>> c.query("SELECT 1 + 1").fetchone()
    (2,)
    >>> with c.transaction:
    ...     c.in_transaction
    True
    >>> c.close_all()
    """

    def __init__(
        self,
        host: str | None = None,
        user: str | None = None,
        password: str | None = None,
        port: int | None = None,
        *,
        backend: str | None = None,
        database_name: str | None = None,
        use_tls: bool | dict | None = None,
        reconnect: bool = True,
        path: str | os.PathLike | None = None,
    ) -> None:
        self._backend = get_backend(_choose_backend(backend, host, path))
        self._params = _make_params(self._backend.name, host, user, password, port, database_name, use_tls, path)
        self.reconnect = reconnect
        self._local = _Local()
        self._states: weakref.WeakSet[_ThreadState] = weakref.WeakSet()
        self._states_lock = threading.Lock()
        self._catalog: Catalog | None = None
        self._state()  # connect now: wrong credentials fail here, not at the first query

    # ------------------------------------------------------------ description

    @property
    def backend(self) -> str:
        """``"sqlite"``, ``"mysql"`` or ``"postgresql"``."""
        return self._backend.name

    @property
    def dialect(self) -> Dialect:
        """The SQL dialect of this connection's backend."""
        return self._backend.dialect

    @property
    def host(self) -> str:
        """``host:port`` of the server, or the SQLite file."""
        return self._params.address

    @property
    def user(self) -> str | None:
        return self._params.user

    @property
    def catalog(self) -> Catalog:
        """Introspection of schemas, tables, columns and foreign keys."""
        if self._catalog is None:
            self._catalog = Catalog(self)
        return self._catalog

    def __repr__(self) -> str:
        if self.backend == "sqlite":
            return f"Connection(backend='sqlite', path={self._params.path!r})"
        return f"Connection(backend={self.backend!r}, host={self.host!r}, user={self.user!r})"

    __str__ = __repr__

    # ------------------------------------------------------------ per-thread driver connections

    def _state(self) -> _ThreadState:
        """This thread's state, with an open driver connection."""
        state = self._local.state
        if state is None:
            state = self._local.state = _ThreadState()
            with self._states_lock:
                self._states.add(state)
        if state.conn is not None and state.pid != os.getpid():
            _INHERITED.append(state.conn)  # forked child: never touch the parent's socket
            state.conn, state.in_transaction = None, False
        if state.conn is not None and not self._backend.is_open(state.conn):
            self._closed_under_us(state)
        if state.conn is None:
            state.conn = self._backend.connect(self._params)
            state.pid, state.last_used = os.getpid(), time.monotonic()
        elif not state.in_transaction and time.monotonic() - state.last_used > _IDLE_CHECK_SECONDS:
            self._revive_if_dead(state)
        return state

    def _closed_under_us(self, state: _ThreadState) -> None:
        """The driver connection closed itself (server gone): end any transaction loudly."""
        in_transaction = state.in_transaction
        self._drop(state)
        if in_transaction:
            raise LostConnectionError(
                "Lost the connection to the database server during a transaction; the transaction "
                "was rolled back by the server. Run it again."
            )

    def _revive_if_dead(self, state: _ThreadState) -> None:
        try:
            self._run(state, *ping_sql(self.dialect), as_dict=False)
        except LostConnectionError:
            self._drop(state)
            if not self.reconnect:
                raise
            state.conn = self._backend.connect(self._params)
            state.pid = os.getpid()
        state.last_used = time.monotonic()

    def _drop(self, state: _ThreadState) -> None:
        """Forget (and close) a thread's driver connection; its transaction is over."""
        conn, state.conn, state.in_transaction = state.conn, None, False
        if conn is not None:
            if state.pid == os.getpid():
                self._backend.close(conn)
            else:
                _INHERITED.append(conn)

    def _run(self, state: _ThreadState, sql: str, args: Sequence[Any], *, as_dict: bool) -> Any:
        """Execute one statement; raise translated errors (LostConnectionError when lost)."""
        cursor = self._backend.cursor(state.conn, as_dict=as_dict)
        try:
            self._backend.execute(cursor, sql, args)
        except Exception as exc:
            raise self._translate(state, exc, sql) from exc
        state.last_used = time.monotonic()
        return cursor

    def _translate(self, state: _ThreadState, exc: Exception, sql: str | None) -> DataJointError:
        error = self._backend.translate_error(exc, sql)
        if not isinstance(error, LostConnectionError) and not self._backend.is_open(state.conn):
            error = LostConnectionError(f"Lost the connection to the database server: {error}")
        return error

    def _forget_lost(self, state: _ThreadState) -> None:
        """After a lost connection: attempt a rollback if a transaction was open, then drop it."""
        if state.in_transaction and state.conn is not None:
            try:
                cursor = self._backend.cursor(state.conn)
                self._backend.execute(cursor, self._backend.rollback_sql, ())
            except Exception:  # noqa: BLE001 - the connection is gone; the server rolls back anyway
                pass
        self._drop(state)

    # ------------------------------------------------------------ statements

    def query(self, sql: str, args: Sequence[Any] = (), *, as_dict: bool = False) -> Any:
        """Execute exactly one SQL statement and return the driver cursor.

        Parameters
        ----------
        sql : str
            One statement, driver-ready (placeholders of the dialect, ``%`` doubled where
            the driver formats with ``%``).
        args : sequence
            Parameter values; always passed to the driver, even when empty.
        as_dict : bool
            Rows as dicts instead of tuples.

        Raises
        ------
        LostConnectionError
            The connection was lost inside a transaction (rolled back), or could not be
            re-established.
        QueryError
            Or one of its subclasses: the database refused the statement.
        """
        state = self._state()
        try:
            return self._run(state, sql, args, as_dict=as_dict)
        except LostConnectionError:
            retry = self.reconnect and not state.in_transaction
            self._forget_lost(state)
            if not retry:
                raise
        return self._run(self._state(), sql, args, as_dict=as_dict)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Execute one statement for many parameter rows (the bulk-insert path).

        Uses the driver's own ``executemany``: pymysql folds ``INSERT ... VALUES`` into
        multi-row statements, psycopg pipelines, sqlite3 loops in C.  A lost connection
        is not retried (part of the rows may already be stored): the next statement
        reconnects.

        Returns
        -------
        int
            The number of affected rows.
        """
        state = self._state()
        try:
            count = self._backend.executemany(state.conn, sql, rows)
        except Exception as exc:
            error = self._translate(state, exc, sql)
            if isinstance(error, LostConnectionError):
                self._forget_lost(state)
            raise error from exc
        state.last_used = time.monotonic()
        return count

    # ------------------------------------------------------------ transactions

    @property
    def in_transaction(self) -> bool:
        """Whether this thread is inside a transaction (false once the connection dropped)."""
        state = self._local.state
        return bool(
            state is not None and state.in_transaction and state.conn is not None
            and state.pid == os.getpid() and self._backend.is_open(state.conn)
        )

    def start_transaction(self) -> None:
        """Start a transaction on this thread's connection.

        Raises
        ------
        DataJointError
            A transaction is already open in this thread (nesting is not supported).
        """
        if self.in_transaction:
            raise DataJointError(
                "Nested transactions are not supported: a transaction is already open on this "
                "connection in this thread. Commit or cancel it first."
            )
        self.query(self._backend.begin_sql)
        state = self._state()
        state.in_transaction = True
        state.after_commit = []

    def commit_transaction(self) -> None:
        """Commit this thread's transaction, then run what was deferred to it (:meth:`after_commit`)."""
        state = self._state()
        self.query(self._backend.commit_sql)
        state.in_transaction = False
        callbacks, state.after_commit = state.after_commit, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # the commit stands; what was deferred is best effort (dj.gc finds leftovers)
                logger.exception("A task deferred to the commit failed")

    def after_commit(self, callback: Any) -> None:
        """Run ``callback()`` once this thread's transaction commits (now, if none is open).

        A rollback discards it.  Used to delete stored objects only once the rows
        that owned them are gone for good.
        """
        if self.in_transaction:
            self._state().after_commit.append(callback)
        else:
            callback()

    def cancel_transaction(self) -> None:
        """Roll back this thread's transaction."""
        state = self._state()
        state.after_commit = []
        try:
            self.query(self._backend.rollback_sql)
        finally:
            state.in_transaction = False

    @property
    def transaction(self) -> contextlib.AbstractContextManager["Connection"]:
        """A context manager: commit on success, roll back and re-raise on any exception.

        Examples
        --------
        >>> import tempfile, os
        >>> c = Connection(path=os.path.join(tempfile.mkdtemp(), "demo.db"))
        >>> with c.transaction as tx:
        ...     _ = tx.query("SELECT 1")
        >>> c.in_transaction
        False
        """
        return self._transaction()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator["Connection"]:
        self.start_transaction()
        try:
            yield self
        except BaseException:
            if self.in_transaction:
                with contextlib.suppress(DataJointError):  # the original error matters more
                    self.cancel_transaction()
            raise
        self.commit_transaction()

    def run_ddl(self, statements: Sequence[str]) -> None:
        """Run DDL statements, all or nothing where the backend's DDL is transactional.

        PostgreSQL and SQLite run them in one transaction; MySQL commits each DDL
        statement itself, so there they simply run in order.
        """
        if self.dialect.supports_transactional_ddl:
            with self.transaction:
                for sql in statements:
                    self.query(sql)
        else:
            for sql in statements:
                self.query(sql)

    # ------------------------------------------------------------ session

    @property
    def connection_id(self) -> int:
        """The server's id of this thread's session (MySQL thread id, PostgreSQL pid)."""
        return self._backend.connection_id(self._state().conn)

    @property
    def is_connected(self) -> bool:
        """Whether this thread's connection is open and answers (never reconnects)."""
        state = self._local.state
        if state is None or state.conn is None or state.pid != os.getpid():
            return False
        if not self._backend.is_open(state.conn):
            return False
        try:
            self._run(state, *ping_sql(self.dialect), as_dict=False)
        except LostConnectionError:
            return False
        return True

    def ping(self) -> bool:
        """Check the server answers, reconnecting if allowed; raise if it does not."""
        self.query(*ping_sql(self.dialect)).fetchall()
        return True

    def get_user(self) -> str:
        """The user of this session as the server reports it (``user@host`` on MySQL)."""
        statement = current_user_sql(self.dialect)
        if statement is None:
            return self._params.user or getpass.getuser()
        return self.query(*statement).fetchone()[0]

    def close(self) -> None:
        """Close this thread's driver connection (the next query opens a new one)."""
        state = self._local.state
        if state is not None:
            self._drop(state)

    def close_all(self) -> None:
        """Close the driver connections of every thread (call when the threads are done)."""
        with self._states_lock:
            states = list(self._states)
        for state in states:
            self._drop(state)

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close_all()


# ---------------------------------------------------------------- construction helpers

def _choose_backend(backend: str | None, host: str | None, path: Any) -> str:
    if backend:
        return backend
    if path is not None:
        return "sqlite"
    if host is not None:
        return "mysql"
    return _config["database.backend"]


def _split_host(host: str | None, port: int | None) -> tuple[str, int | None]:
    host = host or "localhost"
    name, sep, tail = host.rpartition(":")
    if sep and tail.isdigit() and "]" not in tail:
        return name, int(tail)
    return host, port


def _make_params(backend: str, host, user, password, port, database_name, use_tls, path) -> ConnectionParams:
    if backend == "sqlite":
        path = os.fspath(_config.sqlite_path() if path is None else path)
        if path == ":memory:":
            # one database shared by this connection's threads (each thread has its own
            # driver connection); it lives as long as one of them stays open
            path = f"file:dj_jupyter_memory_{next(_MEMORY_IDS)}?mode=memory&cache=shared"
        return ConnectionParams(user=user, path=path)
    host, port = _split_host(host, port)
    return ConnectionParams(
        host=host,
        port=port or _DEFAULT_PORTS[backend],
        user=user,
        password=password,
        database_name=database_name,
        use_tls=use_tls,
    )


# ---------------------------------------------------------------- the process-wide connection

_GLOBAL: Connection | None = None
_GLOBAL_LOCK = threading.Lock()


def conn(
    host: str | None = None,
    user: str | None = None,
    password: str | None = None,
    *,
    reset: bool = False,
    use_tls: bool | dict | None = None,
) -> Connection:
    """The process-wide connection, created from ``dj.config`` on first use.

    Arguments given when the connection already exists are ignored unless ``reset=True``.

    Raises
    ------
    DataJointError
        A server backend is configured but no user is set.
    ThreadSafetyError
        ``DJ_THREAD_SAFE`` is set: pass explicit connections instead.
    """
    global _GLOBAL
    if thread_safe_mode():
        raise ThreadSafetyError(
            "dj.conn() is disabled in thread-safe mode (DJ_THREAD_SAFE): create a dj.Connection "
            "(or dj.Instance) and pass it explicitly."
        )
    with _GLOBAL_LOCK:
        if _GLOBAL is None or reset:
            _GLOBAL = _connection_from_config(host, user, password, use_tls)
        return _GLOBAL


def _connection_from_config(host, user, password, use_tls) -> Connection:
    backend = _config["database.backend"]
    reconnect = bool(_config["database.reconnect"])
    if backend == "sqlite" and host is None:
        return Connection(backend="sqlite", reconnect=reconnect)
    port = None
    if backend == "sqlite":  # a host was given: it means a server, as in DataJoint
        backend = "mysql"
    else:
        host = host or _config["database.host"]
        port = _config.effective_port()
    user = user or _config["database.user"]
    if not user:
        raise DataJointError(
            f"No database user is configured for the {backend} server. Set database.user in "
            "datajoint.json or in .secrets/database.user beside it, or the DJ_USER (and DJ_PASS) "
            "environment variables, or call dj.conn(host, user, password)."
        )
    return Connection(
        host,
        user,
        password if password is not None else _config["database.password"],
        port,
        backend=backend,
        database_name=_config["database.name"],
        use_tls=use_tls if use_tls is not None else _config["database.use_tls"],
        reconnect=reconnect,
    )
