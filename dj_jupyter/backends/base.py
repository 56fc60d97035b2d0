"""The small interface every database backend implements, and shared error helpers.

A backend is driver glue only: it opens driver connections, runs one statement on a
driver cursor, and translates the driver's exceptions into :mod:`dj_jupyter.errors`.
It holds no per-connection state; :class:`dj_jupyter.connection.Connection` owns the
driver connections (one per thread) and the transaction state.  Driver modules are
imported inside :meth:`Backend.connect`, so ``import dj_jupyter`` never needs pymysql
or psycopg.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from ..errors import (
    AccessError,
    ConnectionFailedError,
    DataJointError,
    DuplicateError,
    IntegrityError,
    LostConnectionError,
    MissingAttributeError,
    MissingTableError,
    QueryError,
    QuerySyntaxError,
    UnknownAttributeError,
)
from ..sql.dialect import Dialect

__all__ = [
    "ConnectionParams",
    "Backend",
    "ERROR_KINDS",
    "build_error",
    "connection_failed",
    "missing_driver",
    "scrub",
]

# SQL longer than this is shortened in error messages: a bulk insert can be megabytes.
_MAX_SQL_IN_MESSAGE = 2000


@dataclass(frozen=True)
class ConnectionParams:
    """Everything needed to open one driver connection.

    ``password`` is excluded from ``repr`` so that it never reaches logs or tracebacks.
    ``path`` is the SQLite database file; ``database_name`` the PostgreSQL database.
    """

    host: str = "localhost"
    port: int | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    database_name: str | None = None
    use_tls: bool | Mapping[str, Any] | None = None
    path: str | None = None

    @property
    def address(self) -> str:
        """``host:port`` (or the SQLite file) for messages."""
        if self.path is not None:
            return str(self.path)
        return f"{self.host}:{self.port}" if self.port else str(self.host)


class Backend(abc.ABC):
    """Driver glue for one kind of database server.

    Attributes
    ----------
    name : str
        ``"sqlite"``, ``"mysql"`` or ``"postgresql"``.
    dialect : Dialect
        The SQL dialect the compilers use for this backend.
    begin_sql, commit_sql, rollback_sql : str
        The statements that start, commit and cancel a transaction.
    """

    name: str
    dialect: Dialect
    begin_sql: str
    commit_sql: str = "COMMIT"
    rollback_sql: str = "ROLLBACK"

    @abc.abstractmethod
    def connect(self, params: ConnectionParams) -> Any:
        """Open and configure one driver connection (autocommit on).

        Raises
        ------
        ConnectionFailedError
            The server cannot be reached or refused the credentials.
        DataJointError
            The driver package is not installed.
        """

    @abc.abstractmethod
    def translate_error(self, exc: BaseException, sql: str | None = None) -> DataJointError:
        """Return the :class:`DataJointError` that stands for a driver exception."""

    @abc.abstractmethod
    def is_lost_connection(self, exc: BaseException) -> bool:
        """Whether ``exc`` means the connection to the server is gone."""

    @abc.abstractmethod
    def connection_id(self, conn: Any) -> int:
        """The server's id of this session (MySQL thread id, PostgreSQL backend pid)."""

    @abc.abstractmethod
    def is_open(self, conn: Any) -> bool:
        """Cheap local check (no round trip) that the driver connection is not closed."""

    @abc.abstractmethod
    def cursor(self, conn: Any, *, as_dict: bool = False) -> Any:
        """A new driver cursor returning tuples, or dicts when ``as_dict``."""

    def execute(self, cursor: Any, sql: str, args: Sequence[Any]) -> None:
        """Run exactly one statement; ``args`` is always passed, even when empty."""
        cursor.execute(sql, tuple(args))

    def executemany(self, conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Run one statement for many parameter rows; return the affected row count."""
        cursor = self.cursor(conn)
        try:
            cursor.executemany(sql, rows)
            return max(cursor.rowcount or 0, 0)
        finally:
            cursor.close()

    def close(self, conn: Any) -> None:
        """Close a driver connection, ignoring errors (it may already be dead)."""
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - closing a dead connection must not raise
            pass


# ---------------------------------------------------------------- error building

def _shorten(sql: str) -> str:
    if len(sql) <= _MAX_SQL_IN_MESSAGE:
        return sql
    return sql[:_MAX_SQL_IN_MESSAGE] + f" ... ({len(sql) - _MAX_SQL_IN_MESSAGE} more characters)"


def _with_sql(text: str, sql: str | None) -> str:
    return f"{text}\nSQL: {_shorten(sql)}" if sql else text


def _lost(msg: str, sql: str | None) -> DataJointError:
    return LostConnectionError(
        f"Lost the connection to the database server ({msg}). Outside a transaction dj_jupyter "
        "reconnects and retries once; inside one the transaction was rolled back: run it again."
    )


def _access(msg: str, sql: str | None) -> DataJointError:
    return AccessError(
        _with_sql(f"Access denied: {msg}. Ask your database administrator for this privilege.", sql)
    )


def _duplicate(msg: str, sql: str | None) -> DataJointError:
    return DuplicateError(
        f"Duplicate entry: {msg}. A row with the same primary key (or unique value) already exists. "
        "To keep the existing rows and skip the new ones, insert with skip_duplicates=True."
    )


def _integrity(msg: str, sql: str | None) -> DataJointError:
    return IntegrityError(
        f"Integrity constraint violated: {msg}. A referenced (parent) row must exist before a "
        "dependent row is inserted, and dependent rows must be deleted before their parent."
    )


def _missing_value(msg: str, sql: str | None) -> DataJointError:
    return MissingAttributeError(
        f"Missing value: {msg}. Give a value for every attribute that has no default, "
        "or declare the attribute nullable (`= null`)."
    )


def _syntax(msg: str, sql: str | None) -> DataJointError:
    return QuerySyntaxError(
        _with_sql(f"SQL syntax error: {msg}. Check string restrictions and expressions for typos.", sql)
    )


def _missing_table(msg: str, sql: str | None) -> DataJointError:
    return MissingTableError(
        _with_sql(
            f"Table not found: {msg}. Check the schema name and that the table has been declared "
            "(schema.list_tables() lists the tables).",
            sql,
        )
    )


def _unknown_column(msg: str, sql: str | None) -> DataJointError:
    return UnknownAttributeError(
        _with_sql(f"Unknown attribute: {msg}. Check attribute names (table.heading lists them).", sql)
    )


def _other(msg: str, sql: str | None) -> DataJointError:
    return QueryError(_with_sql(msg, sql))


ERROR_KINDS: dict[str, Callable[[str, str | None], DataJointError]] = {
    "lost": _lost,
    "access": _access,
    "duplicate": _duplicate,
    "integrity": _integrity,
    "missing_value": _missing_value,
    "syntax": _syntax,
    "missing_table": _missing_table,
    "unknown_column": _unknown_column,
    "other": _other,
}
"""Error kinds shared by all backends: each backend maps its driver codes to one of these."""


def build_error(kind: str, message: str, sql: str | None = None) -> DataJointError:
    """Build the translated error of one kind (see :data:`ERROR_KINDS`)."""
    return ERROR_KINDS[kind](message.strip(), sql)


def scrub(text: str, password: str | None) -> str:
    """Remove a password from a message (drivers should never echo it; be sure)."""
    if password:
        text = text.replace(password, "***")
    return text


def connection_failed(params: ConnectionParams, backend: str, detail: str) -> ConnectionFailedError:
    """A :class:`ConnectionFailedError` naming the server, the user and what to try.

    The password never appears: ``detail`` is scrubbed of it.
    """
    detail = scrub(detail, params.password)
    return ConnectionFailedError(
        f"Could not connect to the {backend} server at {params.address} as user {params.user!r}: "
        f"{detail}. Check that the server is running and reachable, and that the host, port, user "
        "and password are right (datajoint.json, .secrets/database.user and .secrets/database.password, "
        "or the DJ_HOST, DJ_PORT, DJ_USER and DJ_PASS environment variables)."
    )


def missing_driver(backend: str, package: str, extra: str) -> DataJointError:
    """The error for a backend whose driver package is not installed."""
    return DataJointError(
        f"The {backend} backend needs the {package!r} package, which is not installed. "
        f'Install it with: pip install "dj_jupyter[{extra}]"'
    )
