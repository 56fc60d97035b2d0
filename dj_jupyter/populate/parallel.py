"""``populate(processes=N)``: worker processes on one machine.

The parent forks a :mod:`multiprocessing` pool (start method ``fork`` where available,
so the workers inherit the table classes); every worker opens its own database
connection (a :class:`~dj_jupyter.connection.Connection` notices the changed pid) and
runs keys one at a time.  In distributed mode each worker reserves a key before
computing it, so no key is computed twice even alongside workers on other hosts.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import traceback
from dataclasses import replace
from typing import Any

from ..errors import DataJointError
from .runner import RunOptions, Tally, error_message, run_keys, run_one
from .stopping import raise_if_stop_requested

__all__ = ["effective_processes", "run_parallel"]

logger = logging.getLogger("dj_jupyter")

# what a forked worker needs, set by the parent just before forking (fork copies it)
_WORKER: dict[str, Any] = {}


def effective_processes(processes: int, n_keys: int) -> int:
    """min(processes, number of keys, CPU count), at least 1."""
    return max(1, min(int(processes), n_keys, os.cpu_count() or 1))


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _portable(error: Any) -> Any:
    """An exception that survives the trip to the parent (else its message as a DataJointError)."""
    if not isinstance(error, BaseException):
        return error
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - any unpicklable exception
        return DataJointError(f"{type(error).__name__}: {error}")
    return error


def _work(key: dict) -> tuple[str, dict, Any, str]:
    """Run one key in a worker; never raises Exception (errors travel back as values)."""
    table, options, stop = _WORKER["table"], _WORKER["options"], _WORKER["stop"]
    if stop.is_set():
        return "cancelled", key, None, ""
    raise_if_stop_requested()  # SIGTERM (pool terminated) between keys: this worker exits
    try:
        status, error = run_one(table, key, options)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which decides
        return "failed", key, _portable(exc), traceback.format_exc()
    finally:
        raise_if_stop_requested()
    return status, key, _portable(error), ""


def run_parallel(table: Any, keys: list[dict], options: RunOptions, processes: int) -> dict:
    """Run ``keys`` in ``processes`` forked workers; same result as :func:`run_keys`.

    Without ``suppress_errors`` the first error stops the remaining keys and is raised here.
    """
    n = effective_processes(processes, len(keys))
    if n <= 1:
        return run_keys(table, keys, options)
    ctx = _context()
    stop = ctx.Event()
    worker_options = replace(options, callback=None, cancel=None, display_progress=False, suppress_errors=True,
                             return_exception_objects=True)
    _WORKER.update(table=table, options=worker_options, stop=stop)
    tally = Tally(len(keys), options, type(table).__name__)
    failure: BaseException | None = None
    try:
        with ctx.Pool(n) as pool:
            for status, key, error, _stack in pool.imap(_work, keys, chunksize=1):
                if status == "cancelled":
                    continue
                if status == "failed" or (status == "error" and not options.suppress_errors):
                    failure = failure or _as_exception(error)
                    stop.set()
                    continue
                if status == "error" and not options.return_exception_objects:
                    error = error_message(error) if isinstance(error, BaseException) else error
                tally.add(key, status, error)
                if options.cancel is not None and options.cancel.is_set():
                    stop.set()
            pool.close()
            pool.join()
    finally:
        _WORKER.clear()
    if failure is not None:
        raise failure
    return tally.result()


def _as_exception(error: Any) -> BaseException:
    return error if isinstance(error, BaseException) else DataJointError(str(error))
