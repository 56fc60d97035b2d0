"""MySQL and MariaDB backend through pymysql.

Sessions run in autocommit mode with DataJoint's ``sql_mode`` and ``utf8mb4``.  pymysql
never enables multi-statement mode, so one call runs at most one statement, and its
``executemany`` folds ``INSERT ... VALUES`` into multi-row statements (the fast path).
"""

from __future__ import annotations

import logging
from typing import Any

from ..errors import DataJointError
from ..sql.dialect import MYSQL
from .base import Backend, ConnectionParams, build_error, connection_failed, missing_driver

__all__ = ["MySQLBackend", "SQL_MODE"]

logger = logging.getLogger(__name__)

# every mode here is known to both MySQL 8 and MariaDB 10.x
SQL_MODE = (
    "NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,STRICT_ALL_TABLES,"
    "NO_ENGINE_SUBSTITUTION,ONLY_FULL_GROUP_BY"
)
_CONNECT_TIMEOUT = 10
# servers (host:port) that refused TLS when it was only preferred: warn once, then go plain
_NO_TLS: set[str] = set()

_LOST = {0, 2006, 2013, 2014, 2055, 1927, 4031}  # 1927: MariaDB "connection was killed"
_CONNECT_FAILED = {1045, 1044, 1049, 2002, 2003, 2005, 2026, 2059, 1130, 1129, 1251}
_CODE_KINDS = {
    1044: "access",
    1142: "access",
    1143: "access",
    1227: "access",
    1062: "duplicate",
    1586: "duplicate",
    1216: "integrity",
    1217: "integrity",
    1451: "integrity",
    1452: "integrity",
    3730: "integrity",
    3819: "integrity",  # MySQL CHECK constraint
    4025: "integrity",  # MariaDB CHECK constraint
    1048: "missing_value",  # column cannot be null
    1364: "missing_value",  # field has no default value
    1064: "syntax",
    1149: "syntax",
    1146: "missing_table",
    1054: "unknown_column",
}


def _code(exc: BaseException) -> int | None:
    args = getattr(exc, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _message(exc: BaseException) -> str:
    args = getattr(exc, "args", ())
    if len(args) >= 2:
        return f"({args[0]}) {args[1]}"
    return str(exc) or type(exc).__name__


class _TLSFailed(Exception):
    """The TLS handshake failed while TLS was only preferred (``use_tls=None``)."""


class MySQLBackend(Backend):
    """MySQL 8 / MariaDB 10.x (``database.backend = "mysql"``)."""

    name = "mysql"
    dialect = MYSQL
    begin_sql = "START TRANSACTION WITH CONSISTENT SNAPSHOT"

    def connect(self, params: ConnectionParams) -> Any:
        try:
            import pymysql
        except ImportError:
            raise missing_driver("MySQL", "pymysql", "mysql") from None
        tls = params.use_tls
        if tls is None and params.address in _NO_TLS:
            return self._open(pymysql, params, None)
        if tls is None:  # try TLS first, fall back to plain
            try:
                return self._open(pymysql, params, _ssl_options(True))
            except _TLSFailed as exc:
                logger.warning("TLS connection to %s failed (%s); connecting without TLS.", params.address, exc)
                _NO_TLS.add(params.address)
                return self._open(pymysql, params, None)
        conn = self._open(pymysql, params, _ssl_options(tls))
        if tls is True and not _uses_tls(conn):
            self.close(conn)
            raise connection_failed(params, "MySQL", "TLS was required (use_tls=True) but the server does not offer it")
        return conn

    def _open(self, pymysql: Any, params: ConnectionParams, ssl: dict | None) -> Any:
        conn = self._connect(pymysql, params, ssl)
        if "mariadb" in conn.get_server_info().lower():
            try:
                # MariaDB 10.x returns wrong rows for IN / NOT IN over a sub-query that joins a grouped
                # derived table when it plans that table as a "split" (lateral) materialisation (found by
                # tests/interop/test_query_fuzz.py against DataJoint 2.3.5; pinned in
                # tests/backends/test_query_fuzz_regressions.py): the session plans without it
                with conn.cursor() as cur:
                    cur.execute("SET SESSION optimizer_switch = 'split_materialized=off'")
            except pymysql.err.MySQLError as exc:
                if _code(exc) != 1231:  # a MariaDB without that optimisation: nothing to turn off
                    conn.close()
                    raise self.translate_error(exc) from None
        return conn

    def _connect(self, pymysql: Any, params: ConnectionParams, ssl: dict | None) -> Any:
        try:
            return pymysql.connect(
                host=params.host,
                port=params.port or 3306,
                user=params.user,
                password=params.password or "",
                charset="utf8mb4",
                autocommit=True,
                sql_mode=SQL_MODE,
                connect_timeout=_CONNECT_TIMEOUT,
                ssl=ssl,
            )
        except pymysql.err.MySQLError as exc:
            message = _message(exc)
            if ssl is not None and params.use_tls is None and "ssl" in message.lower():
                raise _TLSFailed(message) from None
            code = _code(exc)
            if code in _CONNECT_FAILED or code is None or isinstance(exc, pymysql.err.OperationalError):
                raise connection_failed(params, "MySQL", message) from None
            raise self.translate_error(exc) from None

    def translate_error(self, exc: BaseException, sql: str | None = None) -> DataJointError:
        if isinstance(exc, DataJointError):
            return exc
        if self.is_lost_connection(exc):
            return build_error("lost", _message(exc), sql)
        kind = _CODE_KINDS.get(_code(exc), "other")
        return build_error(kind, _message(exc), sql)

    def is_lost_connection(self, exc: BaseException) -> bool:
        name = type(exc).__name__
        if name not in ("OperationalError", "InterfaceError", "InternalError"):
            return isinstance(exc, (ConnectionError, BrokenPipeError))
        return _code(exc) in _LOST or (name == "InterfaceError" and not exc.args)

    def connection_id(self, conn: Any) -> int:
        return conn.thread_id()

    def is_open(self, conn: Any) -> bool:
        return bool(conn.open)

    def cursor(self, conn: Any, *, as_dict: bool = False) -> Any:
        if as_dict:
            import pymysql.cursors

            return conn.cursor(pymysql.cursors.DictCursor)
        return conn.cursor()


def _ssl_options(tls: Any) -> dict | None:
    """pymysql ``ssl=`` options for a ``use_tls`` value."""
    if tls is None or tls is False:
        return None
    if isinstance(tls, dict):
        return tls
    # no CA given: encrypt without verifying the certificate (pymysql needs a non-empty dict)
    return {"check_hostname": False, "verify_mode": None}


def _uses_tls(conn: Any) -> bool:
    sock = getattr(conn, "_sock", None)
    return sock is not None and sock.__class__.__name__ == "SSLSocket"
