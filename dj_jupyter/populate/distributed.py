"""Distributed mode (``populate(reserve_jobs=True)``): which keys to try, and SIGTERM handling.

Keys come from the jobs table (pending, due, most urgent first); each is reserved just
before its ``make`` runs (:func:`dj_jupyter.populate.runner.run_one`), so any number of
workers can share one list of pending keys and still compute each key once.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from ..errors import DataJointError
from ..query.conditions import AndList, make_condition
from ..query.nodes import Node, Restrict

__all__ = ["reserved_mode_keys"]

logger = logging.getLogger("dj_jupyter")

_REFRESH_ATTEMPTS = 3  # concurrent refreshes may deadlock on MySQL: the server picks a victim; try again


def _config():
    from ..settings import config

    return config


def _restricted_source(table: Any, restrictions: tuple) -> Node | None:
    if not restrictions:
        return None
    source = table._key_source_node()
    return Restrict(source, make_condition(source.heading, AndList(restrictions)))


def _refresh(jobs: Any, restrictions: tuple, priority: int | None) -> None:
    for attempt in range(_REFRESH_ATTEMPTS):
        try:
            # delay=-1: keys added now are due at once even if the clocks of rows differ by a few ms
            jobs.refresh(*restrictions, priority=priority, delay=-1)
            return
        except DataJointError as error:
            if attempt == _REFRESH_ATTEMPTS - 1:
                logger.warning("Could not refresh %s (%s); working on the keys already pending.",
                               jobs.full_table_name, error)
            time.sleep(0.05 * (attempt + 1))


def reserved_mode_keys(table: Any, restrictions: tuple, *, priority: int | None, refresh: bool | None,
                       max_calls: int | None) -> tuple[Any, list[dict]]:
    """The jobs table and its due pending keys for this call (refreshing it first if asked).

    ``refresh`` defaults to ``jobs.auto_refresh``; the refresh also frees the reservations
    of workers that are gone.
    """
    jobs = table.jobs
    if refresh is None:
        refresh = bool(_config()["jobs.auto_refresh"])
    if refresh:
        _refresh(jobs, restrictions, priority)
    keys = jobs.due_keys(_restricted_source(table, restrictions), priority=priority, limit=max_calls, spread=True)
    return jobs, keys
