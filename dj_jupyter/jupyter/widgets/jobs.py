"""``JobsView``: who is computing what, from the jobs table (``T.jobs.reserved``) of an auto-populated table.

Shows the keys reserved right now with the host and process holding them (workers on
any machine, not only this kernel) and the counts by status.  :meth:`JobsView.follow`
refreshes it from a daemon timer thread while a background populate runs.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from ...errors import DataJointError
from ...populate.jobs import Job
from .paging import cell_text

__all__ = ["JobsView"]

HERE = Path(__file__).parent

_WORKER_COLUMNS = ("host", "pid", "user", "connection_id", "reserved_time")


class JobsView(anywidget.AnyWidget):
    """The reserved jobs of an auto-populated table, by host and process.

    Parameters
    ----------
    table : Imported or Computed table (class or instance)
        Whose jobs table to read.  A missing jobs table is not created: it shows as empty.
    interval : float
        Seconds between refreshes while following a run (:meth:`follow`).

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

    Examples
    --------
    >>> view = JobsView(Spikes)                            # doctest: +SKIP
    >>> view.follow(populate_in_background(Spikes, reserve_jobs=True))   # doctest: +SKIP
    """

    _esm = HERE / "jobs.js"
    _css = HERE / "populate.css"

    table_name = t.Unicode("").tag(sync=True)
    rows = t.List(t.Dict()).tag(sync=True)
    counts = t.Dict().tag(sync=True)
    updated = t.Unicode("").tag(sync=True)
    error = t.Unicode("").tag(sync=True)

    def __init__(self, table: Any, *, interval: float = 2.0, **kwargs: Any) -> None:
        table = table() if isinstance(table, type) else table
        super().__init__(table_name=type(table).__name__, **kwargs)
        self._table = table
        self.interval = float(interval)
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None
        self.refresh()

    def refresh(self) -> None:
        """Read the reserved jobs and the counts by status now."""
        try:
            jobs = Job(self._table, declare=False)
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

    def follow(self, run: Any) -> JobsView:
        """Refresh every :attr:`interval` seconds from a daemon thread until ``run`` ends, then once more.

        ``run`` is a :class:`PopulateWidget` or a ``threading.Thread``.
        """
        self.stop()
        self._stop = threading.Event()
        self._timer = threading.Thread(target=self._follow, args=(run, self._stop), name="dj-jobs-view", daemon=True)
        self._timer.start()
        return self

    def stop(self) -> None:
        """Stop refreshing (the timer thread ends after its current refresh)."""
        self._stop.set()
        if self._timer is not None and self._timer is not threading.current_thread():
            self._timer.join()
        self._timer = None

    def _follow(self, run: Any, stop: threading.Event) -> None:
        alive = (lambda: run.running) if hasattr(run, "running") else run.is_alive
        connection = self._table.connection
        try:
            while not stop.wait(self.interval):
                finished = not alive()
                self.refresh()
                if finished:
                    break
        finally:
            connection.close()  # this thread's driver connection only
