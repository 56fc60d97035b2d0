"""Running ``make`` for keys: one key in one transaction, and the loop over a list of keys.

Used by every populate mode: direct (keys computed once), distributed (keys reserved
through the jobs table first) and worker processes (each runs :func:`run_one`).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import logging
import pickle
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import DataJointError
from ..heading.values import encode_scalar
from ..schema.insert import populating
from ..sql.dml import compile_update
from .jobs import code_version
from .key_check import KeyCheck
from .stopping import interruptible, raise_if_stop_requested

__all__ = ["Progress", "RunOptions", "error_message", "populate_one", "run_keys", "run_one"]

logger = logging.getLogger("dj_jupyter")
JOBS_LEVEL = 15  # DataJoint's log level for "Making / Success / Error making" lines

_JOB_METADATA = ("_job_start_time", "_job_duration", "_job_version")


class Progress(dict):
    """What a progress callback receives: ``total``, ``done``, ``failed``, ``key``, ``elapsed`` seconds."""


@dataclass
class RunOptions:
    """How to run keys.  ``jobs`` set means distributed mode: reserve each key first."""

    suppress_errors: bool = False
    return_exception_objects: bool = False
    make_kwargs: dict = field(default_factory=dict)
    display_progress: bool = False
    callback: Callable[[Progress], None] | None = None
    cancel: threading.Event | None = None
    jobs: Any = None
    # ``key in table`` compiled once per call (made by the first run_one, in each process)
    key_check: KeyCheck | None = field(default=None, repr=False, compare=False)


def error_message(exc: BaseException) -> str:
    """``"<ExcClass>: <message>"``, or just the class name when the message is empty."""
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _fingerprint(value: Any) -> str:
    return hashlib.md5(pickle.dumps(value, protocol=5)).hexdigest()


def uses_tripartite(table: Any) -> bool:
    """The class defines make_fetch/make_compute/make_insert and keeps the inherited ``make``."""
    cls = type(table)
    inherited = getattr(cls.make, "default_make", False)
    return inherited and all(hasattr(cls, m) for m in ("make_fetch", "make_compute", "make_insert"))


def _as_tuple(value: Any) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def populate_one(table: Any, key: dict, make_kwargs: dict, key_check: KeyCheck | None = None) -> bool:
    """Run make for one key in a transaction; False if the key was already there.

    ``key_check`` answers ``key in table`` (pass one per populate call to compile it once).
    """
    conn = table.connection
    in_table = key_check or KeyCheck(table)
    cls = type(table)
    active = populating()
    tripartite = uses_tripartite(table)
    started = _dt.datetime.now()
    fetched = computed = None
    if tripartite:  # long computations run outside any transaction
        with interruptible():
            fetched = _as_tuple(table.make_fetch(dict(key), **make_kwargs))
            computed = _as_tuple(table.make_compute(dict(key), *fetched))
    conn.start_transaction()
    try:
        if in_table(key):
            conn.cancel_transaction()
            return False
        active.add(cls)
        with interruptible():  # SIGTERM here rolls the key back at once
            _make(table, key, make_kwargs, fetched, computed)
        conn.commit_transaction()
    except BaseException:
        if conn.in_transaction:
            try:
                conn.cancel_transaction()
            except DataJointError:  # a lost connection was rolled back by the server
                pass
        raise
    finally:
        active.discard(cls)
    _record_job_metadata(table, key, started)
    return True


def _make(table: Any, key: dict, make_kwargs: dict, fetched: tuple | None, computed: tuple | None) -> None:
    """The user's code for one key, inside its transaction."""
    if fetched is None:
        table.make(dict(key), **make_kwargs)
        return
    again = _as_tuple(table.make_fetch(dict(key), **make_kwargs))
    if _fingerprint(again) != _fingerprint(fetched):
        raise DataJointError("Referential integrity failed! The make_fetch data has changed since make_compute ran.")
    table.make_insert(dict(key), *computed)


