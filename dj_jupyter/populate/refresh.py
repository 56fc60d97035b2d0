"""``T.jobs.refresh()``: bring a jobs table up to date with its key source.

Steps (DataJoint 2.3.5 plus dead-worker recovery):

1. add ``pending`` rows for keys of the (restricted) key source that are neither in the
   target nor in the jobs table, due at server time + ``delay``;
2. with ``jobs.keep_completed``: ``success`` rows whose key is missing from the target
   again go back to ``pending``;
3. remove ``success``/``error`` rows whose key left both the key source and the target,
   and rows (not ``ignore``) older than ``stale_timeout`` whose key left the key source;
4. recover reservations: those whose worker is gone (its server session or process no
   longer exists), and with ``orphan_timeout`` those reserved longer than that.

Each step is one statement (or one per recovered key) executed in the database.
"""

from __future__ import annotations

import logging
from typing import Any

from ..errors import DataJointError
from ..query.conditions import And, Cond, Equals, InQuery, Negate, Or, SqlText
from ..query.nodes import Node, Project, ProjItem, Restrict, TableRef
from ..sql.compiler import compile_condition_for_table, compile_select
from ..sql.dml import compile_delete
from ..sql.jobs import compile_add_pending, compile_older_than, compile_repend
from .liveness import dead_holders

__all__ = ["recover_dead", "refresh_jobs"]

logger = logging.getLogger("dj_jupyter")


def _config():
    from ..settings import config

    return config


def refresh_jobs(job: Any, restrictions: tuple, *, delay: float = 0, priority: int | None = None,
                 stale_timeout: float | None = None, orphan_timeout: float | None = None) -> dict[str, int]:
    """Refresh ``job`` (a :class:`~dj_jupyter.populate.jobs.Job`); see the module docstring.

    Returns
    -------
    dict
        ``{"added": n, "removed": n, "orphaned": n, "re_pended": n}``.
    """
    cfg = _config()
    priority = int(cfg["jobs.default_priority"] if priority is None else priority)
    stale = float(cfg["jobs.stale_timeout"] if stale_timeout is None else stale_timeout)
    added = _add_pending(job, restrictions, float(delay), priority)
    re_pended = _repend_completed(job) if cfg["jobs.keep_completed"] else 0
    removed = _remove_departed(job) + (_remove_stale(job, stale) if stale > 0 else 0)
    orphaned = recover_dead(job)
    if orphan_timeout is not None:
        orphaned += _recover_timed_out(job, float(orphan_timeout))
    return {"added": added, "removed": removed, "orphaned": orphaned, "re_pended": re_pended}


# ------------------------------------------------------------------------------ helpers
def _jobs_ref(job: Any) -> TableRef:
    return TableRef(job.database, job.table_name, job.heading)


def _keys_of(node: Node, pk: tuple[str, ...]) -> Project:
    return Project(node, tuple(ProjItem(k, k) for k in pk))


def _where(job: Any, cond: Cond) -> tuple[str, list]:
    return compile_condition_for_table(job.connection.dialect, _jobs_ref(job), cond)


def _status_in(*statuses: str) -> Cond:
    return Or(tuple(Equals("status", s) for s in statuses)) if len(statuses) > 1 else Equals("status", statuses[0])


def _delete_where(job: Any, cond: Cond) -> int:
    where, params = _where(job, cond)
    sql = compile_delete(job.connection.dialect, job.database, job.table_name, where)
    return job.connection.query(sql, params).rowcount


# ------------------------------------------------------------------------------ steps
def _add_pending(job: Any, restrictions: tuple, delay: float, priority: int) -> int:
    target, conn = job.target, job.connection
    d = conn.dialect
    pending = target._pending_node(restrictions)
    pk = tuple(pending.heading.primary_key)
    jobs_pk = tuple(job.heading.primary_key)
    if set(jobs_pk) - set(pk):
        raise DataJointError(
            f"The key source of {type(target).__name__} yields keys ({', '.join(pk)}) that do not cover the "
            f"jobs table's key ({', '.join(jobs_pk)}): key_source must give every foreign-key attribute of the key."
        )
    new = Restrict(pending, Negate(InQuery(jobs_pk, _keys_of(_jobs_ref(job), jobs_pk))))
    select_sql, params = compile_select(d, new, list(jobs_pk))
    sql = compile_add_pending(d, job.database, job.table_name, jobs_pk, select_sql, priority=priority, delay=delay)
    return max(conn.query(sql, params).rowcount or 0, 0)


def _repend_completed(job: Any) -> int:
    pk = tuple(job.heading.primary_key)
    missing = _keys_of(job.target._pending_node(()), pk)
    where, params = _where(job, And((Equals("status", "success"), InQuery(pk, missing))))
    sql = compile_repend(job.connection.dialect, job.database, job.table_name, where)
    return job.connection.query(sql, params).rowcount


def _remove_departed(job: Any) -> int:
    """``success``/``error`` rows whose key is neither in the key source nor in the target."""
    target = job.target
    pk = tuple(job.heading.primary_key)
    in_source = InQuery(pk, _keys_of(target._key_source_node(), pk))
    in_target = InQuery(pk, _keys_of(target._node, pk))
    return _delete_where(job, And((_status_in("success", "error"), Negate(in_source), Negate(in_target))))


def _remove_stale(job: Any, stale_timeout: float) -> int:
    pk = tuple(job.heading.primary_key)
    old = SqlText(compile_older_than(job.connection.dialect, "created_time", stale_timeout))
    in_source = InQuery(pk, _keys_of(job.target._key_source_node(), pk))
    return _delete_where(job, And((Negate(Equals("status", "ignore")), old, Negate(in_source))))


def _reset_reserved(job: Any, rows: list[dict]) -> int:
    """Back to ``pending``: each row only if the same holder still has it (no race with a new reservation)."""
    n = 0
    for row in rows:
        key = {k: row[k] for k in job.heading.primary_key}
        n += job._update(key, {"status": "pending", "host": "", "pid": 0, "connection_id": 0},
                         null_columns=("reserved_time",), if_status="reserved",
                         if_values={"connection_id": int(row["connection_id"]), "pid": int(row["pid"])})
    return n


def _reservations(job: Any, extra: Cond | None = None) -> list[dict]:
    view = job.reserved if extra is None else job.reserved & extra
    return view.proj("host", "pid", "connection_id", "user").to_dicts()


def recover_dead(job: Any) -> int:
    """Reset the reservations whose worker is gone (server session or local process); returns how many."""
    dead = dead_holders(job.connection, _reservations(job))
    if dead:
        logger.info("Recovering %d reservation(s) of dead workers in %s", len(dead), job.full_table_name)
    return _reset_reserved(job, dead)


def _recover_timed_out(job: Any, orphan_timeout: float) -> int:
    old = SqlText(compile_older_than(job.connection.dialect, "reserved_time", orphan_timeout))
    return _reset_reserved(job, _reservations(job, old))

