"""Stopping on SIGTERM at a safe point.

While distributed populate runs, SIGTERM asks the worker to stop.  Inside the user's
``make`` (which may run for hours) the request raises :class:`SystemExit` at once: the
transaction rolls back and the key is released.  Anywhere else (a jobs-table update, a
commit) it is deferred to the end of the current key, so that no reservation is left
half-updated by an exception raised in the middle of a database call.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["interruptible", "raise_if_stop_requested", "sigterm_stops"]


class _State(threading.local):
    """Per thread: only the main thread receives signals, but workers in threads share the code."""

    requested = False
    interruptible = 0
    installed = False


_STATE = _State()


def _message(signum: int) -> str:
    return f"Received signal {signum}: stopped after releasing or finishing the current key."


def _on_sigterm(signum: int, frame: Any) -> None:
    _STATE.requested = True
    if _STATE.interruptible:
        raise SystemExit(_message(signum))


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Code where SIGTERM may raise SystemExit at once (the user's make)."""
    raise_if_stop_requested()
    _STATE.interruptible += 1
    try:
        yield
    finally:
        _STATE.interruptible -= 1


def raise_if_stop_requested() -> None:
    """Raise SystemExit if SIGTERM arrived while it could not be raised (call between keys)."""
    if _STATE.requested and _STATE.installed:
        raise SystemExit(_message(signal.SIGTERM))


@contextlib.contextmanager
def sigterm_stops(enabled: bool = True) -> Iterator[None]:
    """While active, SIGTERM stops populate at a safe point with SystemExit; the old handler is restored after.

    Signal handlers can only be installed from the main thread: elsewhere (and when not
    ``enabled``) this does nothing.  A stop requested when no key was left to interrupt is
    raised on leaving, so the caller stops too.
    """
    if not enabled or _STATE.installed or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    _STATE.installed, _STATE.requested = True, False
    try:
        yield
        raise_if_stop_requested()
    finally:
        signal.signal(signal.SIGTERM, previous)
        _STATE.installed = _STATE.requested = False
