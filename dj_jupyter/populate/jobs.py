"""``T.jobs``: the jobs table of one auto-populated table, and its API (class ``dj.Job``).

A jobs table (``~~<name>``) coordinates any number of workers on any number of hosts:
``reserve(key)`` is one conditional ``UPDATE`` (``... WHERE status = 'pending'``), which
the database serialises, so exactly one worker wins a key.  Rows record errors (message
and traceback), ignored keys and, with ``jobs.keep_completed``, completed keys.  The
table is created on first use.  Refreshing (adding pending keys, recovering the
reservations of dead workers) lives in :mod:`dj_jupyter.populate.refresh`.
"""

from __future__ import annotations

import functools
import logging
import os
import random
import socket
import subprocess
from typing import Any

from ..errors import DataJointError, DuplicateError
from ..heading.values import encode_scalar
from ..query.conditions import And, Equals, InQuery, SqlText
from ..query.nodes import Node, Project, ProjItem, Restrict, TableRef, Top
from ..schema.catalog_state import state_of
from ..schema.expression import QueryExpression
from ..schema.fetch import fetch_rows
from ..schema.table import FreeTable
from ..sql.ddl import compile_create_table
from ..sql.dml import compile_insert
from ..sql.lineage import LINEAGE_TABLE, compile_clear_lineage, compile_insert_lineage
from ..sql.jobs import (
    compile_delete_job,
    compile_due,
    compile_job_update,
    compile_priority_at_most,
    compile_status_counts,
)
from .job_layout import (
    JOB_STATUSES,
    jobs_spec,
    jobs_table_name,
    pack_text,
    truncate_message,
)

__all__ = ["Job", "code_version", "worker_identity"]

logger = logging.getLogger("dj_jupyter")


def _config():
    from ..settings import config

    return config


@functools.lru_cache(maxsize=1)
def _git_version() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], check=False, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()[:64] if out.returncode == 0 else ""


def code_version() -> str:
    """The code version recorded with jobs (``jobs.version_method``: ``"git"`` or none)."""
    return _git_version() if _config()["jobs.version_method"] == "git" else ""


_USERS: dict[tuple[int, int], str] = {}


def worker_identity(connection: Any) -> dict[str, Any]:
    """Who holds a reservation: host, pid, server session id, database user, code version."""
    cache_key = (id(connection), os.getpid())
    user = _USERS.get(cache_key)
    if user is None:
        user = _USERS[cache_key] = str(connection.get_user())[:255]
    return {"host": socket.gethostname()[:255], "pid": os.getpid(), "connection_id": int(connection.connection_id),
            "user": user, "version": code_version()}


