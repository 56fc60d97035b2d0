"""Periodic refresh of a status widget from a daemon thread (:class:`StatusPoller`).

The pipeline view and the jobs view read their status from the database, so work done
by other processes and hosts (workers reserving keys through the jobs table) shows up
only if they read it again.  A poller calls the widget's refresh every ``interval``
seconds and stops by itself once nothing is running and nothing has changed for
``idle_rounds`` rounds, when the widget closes, or on :meth:`StatusPoller.stop`.
The thread queries through its own driver connection, closed when it ends.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from ...errors import DataJointError

__all__ = ["StatusPoller"]

logger = logging.getLogger("dj_jupyter")


class StatusPoller:
    """Calls ``refresh()`` every ``interval`` seconds from a daemon thread until stopped or idle.

    Parameters
    ----------
    refresh : callable
        Reads and shows the status; returns ``(snapshot, busy)``: a comparable
        snapshot of what it showed, and whether work is going on (keys reserved, a run alive);
        or None to stop polling after this round.
    connection : Connection or None
        The connection ``refresh`` queries through (the thread's driver connection is closed at the end).
    interval : float
        Seconds between refreshes.
    idle_rounds : int
        Stop after this many rounds in a row that were not busy and changed nothing.
    name : str
        The thread's name.
    """

    def __init__(self, refresh: Callable[[], tuple[Any, bool] | None], connection: Any, *, interval: float = 2.0,
                 idle_rounds: int = 15, name: str = "dj-status-poller") -> None:
        if interval <= 0 or idle_rounds < 1:
            raise DataJointError(f"A status poller needs interval > 0 and idle_rounds >= 1; got {interval!r}, "
                                 f"{idle_rounds!r}.")
        self._refresh, self._connection = refresh, connection
        self.interval, self.idle_rounds, self.name = float(interval), int(idle_rounds), name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.rounds = 0

    @property
    def running(self) -> bool:
        """Whether the polling thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> StatusPoller:
        """Start polling (nothing happens if it is already polling)."""
        if self.running:
            return self
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, args=(self._stop,), name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self, *, wait: bool = True) -> None:
        """Stop polling; with ``wait``, until the thread has ended (after its current refresh)."""
        self._stop.set()
        thread = self._thread
        if wait and thread is not None and thread is not threading.current_thread():
            thread.join()

    def join(self, timeout: float | None = None) -> bool:
        """Block until the thread ended by itself (or ``timeout`` passed); True if it ended."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def _loop(self, stop: threading.Event) -> None:
        last, idle = None, 0
        try:
            while not stop.wait(self.interval):
                try:
                    outcome = self._refresh()
                except Exception as exc:  # noqa: BLE001 - a failed round (a dropped table...) ends polling quietly
                    logger.debug("%s stopped: %s", self.name, exc)
                    return
                self.rounds += 1
                if outcome is None:
                    return
                snapshot, busy = outcome
                idle = 0 if busy or snapshot != last else idle + 1
                last = snapshot
                if idle >= self.idle_rounds:
                    return
        finally:
            if self._connection is not None:
                self._connection.close()  # this thread's driver connection only
