"""Auto-populated tiers (Imported, Computed) and the populate loop.

``populate()`` computes the keys of ``key_source`` not yet in the table, then runs
``make(key)`` for each inside its own transaction: every row of a key (master and
parts) lands, or none does.  The pending keys are computed once per call in the
database; catalog metadata is never re-read inside the loop.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import threading
import time
import traceback
from typing import Any, Callable

from ..errors import DataJointError, UnsupportedError
from ..query.conditions import AndList, InQuery, Negate, make_condition
from ..query.nodes import Join, Node, ProjItem, Project, Restrict, TableRef
from ..schema.catalog_state import state_of
from ..schema.expression import QueryExpression
from ..schema.fetch import fetch_rows
from ..schema.insert import populating
from ..schema.table import Table

__all__ = ["AutoPopulate", "Imported", "Computed", "Progress"]

logger = logging.getLogger("dj_jupyter")


class Progress(dict):
    """What a progress callback receives: total, done, failed, current key, elapsed seconds."""


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
        pk = set(self.heading.primary_key)
        node: Node | None = None
        for edge in state.graph.parents(me):
            if not set(edge.fk.columns) <= pk:
                continue
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

    # ------------------------------------------------------------------ populate
    def populate(self, *restrictions: Any, suppress_errors: bool = False, return_exception_objects: bool = False,
                 reserve_jobs: bool = False, max_calls: int | None = None, display_progress: bool = False,
                 processes: int = 1, make_kwargs: dict | None = None, priority: int | None = None,
                 refresh: bool | None = None, callback: Callable[[Progress], None] | None = None,
                 cancel: threading.Event | None = None) -> dict:
        """Compute and insert the missing rows; returns ``{"success_count": n, "error_list": [...]}``.

        ``callback`` receives a :class:`Progress` after every key; setting ``cancel``
        stops after the current key.
        """
        conn = self.connection
        if conn.in_transaction:
            raise DataJointError("populate() cannot be called inside a transaction.")
        if self.is_restricted:
            raise DataJointError("populate() cannot be called on a restricted table: pass restrictions as arguments, "
                                 "e.g. T.populate(key).")
        if reserve_jobs or processes != 1:
            raise UnsupportedError("reserve_jobs and processes > 1 are not available yet: use the default direct mode.")
        names, rows = fetch_rows(conn, self._pending_node(restrictions))
        keys = [dict(zip(names, r)) for r in rows]
        if max_calls is not None:
            keys = keys[:max_calls]
        return _run_keys(self, keys, suppress_errors, return_exception_objects, make_kwargs or {}, display_progress,
                         callback, cancel)

    # ------------------------------------------------------------------ make protocol
    def make(self, key: dict, **kwargs: Any) -> None:
        """Compute and insert the rows of one key.  Override it, or define make_fetch/make_compute/make_insert."""
        raise NotImplementedError(f"{type(self).__name__} must define make(self, key).")


def _fingerprint(value: Any) -> str:
    return hashlib.md5(pickle.dumps(value, protocol=5)).hexdigest()


def _uses_tripartite(table: Any) -> bool:
    cls = type(table)
    return cls.make is AutoPopulate.make and all(hasattr(cls, m) for m in ("make_fetch", "make_compute", "make_insert"))


def _populate_one(table: Any, key: dict, make_kwargs: dict) -> bool:
    """Run make for one key in a transaction; False if the key was already there."""
    conn = table.connection
    cls = type(table)
    active = populating()
    if _uses_tripartite(table):
        fetched = table.make_fetch(dict(key), **make_kwargs)
        fetched = fetched if isinstance(fetched, tuple) else (fetched,)
        computed = table.make_compute(dict(key), *fetched)
        computed = computed if isinstance(computed, tuple) else (computed,)
    conn.start_transaction()
    try:
        if key in table:
            conn.cancel_transaction()
            return False
        active.add(cls)
        if _uses_tripartite(table):
            again = table.make_fetch(dict(key), **make_kwargs)
            again = again if isinstance(again, tuple) else (again,)
            if _fingerprint(again) != _fingerprint(fetched):
                raise DataJointError("Referential integrity failed! The make_fetch data has changed since make_compute ran.")
            table.make_insert(dict(key), *computed)
        else:
            table.make(dict(key), **make_kwargs)
        conn.commit_transaction()
        return True
    except BaseException:
        if conn.in_transaction:
            try:
                conn.cancel_transaction()
            except DataJointError:
                pass
        raise
    finally:
        active.discard(cls)


def _run_keys(table: Any, keys: list[dict], suppress_errors: bool, return_objects: bool, make_kwargs: dict,
              display_progress: bool, callback, cancel) -> dict:
    success, errors = 0, []
    start = time.monotonic()
    total = len(keys)
    for i, key in enumerate(keys):
        if cancel is not None and cancel.is_set():
            break
        logger.debug("Making %s -> %s", key, table.full_table_name)
        try:
            if _populate_one(table, key, make_kwargs):
                success += 1
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            if not suppress_errors:
                raise
            message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            logger.error("Error making %s -> %s: %s\n%s", key, table.full_table_name, message, traceback.format_exc())
            errors.append((key, exc if return_objects else message))
        if callback is not None:
            callback(Progress(total=total, done=success, failed=len(errors), key=key, elapsed=time.monotonic() - start))
        if display_progress:
            print(f"\r{type(table).__name__}: {i + 1}/{total}", end="", flush=True)
    if display_progress and total:
        print()
    return {"success_count": success, "error_list": errors}


class Imported(AutoPopulate, Table):
    """Rows computed by ``make`` from data outside the database."""

    _tier = "Imported"
    _tier_base = True


class Computed(AutoPopulate, Table):
    """Rows computed by ``make`` from upstream tables."""

    _tier = "Computed"
    _tier_base = True