class Job(FreeTable):
    """The jobs table of an auto-populated table: ``T.jobs`` (created on first access).

    Parameters
    ----------
    target : Imported or Computed table (class or instance)
        The table whose keys the jobs table schedules.
    declare : bool
        Create the jobs table if it does not exist yet (default).

    Examples
    --------
    ``T.jobs.progress()`` counts keys by status; ``T.jobs.errors.to_dicts()`` shows failed
    keys with their messages; ``T.jobs.errors.delete()`` lets the next populate retry them.
    """

    _tier = None  # not a user table: the class itself is never used like an instance

    def __init__(self, target: Any, *, declare: bool = True) -> None:
        table = target() if isinstance(target, type) else type(target)()
        self.__dict__["_free"] = (table.connection, table.database, jobs_table_name(table.table_name))
        self.__dict__["_target"] = table
        if declare:
            self.declare()

    # ---------------------------------------------------------------- identity and creation
    @property
    def target(self) -> Any:
        """The (unrestricted) auto-populated table this jobs table schedules."""
        return self.__dict__["_target"]

    @property
    def exists(self) -> bool:
        return state_of(self.connection).schema(self.database).has_table(self.table_name)

    def declare(self) -> None:
        """Create the jobs table if it does not exist (safe when several workers race to create it)."""
        if self.exists:
            return
        conn = self.connection
        keys = self._key_attributes()
        try:
            conn.run_ddl(compile_create_table(conn.dialect, jobs_spec(self.database, self.target.table_name, keys,
                                                                      dialect=conn.dialect)))
        except DataJointError:
            state_of(conn).invalidate(self.database)
            if not self.exists:  # another worker creating it at the same moment is fine
                raise
            return
        finally:
            state_of(conn).invalidate(self.database)
        self._record_lineage([a.name for a in keys])

    def _key_attributes(self) -> list:
        target = self.target
        heading = target.heading
        fk_columns: set[str] = set()
        for edge in state_of(self.connection).graph.parents((target.database, target.table_name)):
            fk_columns.update(edge.fk.columns)
        return [heading[k] for k in heading.primary_key if k in fk_columns]

    def _record_lineage(self, names: list[str]) -> None:
        """``~lineage`` rows for the key columns, naming the jobs table as their origin (as DataJoint 2.x writes)."""
        conn, schema, table = self.connection, self.database, self.table_name
        if not state_of(conn).schema(schema).has_table(LINEAGE_TABLE):
            return
        with conn.transaction:
            conn.query(compile_clear_lineage(conn.dialect, schema), (table,))
            for name in names:
                conn.query(compile_insert_lineage(conn.dialect, schema), (table, name, f"{schema}.{table}.{name}"))
        state_of(conn).invalidate(schema)

    def _derive(self, node: Node) -> QueryExpression:
        if _restricts_table(node):
            clone = Job.__new__(Job)
            clone.__dict__.update(_free=self.__dict__["_free"], _target=self.target, _restricted=node)
            return clone
        return QueryExpression(node, self.connection)

    def __repr__(self) -> str:
        return f"Job({self.full_table_name})\n" + QueryExpression.__repr__(self)

    # ---------------------------------------------------------------- views
    def _status(self, status: str) -> Job:
        return self & {"status": status}

    @property
    def pending(self) -> Job:
        """Keys waiting for a worker."""
        return self._status("pending")

    @property
    def reserved(self) -> Job:
        """Keys a worker is computing now."""
        return self._status("reserved")

    @property
    def errors(self) -> Job:
        """Keys whose make failed; never retried until their rows are deleted."""
        return self._status("error")

    @property
    def ignored(self) -> Job:
        """Keys that populate skips."""
        return self._status("ignore")

    @property
    def completed(self) -> Job:
        """Keys computed (kept only with ``jobs.keep_completed``)."""
        return self._status("success")

    def progress(self) -> dict[str, int]:
        """Counts by status: ``{"pending", "reserved", "success", "error", "ignore", "total"}``."""
        counts = dict.fromkeys(JOB_STATUSES, 0)
        if self.exists:
            sql = compile_status_counts(self.connection.dialect, self.database, self.table_name)
            for status, n in self.connection.query(sql).fetchall():
                counts[str(status)] = int(n)
        counts["total"] = sum(counts.values())
        return counts

    def delete(self, *args: Any, **kwargs: Any) -> int | None:  # type: ignore[override]
        """Delete these job rows at once (no prompt, no cascade): ``T.jobs.errors.delete()``."""
        return self.delete_quick(get_count=True)

    def drop(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Drop the jobs table (it is created again on next use)."""
        if self.exists:
            self.drop_quick()
        state_of(self.connection).invalidate(self.database)

    def refresh(self, *restrictions: Any, delay: float = 0, priority: int | None = None,
                stale_timeout: float | None = None, orphan_timeout: float | None = None) -> dict[str, int]:
        """Bring the queue up to date; see :func:`dj_jupyter.populate.refresh.refresh_jobs`.

        Returns ``{"added", "removed", "orphaned", "re_pended"}``.
        """
        from .refresh import refresh_jobs

        return refresh_jobs(self, restrictions, delay=delay, priority=priority, stale_timeout=stale_timeout,
                            orphan_timeout=orphan_timeout)

    # ---------------------------------------------------------------- one key
    def _key_params(self, key: dict) -> list:
        heading = self.heading
        names = heading.primary_key
        missing = [k for k in names if k not in key]
        if missing:
            raise DataJointError(f"A job key needs {', '.join(names)}; {', '.join(missing)} missing from {key!r}.")
        dialect_name = self.connection.dialect.name
        return [encode_scalar(heading[k], key[k], dialect_name) for k in names]

    def _update(self, key: dict, assignments: dict[str, Any], *, now_columns: tuple[str, ...] = (),
                null_columns: tuple[str, ...] = (), if_status: str | None = None, if_due: bool = False,
                if_values: dict[str, Any] | None = None) -> int:
        """Update the key's row (see :func:`~dj_jupyter.sql.jobs.compile_job_update`); rows changed."""
        if_values = if_values or {}
        sql = compile_job_update(self.connection.dialect, self.database, self.table_name, list(assignments),
                                 self.heading.primary_key, now_columns=now_columns, null_columns=null_columns,
                                 if_status=if_status, if_due=if_due, if_columns=list(if_values))
        params = list(assignments.values()) + self._key_params(key) + list(if_values.values())
        return self.connection.query(sql, params).rowcount

    def reserve(self, key: dict) -> bool:
        """Claim a pending, due key for this worker; True if this worker won it.

        One atomic conditional UPDATE: of any number of workers, exactly one changes the row.
        """
        changed = self._update(key, dict(status="reserved", **worker_identity(self.connection)),
                               now_columns=("reserved_time",), if_status="pending", if_due=True)
        return changed == 1

    def release(self, key: dict) -> bool:
        """Give a key this process reserved back to the queue (after an interrupt)."""
        me = worker_identity(self.connection)
        changed = self._update(key, {"status": "pending", "host": "", "pid": 0, "connection_id": 0},
                               null_columns=("reserved_time",), if_status="reserved",
                               if_values={"pid": int(me["pid"])})
        return changed == 1

    def complete(self, key: dict, duration: float | None = None) -> None:
        """Mark a key done: delete its row, or keep it as ``success`` with ``jobs.keep_completed``."""
        if _config()["jobs.keep_completed"]:
            self._set_status(key, "success", {"duration": duration}, now_columns=("completed_time",))
            return
        sql = compile_delete_job(self.connection.dialect, self.database, self.table_name, self.heading.primary_key)
        self.connection.query(sql, self._key_params(key))

    def error(self, key: dict, error_message: str, error_stack: str | None = None) -> None:
        """Record that ``make`` failed for a key (message truncated to 2047 characters, stack kept)."""
        values = {"error_message": truncate_message(str(error_message)),
                  "error_stack": None if error_stack is None else pack_text(str(error_stack))}
        self._set_status(key, "error", values, now_columns=("completed_time",))

    def ignore(self, key: dict) -> None:
        """Mark a key to be skipped by populate (insert or update its row)."""
        self._set_status(key, "ignore", {})

    def _set_status(self, key: dict, status: str, values: dict[str, Any], *,
                    now_columns: tuple[str, ...] = ()) -> None:
        """Update the key's row, or insert it if there is none (a key may have no row yet)."""
        values = dict(values, status=status)
        if status != "ignore":
            values.update(worker_identity(self.connection))
        if self._update(key, values, now_columns=now_columns):
            return
        heading = self.heading
        d = self.connection.dialect
        row = {k: key[k] for k in heading.primary_key}
        row.update(values, priority=int(_config()["jobs.default_priority"]))
        names = list(row)
        params = [encode_scalar(heading[n], row[n], d.name) if n in heading.primary_key else row[n] for n in names]
        sql = compile_insert(d, self.database, self.table_name, names, heading.primary_key)
        try:
            self.connection.query(sql, params)
        except DuplicateError:  # the row exists and already had these values (MySQL counts changed rows)
            pass

    # ---------------------------------------------------------------- what a worker takes next
    def due_keys(self, restriction_node: Node | None = None, *, priority: int | None = None,
                 limit: int | None = None, spread: bool = False) -> list[dict]:
        """Pending keys that are due, most urgent first (``priority``, then ``scheduled_time``).

        Parameters
        ----------
        restriction_node : Node, optional
            Keep only keys in this query (the restricted key source).
        priority : int, optional
            Keep only keys with ``priority <= priority``.
        limit : int, optional
            At most this many keys.
        spread : bool
            Shuffle keys of equal priority.  Workers that start together then try different
            keys instead of walking one list in lockstep (where, on SQLite, the first worker
            would take every key while the others queue for the write lock behind it).
        """
        d = self.connection.dialect
        ref = TableRef(self.database, self.table_name, self.heading)
        parts = [Equals("status", "pending"), SqlText(compile_due(d))]
        if priority is not None:
            parts.append(SqlText(compile_priority_at_most(d, priority)))
        pk = tuple(ref.heading.primary_key)
        if restriction_node is not None:
            parts.append(InQuery(pk, Project(restriction_node, tuple(ProjItem(k, k) for k in pk))))
        node: Node = Top(Restrict(ref, And(tuple(parts))), limit, ("priority", "scheduled_time", *pk), 0)
        _, rows = fetch_rows(self.connection, node, [*pk, "priority"])
        keys = [(row[-1], dict(zip(pk, row[:-1]))) for row in rows]
        if spread:
            random.shuffle(keys)
            keys.sort(key=lambda item: item[0])  # stable: random order within each priority
        return [key for _, key in keys]


def _restricts_table(node: Node) -> bool:
    while isinstance(node, (Restrict, Top)):
        node = node.source
    return isinstance(node, TableRef)
