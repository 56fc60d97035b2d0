"""Background populate with live progress: ``populate_in_background(T)`` returns a ``PopulateWidget`` at once.

``T.populate(...)`` runs in a daemon thread on that thread's own driver connection, so
the notebook's kernel stays free for other cells.  Progress travels from populate's
callback into widget traits (never printed: since ipykernel 7 output printed from a
thread lands in whatever cell ran last).  The cancel button sends
``{"type": "cancel"}``, which sets populate's cancel event: the current key finishes
(its transaction commits whole) and no further key starts.

Failed keys are listed with their message and traceback.  populate's callback only
says how many keys failed, so the message and traceback of each failure are picked
up from the error that populate logs in the worker thread (kept out of the cell
output), and replaced by the exception objects of populate's ``error_list`` when the
run ends.
"""

from __future__ import annotations

import logging
import threading
import traceback
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from ...errors import DataJointError
from ...populate.runner import error_message
from .messages import parse_message
from .paging import cell_text

__all__ = ["PopulateWidget", "populate_in_background"]

HERE = Path(__file__).parent
logger = logging.getLogger("dj_jupyter")

STATES = ("starting", "running", "done", "cancelled", "error")


def _key_text(key: dict) -> dict[str, str]:
    return {k: cell_text(v) for k, v in key.items()}


class _ThreadErrors(logging.Filter):
    """Takes the "Error making" records (message, traceback) that populate logs in one thread.

    They are shown in the widget instead: logged from a thread, they would be printed
    into whichever cell ran last.  Every other record passes.
    """

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


class PopulateWidget(anywidget.AnyWidget):
    """Live progress of a populate running in a background thread, with a cancel button.

    Create it with :func:`populate_in_background`; or construct it and call :meth:`start`
    (attach observers first).

    Parameters
    ----------
    table : Imported or Computed table (class or instance)
        The table to populate.
    restrictions : tuple
        Restrictions of the key source, as for ``populate(*restrictions)``.
    populate_kwargs : dict, optional
        Keyword arguments of ``populate`` (``reserve_jobs``, ``max_calls``, ``make_kwargs``...).

    Attributes
    ----------
    table_name : str
        The class name of the table.
    total, done, failed : int
        Keys to compute, computed, failed (``total`` is 0 until the first key finishes).
    elapsed, rate : float
        Seconds since the start; keys finished per second.
    eta : float or None
        Seconds left at the current rate (None before the first key).
    state : str
        ``"starting"``, ``"running"``, ``"done"``, ``"cancelled"`` or ``"error"`` (populate raised).
    message : str
        Why populate stopped, when ``state == "error"``.
    errors : list of dict
        Failed keys: ``key`` (attribute -> text), ``message``, ``traceback``.
    cancel_requested : bool
        The cancel button (or :meth:`cancel`) was used.
    result : dict or None
        populate's return value once it finished (``success_count``, ``error_list``).
    """

    _esm = HERE / "populate.js"
    _css = HERE / "populate.css"

    table_name = t.Unicode("").tag(sync=True)
    total = t.Int(0).tag(sync=True)
    done = t.Int(0).tag(sync=True)
    failed = t.Int(0).tag(sync=True)
    elapsed = t.Float(0.0).tag(sync=True)
    rate = t.Float(0.0).tag(sync=True)
    eta = t.Float(None, allow_none=True).tag(sync=True)
    state = t.Unicode("starting").tag(sync=True)
    message = t.Unicode("").tag(sync=True)
    errors = t.List(t.Dict()).tag(sync=True)
    cancel_requested = t.Bool(False).tag(sync=True)

    def __init__(self, table: Any, restrictions: tuple = (), populate_kwargs: dict | None = None, **kwargs: Any) -> None:
        table = table() if isinstance(table, type) else table
        populate_kwargs = dict(populate_kwargs or {})
        options = _populate_options(populate_kwargs)
        super().__init__(table_name=type(table).__name__, **kwargs)
        self._table, self._restrictions, self._options = table, tuple(restrictions), options
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._capture: _ThreadErrors | None = None
        # the caller's wish; the widget itself always asks populate for exception objects (for tracebacks)
        self._return_objects = bool(populate_kwargs.get("return_exception_objects", False))
        self.result: dict | None = None
        self.exception: BaseException | None = None
        self.on_msg(self._on_message)

    @property
    def table(self) -> Any:
        """The table being populated."""
        return self._table

    @property
    def running(self) -> bool:
        """Whether the populate thread is still alive."""
        return self._thread is not None and self._thread.is_alive()

    # ------------------------------------------------------------------ control
    def start(self) -> PopulateWidget:
        """Start populate in a daemon thread; returns at once."""
        if self._thread is not None:
            raise DataJointError("This populate was already started; call populate_in_background() again for a new run.")
        self._thread = threading.Thread(target=self._run, name=f"dj-populate-{self.table_name}", daemon=True)
        self.state = "running"
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Stop after the current key (its rows are committed whole; no other key starts)."""
        self._cancel.set()
        self.cancel_requested = True

    def wait(self, timeout: float | None = None) -> dict | None:
        """Block until populate finished (or ``timeout`` seconds passed); returns :attr:`result`."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.result

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        try:
            parse_message(content, "cancel")
        except DataJointError as exc:
            self.message = str(exc)
            return
        self.cancel()

    # ------------------------------------------------------------------ the thread
    def _run(self) -> None:
        connection = self._table.connection
        capture = self._capture = _ThreadErrors(threading.get_ident())
        logger.addFilter(capture)
        try:
            raw = self._table.populate(*self._restrictions, **self._options, callback=self._progress,
                                       cancel=self._cancel)
        except BaseException as exc:  # noqa: BLE001 - reported in the widget; the thread ends quietly
            self._fail(exc)
        else:
            self._finish(raw)
        finally:
            logger.removeFilter(capture)
            connection.close()  # this thread's driver connection only

    def _progress(self, progress: dict) -> None:
        done, failed, total, elapsed = progress["done"], progress["failed"], progress["total"], progress["elapsed"]
        new_errors = list(self.errors)
        while len(new_errors) < failed:  # a key just failed: its details come from populate's error log
            found = self._capture.found.pop(0) if self._capture and self._capture.found else ("", "")
            new_errors.append({"key": _key_text(progress["key"]), "message": found[0], "traceback": found[1]})
        rate = (done + failed) / elapsed if elapsed > 0 else 0.0
        left = max(total - done - failed, 0)
        with self.hold_sync():
            self.total, self.done, self.failed, self.elapsed, self.rate = total, done, failed, elapsed, rate
            self.eta = left / rate if rate > 0 else None
            if len(new_errors) != len(self.errors):
                self.errors = new_errors

    def _finish(self, raw: dict) -> None:
        errors = [{"key": _key_text(key), "message": error_message(exc) if isinstance(exc, BaseException) else str(exc),
                   "traceback": _traceback_text(exc)} for key, exc in raw["error_list"]]
        self.result = _as_requested(raw, self._return_objects)
        cancelled = self._cancel.is_set() and raw["success_count"] + len(errors) < self.total
        with self.hold_sync():
            self.errors, self.failed, self.done = errors, len(errors), raw["success_count"]
            self.eta = None if cancelled else 0.0
            self.state = "cancelled" if cancelled else "done"

    def _fail(self, exc: BaseException) -> None:
        self.exception = exc
        entry = {"key": {}, "message": error_message(exc), "traceback": _traceback_text(exc)}
        with self.hold_sync():
            self.errors = [*self.errors, entry]
            self.message = error_message(exc)
            self.eta = None
            self.state = "error"

    # ------------------------------------------------------------------ static rendering
    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        data["text/plain"] = self.summary()
        return data, metadata

    def summary(self) -> str:
        """One line: ``"Session: 12/40 done, 1 failed (running)"``."""
        return f"{self.table_name}: {self.done}/{self.total} done, {self.failed} failed ({self.state})"


