"""A two-table pipeline for tests of populate runs (threads, widgets, cancel): ``Source -> Out`` with a part table.

``Out.make`` first calls ``before(key)`` (a test holds a key there), then raises ``ValueError`` for the
source ids in ``failing`` (a set the test may change while the run goes on), inserts the master row,
pauses (a cancel between the master row and its parts must not split them) and inserts ``pieces``
part rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Any

import dj_jupyter as dj

__all__ = ["declare_source_out"]


def declare_source_out(schema: Any, *, n_keys: int, factor: int = 2, pieces: int = 3, pause: float = 0.01,
                       before: Callable[[dict], None] | None = None, failing: Collection[int] = ()) -> tuple[type, type]:
    """Declare ``Source`` (``source_id`` 0 .. n_keys-1, filled) and ``Out`` (``value = factor * source_id``)."""

    @schema
    class Source(dj.Manual):
        definition = """
        source_id : int32
        """

    @schema
    class Out(dj.Computed):
        definition = """
        -> Source
        ---
        value : int32
        """

        class Piece(dj.Part):
            definition = """
            -> master
            piece : uint8
            """

        def make(self, key):
            if before is not None:
                before(key)
            if key["source_id"] in failing:
                raise ValueError(f"source {key['source_id']} is broken")
            self.insert1(dict(key, value=key["source_id"] * factor))
            time.sleep(pause)
            self.Piece.insert([dict(key, piece=i) for i in range(pieces)])

    Source.insert([{"source_id": i} for i in range(n_keys)])
    return Source, Out
