"""``JobsView``: who is computing what, from the jobs table (``T.jobs.reserved``) of an auto-populated table.

Shows the keys reserved right now with the host and process holding them (workers on
any machine, not only this kernel) and the counts by status.  Once displayed it
re-reads the jobs table every :attr:`~JobsView.interval` seconds from a daemon thread
(:class:`~.polling.StatusPoller`), until the widget closes or nothing has been
reserved or changed for a while; :meth:`JobsView.poll` starts it again, and
:meth:`JobsView.follow` polls while a background populate runs.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import traitlets as t

from ...errors import DataJointError
from ...populate.jobs import Job
from ...schema.catalog_state import state_of
from .lean import LeanAnyWidget, asset
from .paging import cell_text
from .polling import StatusPoller

__all__ = ["JobsView", "jobs_of"]

HERE = Path(__file__).parent

_WORKER_COLUMNS = ("host", "pid", "user", "connection_id", "reserved_time")


def jobs_of(table: Any) -> Job:
    """The jobs table of ``table``, not created if missing, but looked for again in the catalog.

    A worker in another process or on another host creates the jobs table on its first
    populate; this connection's cached catalog would not know it yet.
    """
    jobs = Job(table, declare=False)
    if not jobs.exists:
        state_of(jobs.connection).invalidate(jobs.database)
    return jobs


class JobsView(LeanAnyWidget):
    """The reserved jobs of an auto-populated table, by host and process.

    Parameters
    ----------
    table : Imported or Computed table (class or instance)
        Whose jobs table to read.  A missing jobs table is not created: it shows as empty.
    interval : float
        Seconds between refreshes while polling.
    idle_rounds : int
        Polling stops after this many refreshes in a row with no key reserved and nothing changed.

    Attributes
    ----------
    table_name : str
        The class name of the table.
    rows : list of dict
        One per reserved key: ``key`` (text), ``host``, ``pid``, ``user``,
        ``connection_id``, ``reserved_time`` (all text).
    counts : dict
        Jobs by status (``pending``, ``reserved``, ``success``, ``error``, ``ignore``, ``total``).
    updated : str
        Local time of the last refresh.
    error : str
        Why the last refresh failed; "" when it worked.
    poller : StatusPoller
        The periodic refresh (``poller.running``).
    layout : ipywidgets.Layout
        As for any widget; made when the widget is first shown or ``layout`` first read
        (see :mod:`.lean`: read it before showing the widget inside a container, to style it later).

    Examples
    --------
    >>> view = JobsView(Spikes)                            # doctest: +SKIP
    >>> view.follow(Spikes.populate(reserve_jobs=True, background=True))   # doctest: +SKIP
    """

    _esm = asset(HERE / "jobs.js")
    _css = asset(HERE / "populate.css")

    table_name = t.Unicode("").tag(sync=True)
    rows = t.List(t.Dict()).tag(sync=True)
    counts = t.Dict().tag(sync=True)
    updated = t.Unicode("").tag(sync=True)
    error = t.Unicode("").tag(sync=True)

    def __init__(self, table: Any, *, interval: float = 2.0, idle_rounds: int = 15, **kwargs: Any) -> None:
        table = table() if isinstance(table, type) else table
        super().__init__(table_name=type(table).__name__, **kwargs)
        self._table = table
        self._run: Any = None
        self.poller = StatusPoller(self._poll_once, table.connection, interval=interval, idle_rounds=idle_rounds,
                                   name="dj-jobs-view")
        self.refresh()

    @property
    def interval(self) -> float:
        """Seconds between refreshes while polling."""
        return self.poller.interval

    @interval.setter
    def interval(self, value: float) -> None:
        self.poller.interval = float(value)

    def refresh(self) -> None:
        """Read the reserved jobs and the counts by status now."""
        try:
            jobs = jobs_of(self._table)
            rows = self._reserved(jobs) if jobs.exists else []
            counts = jobs.progress()
        except DataJointError as exc:
            self.error = str(exc)
            return
        with self.hold_sync():
            self.rows, self.counts, self.error = rows, counts, ""
            self.updated = time.strftime("%H:%M:%S")

    def _reserved(self, jobs: Job) -> list[dict]:
        key = list(jobs.primary_key)
        out = []
        for row in jobs.reserved.proj(*_WORKER_COLUMNS).to_dicts(order_by=["reserved_time", *key]):
            out.append({"key": ", ".join(f"{k}={cell_text(row[k])}" for k in key),
                        **{c: cell_text(row[c]) for c in _WORKER_COLUMNS}})
        return out

    # ------------------------------------------------------------------ polling
    def poll(self) -> JobsView:
        """Refresh every :attr:`interval` seconds from a daemon thread until closed or idle (see the class)."""
        self.poller.start()
        return self

    def follow(self, run: Any) -> JobsView:
        """Refresh every :attr:`interval` seconds until ``run`` ends, then once more, and stop.

        ``run`` is a ``BackgroundPopulate``, a :class:`PopulateWidget` or a ``threading.Thread``.
        """
        self.poller.stop()
        self._run = run
        return self.poll()

    def stop(self) -> None:
        """Stop refreshing (the thread ends after its current refresh)."""
        self.poller.stop()

    def _poll_once(self) -> tuple[Any, bool] | None:
        run = self._run
        finished = run is not None and not (run.running if hasattr(run, "running") else run.is_alive())
        self.refresh()
        if finished:
            self._run = None
            return None
        busy = run is not None or self.counts.get("reserved", 0) > 0
        return (self.rows, self.counts, self.error), busy

    @property
    def _timer(self) -> Any:
        """The polling thread (None before the first poll)."""
        return self.poller._thread

    def close(self) -> None:
        """Stop polling and close the widget."""
        if hasattr(self, "poller"):  # not when __init__ failed
            self.poller.stop(wait=False)
        super().close()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget; displaying it starts polling."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None:
            self.poll()
        return bundle
