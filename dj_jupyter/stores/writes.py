"""Objects written during one operation, removed again if the operation fails.

An insert uploads objects before its rows reach the database.  If anything fails after
an upload (a later value cannot be encoded, the database refuses the row), the objects it
created are deleted, so a failed insert leaves neither a row nor an object.  Blocks nest:
an inner block that succeeds hands its objects to the enclosing one, which removes them
if it fails later.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from typing import Any

__all__ = ["note_created", "undo_writes_on_error"]

logger = logging.getLogger("dj_jupyter")

_log: contextvars.ContextVar[list | None] = contextvars.ContextVar("dj_jupyter_store_writes", default=None)


def note_created(store: Any, path: str) -> None:
    """Record that ``store`` has a new object at ``path`` (called by the stores' ``put``)."""
    log = _log.get()
    if log is not None:
        log.append((store, path))


@contextlib.contextmanager
def undo_writes_on_error() -> Iterator[list]:
    """Delete the objects created inside the block if the block raises.

    Yields
    ------
    list
        ``(store, path)`` of the objects created so far (for inspection and tests).
    """
    outer = _log.get()
    mine: list = []
    token = _log.set(mine)
    try:
        yield mine
    except BaseException:
        _undo(mine)
        raise
    finally:
        _log.reset(token)
    if outer is not None:
        outer.extend(mine)


def _undo(created: list) -> None:
    for store, path in reversed(created):
        try:
            store.delete(path)
        except Exception as error:  # noqa: BLE001 - the original error matters more; the orphan is logged for dj.gc
            logger.warning("Could not remove %s from store %r after a failed insert: %s", path,
                           getattr(store, "name", "?"), error)
