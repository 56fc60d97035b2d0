"""Auto-populated tiers (Imported, Computed) and the populate loop.

``populate()`` computes the keys of ``key_source`` not yet in the table, then runs
``make(key)`` for each inside its own transaction: every row of a key (master and
parts) lands, or none does.  The pending keys are computed once per call in the
database; catalog metadata is never re-read inside the loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from ..errors import DataJointError
from ..query.conditions import AndList, InQuery, Negate, make_condition
from ..query.nodes import Join, Node, Project, ProjItem, Restrict, TableRef
from ..schema.catalog_state import state_of
from ..schema.expression import QueryExpression
from ..schema.fetch import fetch_rows
from ..schema.table import Table
from .background import BackgroundPopulate
from .distributed import reserved_mode_keys
from .parallel import run_parallel
from .runner import Progress, RunOptions, run_keys
from .stopping import sigterm_stops

__all__ = ["AutoPopulate", "Computed", "Imported", "Progress"]

logger = logging.getLogger("dj_jupyter")


class AutoPopulate:
    """Mixin giving ``populate``, ``progress`` and ``key_source`` to Imported and Computed tables."""

    _allow_insert = False

    # ------------------------------------------------------------------ key source
    @property
    def key_source(self) -> QueryExpression:
        """The join of the primary-key parents, projected to their keys (renamed as the foreign keys rename)."""
        return QueryExpression(self._default_key_source_node(), self.connection)

    def _default_key_source_node(self) -> Node:
        state = state_of(self.connection)
        me = (self.database, self.table_name)
        position = {name: i for i, name in enumerate(self.heading.primary_key)}
        edges = [e for e in state.graph.parents(me) if set(e.fk.columns) <= position.keys()]
        node: Node | None = None
        # parents in the order of their columns in this table's key, so keys list attributes as the table does
        for edge in sorted(edges, key=lambda e: min(position[c] for c in e.fk.columns)):
            ps, pt = edge.parent
            ref = TableRef(ps, pt, state.schema(ps).heading(pt))
            items = tuple(ProjItem(c, p) for c, p in edge.attr_map.items())
            part = Project(ref, items)
            node = part if node is None else Join(node, part)
        if node is None:
            raise DataJointError(
                f"{type(self).__name__} must have dependencies from its primary key (a '-> Parent' line above '---') "
                "to be populated; or define key_source."
            )
        return node

    def _key_source_node(self) -> Node:
        ks = self.key_source
        ks = ks() if isinstance(ks, type) else ks
        node = getattr(ks, "_node", None)
        if node is None:
            raise DataJointError("key_source must be a query expression or a table class.")
        missing = [k for k in node.heading.primary_key if k not in self.heading]
        if missing:
            raise DataJointError(f"The target table lacks key_source attributes: {', '.join(missing)}.")
        return node

    def _pending_node(self, restrictions: tuple) -> Node:
        source = self._key_source_node()
        if restrictions:
            source = Restrict(source, make_condition(source.heading, AndList(restrictions)))
        pk = source.heading.primary_key
        keys = Project(source, tuple(ProjItem(k, k) for k in pk))
        mine = Project(self._node, tuple(ProjItem(k, k) for k in self.heading.primary_key))
        return Restrict(keys, Negate(InQuery(tuple(pk), mine)))

    # ------------------------------------------------------------------ progress
    def progress(self, *restrictions: Any, display: bool = False) -> tuple[int, int]:
        """``(remaining, total)`` keys of key_source."""
        source = self._key_source_node()
        if restrictions:
            source = Restrict(source, make_condition(source.heading, AndList(restrictions)))
        total = len(QueryExpression(source, self.connection))
        remaining = len(QueryExpression(self._pending_node(restrictions), self.connection))
        if display:
            done = total - remaining
            logger.info("%s Completed %d of %d (%.1f%%) %s", type(self).__name__, done, total,
                        100.0 * done / total if total else 100.0, time.strftime("%Y-%m-%d %H:%M:%S"))
        return remaining, total

    # ------------------------------------------------------------------ jobs
    @property
    def jobs(self) -> Any:
        """This table's jobs table (``~~<name>``), created on first access."""
        from .jobs import Job

        return Job(type(self))

    # ------------------------------------------------------------------ populate
    def populate(self, *restrictions: Any, suppress_errors: bool = False, return_exception_objects: bool = False,
                 reserve_jobs: bool = False, max_calls: int | None = None, display_progress: bool = False,
                 processes: int = 1, make_kwargs: dict | None = None, priority: int | None = None,
                 refresh: bool | None = None, callback: Callable[[Progress], None] | None = None,
                 cancel: threading.Event | None = None, background: bool = False) -> dict | BackgroundPopulate:
        """Compute and insert the missing rows; returns ``{"success_count": n, "error_list": [...]}``.

        Parameters
        ----------
        *restrictions
            Restrict the key source (dicts, SQL strings, queries...; all apply).
        suppress_errors : bool
            Collect errors in ``error_list`` and go on instead of raising the first one.
        return_exception_objects : bool
            ``error_list`` holds exception objects instead of ``"<Class>: <message>"`` strings.
        reserve_jobs : bool
            Distributed mode: take keys from the jobs table (``T.jobs``), reserving each one,
            so that any number of workers on any number of hosts compute each key once;
            errors are recorded there.  SIGTERM then stops populate with SystemExit: at once
            inside ``make`` (the key is rolled back and released), else after the current key.
        max_calls : int, optional
            Run ``make`` for at most this many keys.
        processes : int
            Run keys in this many worker processes (at most the CPU count and the number of keys).
        make_kwargs : dict, optional
            Keyword arguments passed to every ``make`` (``make_fetch`` in the three-part form).
        priority : int, optional
            Distributed mode: only keys with ``priority <= priority`` (and new keys get it).
        refresh : bool, optional
            Distributed mode: refresh the jobs table first (default ``jobs.auto_refresh``).
        callback : callable, optional
            Receives a :class:`Progress` (total, done, failed, key, elapsed) after every key.
        cancel : threading.Event, optional
            Once set, populate stops after the current key.
        background : bool
            Run in a daemon thread (on its own connection) and return at once a
            :class:`~dj_jupyter.populate.background.BackgroundPopulate`: ``wait()`` returns this
            result, ``cancel()`` stops after the current key; in a notebook it displays as a live
            progress widget.  ``callback``, ``cancel`` and ``processes`` are not taken then.

        Raises
        ------
        DataJointError
            Called inside a transaction, or on a restricted table.
        """
        conn = self.connection
        if conn.in_transaction:
            raise DataJointError("populate() cannot be called inside a transaction.")
        if self.is_restricted:
            raise DataJointError("populate() cannot be called on a restricted table: pass restrictions as arguments, "
                                 "e.g. T.populate(key).")
        if background:
            kwargs = dict(suppress_errors=suppress_errors, return_exception_objects=return_exception_objects,
                          reserve_jobs=reserve_jobs, max_calls=max_calls, processes=processes, make_kwargs=make_kwargs,
                          priority=priority, refresh=refresh, callback=callback, cancel=cancel)
            return BackgroundPopulate(self, restrictions, kwargs).start()
        options = RunOptions(suppress_errors=suppress_errors, return_exception_objects=return_exception_objects,
                             make_kwargs=dict(make_kwargs or {}), display_progress=display_progress, callback=callback,
                             cancel=cancel)
        with sigterm_stops(reserve_jobs):
            if reserve_jobs:
                options.jobs, keys = reserved_mode_keys(self, restrictions, priority=priority, refresh=refresh,
                                                        max_calls=max_calls)
            else:
                keys = self._pending_keys(restrictions, max_calls)
            if processes != 1:
                return run_parallel(self, keys, options, processes)
            return run_keys(self, keys, options)

    def _pending_keys(self, restrictions: tuple, max_calls: int | None) -> list[dict]:
        names, rows = fetch_rows(self.connection, self._pending_node(restrictions))
        keys = [dict(zip(names, r)) for r in rows]
        return keys if max_calls is None else keys[:max_calls]

    # ------------------------------------------------------------------ make protocol
    def make(self, key: dict, **kwargs: Any) -> None:
        """Compute and insert the rows of one key.  Override it, or define make_fetch/make_compute/make_insert."""
        raise NotImplementedError(f"{type(self).__name__} must define make(self, key).")

    make.default_make = True  # type: ignore[attr-defined]  # marks the inherited make (three-part form)


class Imported(AutoPopulate, Table):
    """Rows computed by ``make`` from data outside the database."""

    _tier = "Imported"
    _tier_base = True


class Computed(AutoPopulate, Table):
    """Rows computed by ``make`` from upstream tables."""

    _tier = "Computed"
    _tier_base = True
