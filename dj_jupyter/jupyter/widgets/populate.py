"""``PopulateWidget``: the live view of a background populate (``BackgroundPopulate``).

``T.populate(..., background=True)`` returns a run handle from the core; with
``%load_ext dj_jupyter`` a notebook displays it as this widget
(:mod:`dj_jupyter.jupyter.display`).  ``populate_in_background(T)`` starts the same
kind of run and returns its widget.  The widget copies every snapshot of the run into
its traits (never printed: since ipykernel 7 output printed from a thread lands in
whatever cell ran last).  The cancel button sends ``{"type": "cancel"}``, which
cancels the run: the current key finishes (its transaction commits whole) and no
further key starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import traitlets as t

from ...errors import DataJointError
from ...populate.background import STATES, BackgroundPopulate, RunStatus
from .lean import LeanAnyWidget, asset
from .messages import parse_message
from .paging import cell_text

__all__ = ["STATES", "PopulateWidget", "populate_in_background"]

HERE = Path(__file__).parent


def _key_text(key: dict) -> dict[str, str]:
    return {k: cell_text(v) for k, v in key.items()}


class PopulateWidget(LeanAnyWidget):
    """Live progress of a populate running in a background thread, with a cancel button.

    Parameters
    ----------
    table : Imported or Computed table (class or instance), or BackgroundPopulate
        The table to populate (a new run, started by :meth:`start`), or a run to show.
    restrictions : tuple
        Restrictions of the key source, as for ``populate(*restrictions)`` (new runs only).
    populate_kwargs : dict, optional
        Keyword arguments of ``populate`` (``reserve_jobs``, ``max_calls``, ``make_kwargs``...).

    Attributes
    ----------
    run : BackgroundPopulate
        The run shown.
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
    layout : ipywidgets.Layout
        As for any widget; made when the widget is first shown or ``layout`` first read
        (see :mod:`.lean`: read it before showing the widget inside a container, to style it later).
    """

    _esm = asset(HERE / "populate.js")
    _css = asset(HERE / "populate.css")

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

    def __init__(self, table: Any, restrictions: tuple = (), populate_kwargs: dict | None = None,
                 **kwargs: Any) -> None:
        if isinstance(table, BackgroundPopulate):
            run = table
        else:
            run = BackgroundPopulate(table, restrictions, populate_kwargs, caller="populate_in_background()")
        super().__init__(table_name=run.status().table_name, **kwargs)
        self.run = run
        self._show(run.status())
        self._unsubscribe = run.subscribe(self._show)

    # ------------------------------------------------------------------ the run
    @property
    def table(self) -> Any:
        """The table being populated."""
        return self.run.table

    @property
    def running(self) -> bool:
        """Whether the populate thread is still alive."""
        return self.run.running

    @property
    def result(self) -> dict | None:
        """populate's return value once it finished (``success_count``, ``error_list``)."""
        return self.run.result

    @property
    def exception(self) -> BaseException | None:
        """What populate raised, when ``state == "error"``."""
        return self.run.exception

    def start(self) -> PopulateWidget:
        """Start the run in a daemon thread; returns at once."""
        self.run.start()
        return self

    def cancel(self) -> None:
        """Stop after the current key (its rows are committed whole; no other key starts)."""
        self.run.cancel()

    def wait(self, timeout: float | None = None) -> dict | None:
        """Block until populate finished (or ``timeout`` seconds passed); returns :attr:`result`.

        Unlike ``BackgroundPopulate.wait`` this does not raise what populate raised: the
        widget shows it (``state == "error"``, :attr:`message`, :attr:`exception`).
        """
        self.run.join(timeout)
        return self.run.result

    def close(self) -> None:
        """Stop following the run (the run goes on) and close the widget."""
        unsubscribe = getattr(self, "_unsubscribe", None)  # None when __init__ failed
        if unsubscribe is not None:
            unsubscribe()
        super().close()

    def _on_front_end_message(self, content: Any, _buffers: Any) -> None:
        try:
            parse_message(content, "cancel")
        except DataJointError as exc:
            self.message = str(exc)
            return
        self.cancel()

    def _show(self, status: RunStatus) -> None:
        with self.hold_sync():
            self.total, self.done, self.failed = status.total, status.done, status.failed
            self.elapsed, self.rate, self.eta = status.elapsed, status.rate, status.eta
            if len(status.errors) != len(self.errors) or status.finished:
                self.errors = [{**e, "key": _key_text(e["key"])} for e in status.errors]
            self.message, self.cancel_requested = status.message, status.cancel_requested
            self.state = status.state

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
        return self.run.summary()


def populate_in_background(table: Any, *restrictions: Any, **kwargs: Any) -> PopulateWidget:
    """Populate ``table`` in a background thread; returns a live progress widget at once.

    The same run as ``table.populate(*restrictions, background=True, **kwargs)``, shown as
    its widget, except that ``suppress_errors`` defaults to True here: failed keys are
    listed in the widget and the run goes on.

    Parameters
    ----------
    table : Imported or Computed table (class or instance)
        The table to populate.
    *restrictions
        Restrict the key source, as for ``T.populate(*restrictions)``.
    **kwargs
        Other ``populate`` arguments (``reserve_jobs``, ``max_calls``, ``make_kwargs``,
        ``priority``, ``refresh``, ``suppress_errors``, ``return_exception_objects``).
        ``display_progress`` is ignored (the widget shows it).

    Returns
    -------
    PopulateWidget
        Display it to watch progress; ``widget.wait()`` blocks until the end and
        returns populate's result; ``widget.cancel()`` stops after the current key.

    Raises
    ------
    DataJointError
        ``callback``, ``cancel`` or ``processes > 1`` given (the run owns the first two).

    Examples
    --------
    >>> w = populate_in_background(Spikes, reserve_jobs=True)   # doctest: +SKIP
    >>> w                                                       # doctest: +SKIP
    >>> w.wait()["success_count"]                               # doctest: +SKIP
    """
    kwargs.setdefault("suppress_errors", True)
    return PopulateWidget(table, restrictions, kwargs).start()