def _traceback_text(exc: Any) -> str:
    if isinstance(exc, BaseException):
        return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return ""


def _as_requested(raw: dict, return_objects: bool) -> dict:
    """populate's result in the form the caller asked for (error strings unless exception objects were asked)."""
    if return_objects:
        return raw
    return {"success_count": raw["success_count"],
            "error_list": [(key, error_message(e) if isinstance(e, BaseException) else e) for key, e in raw["error_list"]]}


_NOT_IN_BACKGROUND = {
    "callback": "the widget is populate's progress callback",
    "cancel": "the widget's cancel button (or widget.cancel()) sets populate's cancel event",
    "processes": "a background populate runs in one thread; for worker processes use populate(processes=N) "
                 "in a cell or the worker CLI (python -m dj_jupyter worker)",
}


def _populate_options(kwargs: dict) -> dict:
    """populate's keyword arguments for a background run (errors collected, not raised; no printing)."""
    for name, why in _NOT_IN_BACKGROUND.items():
        if name in kwargs and not (name == "processes" and kwargs[name] == 1):
            raise DataJointError(f"populate_in_background() does not take {name}=: {why}.")
    options = dict(kwargs)
    options.pop("display_progress", None)  # progress shows in the widget; printing from a thread is lost
    options.setdefault("suppress_errors", True)
    options["return_exception_objects"] = True  # the traceback of each failure is kept for the widget
    return options


def populate_in_background(table: Any, *restrictions: Any, **kwargs: Any) -> PopulateWidget:
    """Populate ``table`` in a background thread; returns a live progress widget at once.

    Parameters
    ----------
    table : Imported or Computed table (class or instance)
        The table to populate.
    *restrictions
        Restrict the key source, as for ``T.populate(*restrictions)``.
    **kwargs
        Other ``populate`` arguments (``reserve_jobs``, ``max_calls``, ``make_kwargs``,
        ``priority``, ``refresh``, ``suppress_errors``, ``return_exception_objects``).
        ``suppress_errors`` defaults to True here: failed keys are listed in the widget
        and the run goes on.  ``display_progress`` is ignored (the widget shows it).

    Returns
    -------
    PopulateWidget
        Display it to watch progress; ``widget.wait()`` blocks until the end and
        returns populate's result; ``widget.cancel()`` stops after the current key.

    Raises
    ------
    DataJointError
        ``callback``, ``cancel`` or ``processes > 1`` given (the widget owns the first two).

    Examples
    --------
    >>> w = populate_in_background(Spikes, reserve_jobs=True)   # doctest: +SKIP
    >>> w                                                       # doctest: +SKIP
    >>> w.wait()["success_count"]                               # doctest: +SKIP
    """
    return PopulateWidget(table, restrictions, kwargs).start()