def _record_job_metadata(table: Any, key: dict, started: _dt.datetime) -> None:
    """Fill the hidden ``_job_*`` columns of the new row (tables declared with ``jobs.add_job_metadata``)."""
    heading = table._state.heading(table.table_name)
    if not heading.has("_job_start_time", hidden=True):
        return
    conn = table.connection
    d = conn.dialect
    duration = (_dt.datetime.now() - started).total_seconds()
    values = [encode_scalar(heading.get(n, hidden=True), v, d.name)
              for n, v in zip(_JOB_METADATA, (started, duration, code_version()))]
    pk = heading.primary_key
    params = values + [encode_scalar(heading[k], key[k], d.name) for k in pk]
    conn.query(compile_update(d, table.database, table.table_name, _JOB_METADATA, (), pk, default_sql=()), params)


def _quietly(action: Callable, *args: Any) -> None:
    """Run a jobs-table update whose failure must not hide the error being handled."""
    try:
        action(*args)
    except Exception:  # logged; the original exception matters more
        logger.exception("Could not update the jobs table for key %s", args[0] if args else None)


def run_one(table: Any, key: dict, options: RunOptions) -> tuple[str, Any]:
    """Run one key; returns ``("success" | "skipped" | "error", error or None)``.

    Distributed mode reserves the key first (``"skipped"`` if another worker has it),
    then completes it, records its error, or, on KeyboardInterrupt/SystemExit, gives it
    back to the queue.  Errors are raised unless ``options.suppress_errors``.
    """
    jobs = options.jobs
    if jobs is not None and not jobs.reserve(key):
        return "skipped", None
    logger.log(JOBS_LEVEL, "Making %s -> %s", key, table.full_table_name)
    start = time.monotonic()
    try:
        if options.key_check is None:
            options.key_check = KeyCheck(table)
        made = populate_one(table, key, options.make_kwargs, options.key_check)
    except (KeyboardInterrupt, SystemExit):
        if jobs is not None:
            _quietly(jobs.release, key)
        raise
    except Exception as exc:
        message = error_message(exc)
        logger.log(JOBS_LEVEL, "Error making %s -> %s - %s", key, table.full_table_name, message)
        if jobs is not None:
            _quietly(jobs.error, key, message, traceback.format_exc())
        if not options.suppress_errors:
            raise
        logger.error("Error making %s -> %s: %s\n%s", key, table.full_table_name, message, traceback.format_exc())
        return "error", exc if options.return_exception_objects else message
    if jobs is not None:
        jobs.complete(key, time.monotonic() - start)
    if made:
        logger.log(JOBS_LEVEL, "Success making %s -> %s", key, table.full_table_name)
    return ("success" if made else "skipped"), None


class Tally:
    """Counts of one populate call, reported to the progress callback after every key."""

    def __init__(self, total: int, options: RunOptions, name: str) -> None:
        self.total, self.options, self.name = total, options, name
        self.success, self.errors, self.seen = 0, [], 0
        self.start = time.monotonic()

    def add(self, key: dict, status: str, error: Any) -> None:
        self.seen += 1
        if status == "success":
            self.success += 1
        elif status == "error":
            self.errors.append((key, error))
        if self.options.callback is not None:
            self.options.callback(Progress(total=self.total, done=self.success, failed=len(self.errors), key=key,
                                           elapsed=time.monotonic() - self.start))
        if self.options.display_progress:
            print(f"\r{self.name}: {self.seen}/{self.total}", end="", flush=True)

    def result(self) -> dict:
        if self.options.display_progress and self.total:
            print()
        return {"success_count": self.success, "error_list": self.errors}


def run_keys(table: Any, keys: list[dict], options: RunOptions) -> dict:
    """Run the keys in order in this thread; stop early when ``options.cancel`` is set."""
    tally = Tally(len(keys), options, type(table).__name__)
    for key in keys:
        if options.cancel is not None and options.cancel.is_set():
            break
        raise_if_stop_requested()  # SIGTERM that arrived outside make: stop between keys
        status, error = run_one(table, key, options)
        tally.add(key, status, error)
    return tally.result()
