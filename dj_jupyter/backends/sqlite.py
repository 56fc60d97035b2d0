"""SQLite backend: one database file, one ``sqlite3`` connection per thread.

Each connection runs in autocommit mode (``isolation_level=None``): dj_jupyter issues
``BEGIN IMMEDIATE``/``COMMIT`` itself.  ``IMMEDIATE`` takes the write lock when the
transaction starts, so two concurrent writers queue on ``busy_timeout`` instead of
deadlocking when both try to upgrade a read lock.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import threading
from typing import Any

from ..errors import DataJointError
from ..sql.ddl import compile_bootstrap
from ..sql.dialect import SQLITE
from .base import Backend, ConnectionParams, build_error, connection_failed

__all__ = ["SQLiteBackend"]

_BUSY_TIMEOUT_SECONDS = 30.0
_IDS = itertools.count(1)
_WAL_FILES: set[str] = set()  # WAL is persistent in the file: set it once per file per process
_WAL_LOCK = threading.Lock()

# extended result codes (sqlite3 exceptions carry them as ``sqlite_errorname``)
_CODE_KINDS = {
    "SQLITE_CONSTRAINT_PRIMARYKEY": "duplicate",
    "SQLITE_CONSTRAINT_UNIQUE": "duplicate",
    "SQLITE_CONSTRAINT_NOTNULL": "missing_value",
    "SQLITE_CONSTRAINT_FOREIGNKEY": "integrity",
    "SQLITE_CONSTRAINT_CHECK": "integrity",
    "SQLITE_CONSTRAINT_TRIGGER": "integrity",
    "SQLITE_CONSTRAINT": "integrity",
    "SQLITE_READONLY": "access",
    "SQLITE_READONLY_DBMOVED": "access",
    "SQLITE_PERM": "access",
    "SQLITE_AUTH": "access",
}

# plain SQLITE_ERROR covers many cases: tell them apart by the message
_MESSAGE_KINDS = (
    ("no such table", "missing_table"),
    ("no such column", "unknown_column"),
    ("has no column named", "unknown_column"),
    ("syntax error", "syntax"),
    ("incomplete input", "syntax"),
    ("unrecognized token", "syntax"),
    ("one statement at a time", "syntax"),
)


class _Connection(sqlite3.Connection):
    """A sqlite3 connection that carries a process-unique id (sqlite has no session ids)."""

    dj_id: int = 0


class SQLiteBackend(Backend):
    """The embedded backend (``database.backend = "sqlite"``)."""

    name = "sqlite"
    dialect = SQLITE
    begin_sql = "BEGIN IMMEDIATE"

    def connect(self, params: ConnectionParams) -> Any:
        path = params.path
        if not path:
            raise DataJointError(
                "The SQLite backend needs a database file: pass Connection(path=...) "
                "or set database.name in datajoint.json (or DJ_DATABASE_NAME)."
            )
        try:
            # check_same_thread=False only so that close_all() may close connections of
            # other threads; each connection is still used by the thread that opened it.
            conn = sqlite3.connect(
                path,
                timeout=_BUSY_TIMEOUT_SECONDS,
                isolation_level=None,
                check_same_thread=False,
                factory=_Connection,
                uri=str(path).startswith("file:"),
            )
        except sqlite3.Error as exc:
            raise connection_failed(params, "sqlite", f"cannot open the database file ({exc})") from None
        conn.dj_id = next(_IDS)
        try:
            self._configure(conn, str(path))
        except sqlite3.Error as exc:
            conn.close()
            raise self.translate_error(exc) from None
        return conn

    def _configure(self, conn: sqlite3.Connection, path: str) -> None:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_SECONDS * 1000)}")
        key = path if path.startswith("file:") else os.path.abspath(path)
        with _WAL_LOCK:
            if key not in _WAL_FILES and "mode=memory" not in key:
                conn.execute("PRAGMA journal_mode = WAL")
                _WAL_FILES.add(key)
        for sql in compile_bootstrap(SQLITE):
            conn.execute(sql, ())

    def translate_error(self, exc: BaseException, sql: str | None = None) -> DataJointError:
        if isinstance(exc, DataJointError):
            return exc
        message = str(exc)
        if self.is_lost_connection(exc):
            return build_error("lost", message, sql)
        kind = _CODE_KINDS.get(getattr(exc, "sqlite_errorname", None) or "")
        if kind is None:
            lowered = message.lower()
            kind = next((k for text, k in _MESSAGE_KINDS if text in lowered), "other")
        return build_error(kind, message, sql)

    def is_lost_connection(self, exc: BaseException) -> bool:
        # an embedded database cannot drop; a connection closed by close_all() can
        return isinstance(exc, sqlite3.ProgrammingError) and "closed database" in str(exc)

    def connection_id(self, conn: Any) -> int:
        return conn.dj_id

    def is_open(self, conn: Any) -> bool:
        try:
            conn.total_changes  # noqa: B018 - raises ProgrammingError once closed
        except sqlite3.ProgrammingError:
            return False
        return True

    def cursor(self, conn: Any, *, as_dict: bool = False) -> Any:
        cur = conn.cursor()
        if as_dict:
            cur.row_factory = _dict_row
        return cur


def _dict_row(cursor: sqlite3.Cursor, row: tuple) -> dict[str, Any]:
    return {d[0]: v for d, v in zip(cursor.description, row)}

