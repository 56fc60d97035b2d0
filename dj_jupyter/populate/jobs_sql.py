"""The few SQL fragments the jobs tables need that differ by backend: server time and live sessions.

Kept as tables (one row per dialect), like the rest of dj_jupyter's dialect differences.
Every time written to or compared with a jobs table is the *server's* clock, so workers
on hosts with skewed clocks agree on what is due.
"""

from __future__ import annotations

from ..sql.dialect import Dialect

__all__ = ["live_sessions_sql", "now_sql", "session_user_name", "shifted_now_sql"]

# server time with milliseconds, as the datetime(3) columns store it.  PostgreSQL: the
# column is ``timestamp(3)`` (no zone), which LOCALTIMESTAMP matches; SQLite: UTC text,
# as the column default writes it.
_NOW = {
    "mysql": "NOW(3)",
    "postgresql": "LOCALTIMESTAMP(3)",
    "sqlite": "strftime('%Y-%m-%d %H:%M:%f', 'now')",
}

# server sessions that are alive now (None: the backend has no server; liveness is per process)
_LIVE_SESSIONS = {
    "mysql": "SELECT ID, USER FROM information_schema.PROCESSLIST",
    "postgresql": "SELECT pid, usename FROM pg_stat_activity WHERE pid IS NOT NULL",
    "sqlite": None,
}


def now_sql(dialect: Dialect) -> str:
    """SQL text for the server's current time (driver-ready, no parameters)."""
    return _NOW[dialect.name]


def shifted_now_sql(dialect: Dialect, seconds: float) -> str:
    """SQL text for the server's time plus ``seconds`` (may be negative).

    The number is formatted here from a float (never user text), so it is inlined: the
    fragment can then sit inside conditions that carry no parameters.
    """
    seconds = float(seconds)
    if dialect.name == "mysql":
        return f"({_NOW['mysql']} + INTERVAL {round(seconds * 1e6)} MICROSECOND)"
    if dialect.name == "postgresql":
        return f"({_NOW['postgresql']} + make_interval(secs => {seconds!r}))"
    return f"strftime('%Y-%m-%d %H:%M:%f', 'now', '{seconds:+.3f} seconds')"


def live_sessions_sql(dialect: Dialect) -> str | None:
    """A query returning ``(session id, user name)`` of every live server session, or None."""
    return _LIVE_SESSIONS[dialect.name]


def session_user_name(user: str | None) -> str:
    """``root@localhost`` -> ``root``: how the session lists name users."""
    return (user or "").split("@", 1)[0]
