"""A populate running in a background thread: what ``T.populate(..., background=True)`` returns.

The run owns a daemon thread that calls ``T.populate(...)`` on that thread's own
driver connection (a :class:`~dj_jupyter.connection.Connection` opens one per thread),
so the caller stays free for other queries.  Progress is kept as a frozen
:class:`RunStatus` snapshot, replaced after every key and handed to the listeners
(:meth:`BackgroundPopulate.subscribe`); :meth:`~BackgroundPopulate.cancel` stops the
run after the current key (its transaction commits whole), :meth:`~BackgroundPopulate.wait`
blocks until the end and returns populate's result.

This module imports nothing from Jupyter: in a notebook the jupyter layer displays a
run as its live ``PopulateWidget`` (``%load_ext dj_jupyter`` registers that display).
Outside a notebook the run works the same; its ``repr`` is a one-line summary.

Failed keys are listed with their message and traceback.  populate's callback only
says how many keys failed, so the details of each failure come from the error that
populate logs in the run's thread (kept out of the caller's output: logged from a
thread, it would be printed into whichever notebook cell ran last).
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..errors import DataJointError
from .runner import error_message

__all__ = ["BackgroundPopulate", "RunStatus", "background_options"]

logger = logging.getLogger("dj_jupyter")

STATES = ("starting", "running", "done", "cancelled", "error")


@dataclass(frozen=True)
class RunStatus:
    """One snapshot of a background populate.

    Attributes
    ----------
    table_name : str
        The class name of the table.
    state : str
        ``"starting"``, ``"running"``, ``"done"``, ``"cancelled"`` or ``"error"`` (populate raised).
    total, done, failed : int
        Keys to compute, computed, failed (``total`` is 0 until the first key finishes).
    elapsed, rate : float
        Seconds since the start (at the last finished key); keys finished per second.
    eta : float or None
        Seconds left at the current rate (None before the first key and after a cancel).
    message : str
        Why populate stopped, when ``state == "error"``.
    errors : tuple of dict
        Failed keys: ``key`` (the key's dict), ``message``, ``traceback``.
    cancel_requested : bool
        :meth:`BackgroundPopulate.cancel` was called.
    """

    table_name: str
    state: str = "starting"
    total: int = 0
    done: int = 0
    failed: int = 0
    elapsed: float = 0.0
    rate: float = 0.0
    eta: float | None = None
    message: str = ""
    errors: tuple = ()
    cancel_requested: bool = False

    @property
    def finished(self) -> bool:
        """The run is over (done, cancelled or error)."""
        return self.state in ("done", "cancelled", "error")

    def summary(self) -> str:
        """One line: ``"Session: 12/40 done, 1 failed (running)"``."""
        return f"{self.table_name}: {self.done}/{self.total} done, {self.failed} failed ({self.state})"


class _ThreadErrors(logging.Filter):
    """Takes the "Error making" records (message, traceback) that populate logs in one thread; others pass."""

    def __init__(self, thread_id: int) -> None:
        super().__init__()
        self.thread_id = thread_id
        self.found: list[tuple[str, str]] = []

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        if (record.thread == self.thread_id and record.levelno >= logging.ERROR and len(args) == 4
                and str(record.msg).startswith("Error making")):
            self.found.append((str(args[2]), str(args[3])))
            return False
        return True


_NOT_IN_BACKGROUND = {
    "callback": "the run is populate's progress callback (subscribe to the run instead)",
    "cancel": "the run's cancel() (or the widget's cancel button) sets populate's cancel event",
    "processes": "a background populate runs in one thread; for worker processes use populate(processes=N) "
                 "or the worker CLI (python -m dj_jupyter worker)",
}


def background_options(kwargs: dict, caller: str = "populate(background=True)") -> dict:
    """populate's keyword arguments for a background run (no printing; exception objects kept for tracebacks).

    Raises
    ------
    DataJointError
        ``callback``, ``cancel`` or ``processes > 1`` given: the run owns the first two.
    """
    for name, why in _NOT_IN_BACKGROUND.items():
        if name in kwargs and not (name == "processes" and kwargs[name] == 1) and kwargs[name] is not None:
            raise DataJointError(f"{caller} does not take {name}=: {why}.")
    options = {k: v for k, v in kwargs.items() if k not in ("callback", "cancel", "processes", "background")}
    options.pop("display_progress", None)  # printing from a thread lands in the wrong notebook cell
    options["return_exception_objects"] = True  # the traceback of each failure is kept
    return options


class BackgroundPopulate:
    """``T.populate(...)`` running in a daemon thread; returned by ``T.populate(..., background=True)``.

    Parameters
    ----------
    table : Imported or Computed table (class or instance)
        The table to populate.
    restrictions : tuple
        Restrictions of the key source, as for ``populate(*restrictions)``.
    populate_kwargs : dict, optional
        Other keyword arguments of ``populate`` (``reserve_jobs``, ``suppress_errors``, ``max_calls``...).
    caller : str
        How the user asked for the run (named in error messages).

    Examples
    --------
    >>> run = Spikes.populate(reserve_jobs=True, background=True)   # doctest: +SKIP
    >>> run.status().summary()                                       # doctest: +SKIP
    'Spikes: 3/40 done, 0 failed (running)'
    >>> run.wait()["success_count"]                                  # doctest: +SKIP
    40
    """

    def __init__(self, table: Any, restrictions: tuple = (), populate_kwargs: dict | None = None, *,
                 caller: str = "populate(background=True)") -> None:
        table = table() if isinstance(table, type) else table
        kwargs = dict(populate_kwargs or {})
        self._options = background_options(kwargs, caller)
        self._return_objects = bool(kwargs.get("return_exception_objects", False))
        self._table, self._restrictions = table, tuple(restrictions)
        self._status = RunStatus(type(table).__name__)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[RunStatus], None]] = []
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._capture: _ThreadErrors | None = None
        self.result: dict | None = None
        self.exception: BaseException | None = None

    # ------------------------------------------------------------------ state
    @property
    def table(self) -> Any:
        """The table being populated."""
        return self._table

    @property
    def running(self) -> bool:
        """Whether the populate thread is still alive."""
        return self._thread is not None and self._thread.is_alive()

    def status(self) -> RunStatus:
        """The latest snapshot."""
        return self._status

    def __getattr__(self, name: str) -> Any:
        if name in RunStatus.__dataclass_fields__:  # run.done, run.state... read the latest snapshot
            return getattr(self._status, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def summary(self) -> str:
        """One line: ``"Session: 12/40 done, 1 failed (running)"``."""
        return self._status.summary()

    def __repr__(self) -> str:
        return f"<BackgroundPopulate {self.summary()}>"

    def subscribe(self, listener: Callable[[RunStatus], None]) -> Callable[[], None]:
        """Call ``listener(status)`` after every change (from the run's thread); returns the unsubscribe function."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _publish(self, **changes: Any) -> None:
        with self._lock:
            self._status = replace(self._status, **changes)
            status, listeners = self._status, list(self._listeners)
        for listener in listeners:
            try:
                listener(status)
            except Exception:  # a broken display must not stop the computation
                logger.exception("A listener of the background populate of %s failed", status.table_name)

    # ------------------------------------------------------------------ control
    def start(self) -> BackgroundPopulate:
        """Start populate in a daemon thread; returns at once."""
        if self._thread is not None:
            raise DataJointError("This background populate was already started; call populate(background=True) "
                                 "again for a new run.")
        self._thread = threading.Thread(target=self._run, name=f"dj-populate-{self._status.table_name}", daemon=True)
        self._publish(state="running")
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Stop after the current key (its rows are committed whole; no other key starts)."""
        self._cancel.set()
        self._publish(cancel_requested=True)

    def join(self, timeout: float | None = None) -> bool:
        """Block until the thread ended (or ``timeout`` passed); True if it ended."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def wait(self, timeout: float | None = None) -> dict | None:
        """Block until populate finished (or ``timeout`` seconds passed); returns its result.

        Raises
        ------
        Exception
            The exception populate raised (e.g. the first failed key without ``suppress_errors``).
        """
        self.join(timeout)
        if self.exception is not None:
            raise self.exception
        return self.result

    # ------------------------------------------------------------------ the thread
    def _run(self) -> None:
        connection = self._table.connection
        capture = self._capture = _ThreadErrors(threading.get_ident())
        logger.addFilter(capture)
        try:
            raw = self._table.populate(*self._restrictions, **self._options, callback=self._progress,
                                       cancel=self._cancel)
        except BaseException as exc:  # noqa: BLE001 - kept in the run; wait() raises it
            self._fail(exc)
        else:
            self._finish(raw)
        finally:
            logger.removeFilter(capture)
            connection.close()  # this thread's driver connection only

    def _progress(self, progress: dict) -> None:
        done, failed, total, elapsed = progress["done"], progress["failed"], progress["total"], progress["elapsed"]
        errors = list(self._status.errors)
        while len(errors) < failed:  # a key just failed: its details come from populate's error log
            found = self._capture.found.pop(0) if self._capture and self._capture.found else ("", "")
            errors.append({"key": dict(progress["key"]), "message": found[0], "traceback": found[1]})
        rate = (done + failed) / elapsed if elapsed > 0 else 0.0
        left = max(total - done - failed, 0)
        self._publish(total=total, done=done, failed=failed, elapsed=elapsed, rate=rate,
                      eta=left / rate if rate > 0 else None, errors=tuple(errors))

    def _finish(self, raw: dict) -> None:
        errors = tuple({"key": dict(key), "message": error_message(e) if isinstance(e, BaseException) else str(e),
                        "traceback": traceback_text(e)} for key, e in raw["error_list"])
        self.result = _as_requested(raw, self._return_objects)
        status = self._status
        finished_keys = raw["success_count"] + len(errors)
        # cancelled before the first key finished, populate never said how many keys it had
        cancelled = self._cancel.is_set() and (finished_keys < status.total or status.total == 0)
        self._publish(errors=errors, failed=len(errors), done=raw["success_count"],
                      eta=None if cancelled else 0.0, state="cancelled" if cancelled else "done")

    def _fail(self, exc: BaseException) -> None:
        self.exception = exc
        entry = {"key": {}, "message": error_message(exc), "traceback": traceback_text(exc)}
        self._publish(errors=(*self._status.errors, entry), message=error_message(exc), eta=None, state="error")


def traceback_text(exc: Any) -> str:
    """The formatted traceback of an exception object ("" for an error given as text)."""
    if isinstance(exc, BaseException):
        return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return ""


def _as_requested(raw: dict, return_objects: bool) -> dict:
    """populate's result in the form the caller asked for (error strings unless exception objects were asked)."""
    if return_objects:
        return raw
    return {"success_count": raw["success_count"],
            "error_list": [(key, error_message(e) if isinstance(e, BaseException) else e)
                           for key, e in raw["error_list"]]}
