"""Which reservations belong to workers that are gone (DataJoint 2.x only frees them by age).

A reservation records the worker's server session id (``connection_id``), host and pid.
MySQL and PostgreSQL know their live sessions: a reservation whose session is gone
belongs to a dead worker (its transaction was rolled back with the session).  SQLite has
no server: on the same host, a worker is gone when its process is.  Reservations of other
hosts on a shared SQLite file are never judged here (use ``orphan_timeout``).
"""

from __future__ import annotations

import os
import socket
from typing import Any

from ..sql.jobs import compile_live_sessions

__all__ = ["dead_holders", "pid_alive", "session_user_name"]


def session_user_name(user: str | None) -> str:
    """``root@localhost`` -> ``root``: how the session lists name users."""
    return (user or "").split("@", 1)[0]


def pid_alive(pid: int) -> bool:
    """Whether a process of this host is running (a zombie, killed but not reaped, is not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (macOS): os.kill said it exists
    return state not in ("Z", "X")


def _live_sessions(connection: Any) -> tuple[set[int], bool]:
    """Live session ids, and whether this session can see other users' sessions.

    Without the PROCESS privilege MySQL lists only the user's own sessions; then a
    missing session of another user proves nothing.
    """
    rows = connection.query(compile_live_sessions(connection.dialect)).fetchall()
    me = session_user_name(connection.user)
    ids = {int(r[0]) for r in rows if r[0] is not None}
    sees_others = connection.backend == "postgresql" or any(r[1] and str(r[1]) != me for r in rows)
    return ids, sees_others


def dead_holders(connection: Any, reservations: list[dict]) -> list[dict]:
    """The reservations (rows with host, pid, connection_id, user) whose worker is gone."""
    if not reservations:
        return []
    if compile_live_sessions(connection.dialect) is None:
        host = socket.gethostname()[:255]
        return [r for r in reservations if r["host"] == host and r["pid"] != os.getpid() and not pid_alive(int(r["pid"]))]
    ids, sees_others = _live_sessions(connection)
    me = session_user_name(connection.user)
    return [
        r for r in reservations
        if int(r["connection_id"]) not in ids and (sees_others or session_user_name(r["user"]) == me)
    ]
