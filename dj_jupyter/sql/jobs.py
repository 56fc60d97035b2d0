"""Statements on jobs tables (``~~<name>``): reservation, status changes, refresh, liveness.

Every function takes the dialect and returns driver-ready text; values travel as
parameters (placeholders), except numbers the caller has already turned into ``int``
or ``float`` and fixed status words, which are inlined so that the fragments can sit
inside conditions that carry no parameters.

Every time written to or compared with a jobs table is the *server's* clock, so that
workers on hosts with skewed clocks agree on what is due.  Dialect differences are tables
(one row per dialect), like the rest of dj_jupyter's.
"""

from __future__ import annotations

from collections.abc import Sequence

from .dialect import Dialect
from .dml import compile_insert_select

__all__ = [
    "compile_add_pending",
    "compile_delete_job",
    "compile_due",
    "compile_job_update",
    "compile_live_sessions",
    "compile_now",
    "compile_older_than",
    "compile_priority_at_most",
    "compile_repend",
    "compile_shifted_now",
    "compile_status_counts",
]

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

_STATUSES = frozenset({"pending", "reserved", "success", "error", "ignore"})


# ------------------------------------------------------------------------------ fragments
def compile_now(dialect: Dialect) -> str:
    """The server's current time (no parameters)."""
    return _NOW[dialect.name]


def compile_shifted_now(dialect: Dialect, seconds: float) -> str:
    """The server's time plus ``seconds`` (may be negative); no parameters.

    The number is formatted here from a float (never user text), so it is inlined.
    """
    seconds = float(seconds)
    if dialect.name == "mysql":
        return f"({_NOW['mysql']} + INTERVAL {round(seconds * 1e6)} MICROSECOND)"
    if dialect.name == "postgresql":
        return f"({_NOW['postgresql']} + make_interval(secs => {seconds!r}))"
    return f"strftime('%Y-%m-%d %H:%M:%f', 'now', '{seconds:+.3f} seconds')"


def compile_due(dialect: Dialect) -> str:
    """Condition: the row's ``scheduled_time`` has come (server time)."""
    return f"{dialect.quote('scheduled_time')} <= {compile_now(dialect)}"


def compile_priority_at_most(dialect: Dialect, priority: int) -> str:
    """Condition: ``priority <= priority`` (lower numbers are more urgent)."""
    return f"{dialect.quote('priority')} <= {int(priority)}"


def compile_older_than(dialect: Dialect, column: str, seconds: float) -> str:
    """Condition: the time in ``column`` is more than ``seconds`` before server time."""
    return f"{dialect.quote(column)} < {compile_shifted_now(dialect, -float(seconds))}"


def _status_is(dialect: Dialect, status: str) -> str:
    if status not in _STATUSES:  # inlined as a literal: only the fixed words may get here
        raise ValueError(f"Unknown job status {status!r}; expected one of {sorted(_STATUSES)}.")
    return f"{dialect.quote('status')} = '{status}'"


def _key_where(dialect: Dialect, key_columns: Sequence[str]) -> str:
    return " AND ".join(f"{dialect.quote(k)} = {dialect.placeholder}" for k in key_columns)


# ------------------------------------------------------------------------------ statements
def compile_status_counts(dialect: Dialect, schema: str, table: str) -> str:
    """``(status, count)`` rows of a jobs table."""
    q = dialect.quote
    return f"SELECT {q('status')}, count(*) FROM {dialect.full_name(schema, table)} GROUP BY {q('status')}"


def compile_job_update(dialect: Dialect, schema: str, table: str, set_columns: Sequence[str],
                       key_columns: Sequence[str], *, now_columns: Sequence[str] = (),
                       null_columns: Sequence[str] = (), if_status: str | None = None,
                       if_due: bool = False, if_columns: Sequence[str] = ()) -> str:
    """``UPDATE`` one job row, optionally only if it is in a given state.

    Parameters (in this order): the values of ``set_columns``, of ``key_columns``, then of
    ``if_columns``.  ``now_columns`` are set to server time, ``null_columns`` to NULL.
    ``if_status`` / ``if_due`` / ``if_columns`` make the update conditional: the database
    serialises conditional updates of one row, which is what makes a reservation atomic.
    """
    q = dialect.quote
    sets = [f"{q(c)} = {dialect.placeholder}" for c in set_columns]
    sets += [f"{q(c)} = {compile_now(dialect)}" for c in now_columns]
    sets += [f"{q(c)} = NULL" for c in null_columns]
    where = [_key_where(dialect, key_columns)]
    if if_status is not None:
        where.append(_status_is(dialect, if_status))
    if if_due:
        where.append(compile_due(dialect))
    where += [f"{q(c)} = {dialect.placeholder}" for c in if_columns]
    return f"UPDATE {dialect.full_name(schema, table)} SET {', '.join(sets)} WHERE {' AND '.join(where)}"


def compile_delete_job(dialect: Dialect, schema: str, table: str, key_columns: Sequence[str]) -> str:
    """Delete one job row; parameters: the key values."""
    return f"DELETE FROM {dialect.full_name(schema, table)} WHERE {_key_where(dialect, key_columns)}"


def compile_add_pending(dialect: Dialect, schema: str, table: str, key_columns: Sequence[str], new_keys_sql: str,
                        *, priority: int, delay: float) -> str:
    """Insert a ``pending`` row for every key the SELECT ``new_keys_sql`` yields (duplicates skipped).

    The rows are due at server time + ``delay`` seconds.  The parameters are those of
    ``new_keys_sql``.
    """
    q = dialect.quote
    alias = q("$new")
    keys = ", ".join(f"{alias}.{q(k)}" for k in key_columns)
    select = (f"SELECT {keys}, 'pending', {int(priority)}, {compile_shifted_now(dialect, delay)} "
              f"FROM ({new_keys_sql}) AS {alias}")
    columns = [*key_columns, "status", "priority", "scheduled_time"]
    return compile_insert_select(dialect, schema, table, columns, select, list(key_columns), skip_duplicates=True)


def compile_repend(dialect: Dialect, schema: str, table: str, where_sql: str) -> str:
    """Set ``status = 'pending'`` on the rows matching ``where_sql`` (from the condition compiler)."""
    return f"UPDATE {dialect.full_name(schema, table)} SET {_status_is(dialect, 'pending')} WHERE {where_sql}"


def compile_live_sessions(dialect: Dialect) -> str | None:
    """A query returning ``(session id, user name)`` of every live server session, or None."""
    return _LIVE_SESSIONS[dialect.name]
