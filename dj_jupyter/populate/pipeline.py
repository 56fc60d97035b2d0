"""Propagation: populate every auto-populated table of a schema (or below a table) in dependency order.

New upstream rows flow down to every result in one call, like a spreadsheet
recalculation.  Populating needs each table's ``make``, which lives in its Python
class: the classes are found among the loaded subclasses of Imported/Computed that are
bound to the schema's connection (a class re-declared in a notebook replaces the older one).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from ..errors import DataJointError
from ..schema.catalog_state import state_of
from ..schema.naming import tier_of_table_name
from .autopopulate import AutoPopulate

__all__ = ["auto_populated_classes", "populate_all", "populate_order"]

logger = logging.getLogger("dj_jupyter")

TableKey = tuple[str, str]


def _subclasses(cls: type) -> Iterable[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def auto_populated_classes(connection: Any) -> dict[TableKey, type]:
    """The loaded Imported/Computed classes bound to ``connection``, by ``(schema, table name)``.

    When several classes are bound to one table (a notebook cell run twice), the one
    defined last wins.
    """
    found: dict[TableKey, type] = {}
    for cls in _subclasses(AutoPopulate):
        if cls.__dict__.get("_tier_base"):
            continue
        database, name = cls.__dict__.get("database"), cls.__dict__.get("_table_name")
        if database is None or name is None or cls.__dict__.get("_connection") is not connection:
            continue
        found[(database, name)] = cls
    return found


def _target(schema_or_table: Any) -> tuple[Any, list[TableKey]]:
    """The connection and the tables to consider: a schema's tables, or a table and its descendants."""
    if hasattr(schema_or_table, "list_tables") and hasattr(schema_or_table, "database"):
        schema = schema_or_table
        if schema.database is None:
            raise DataJointError("The schema is not activated: call schema.activate('name') first.")
        conn = schema.connection
        graph = state_of(conn).graph
        return conn, [n for n in graph.topological() if n[0] == schema.database]
    table = schema_or_table() if isinstance(schema_or_table, type) else schema_or_table
    if not (hasattr(table, "table_name") and hasattr(table, "database")):
        raise DataJointError(
            f"populate_all needs a dj.Schema or a table (class or instance); got {type(schema_or_table).__name__}."
        )
    conn = table.connection
    return conn, state_of(conn).graph.descendants((table.database, table.table_name))


def populate_order(schema_or_table: Any) -> list[type]:
    """The auto-populated classes that :func:`populate_all` would populate, in that order."""
    conn, keys = _target(schema_or_table)
    classes = auto_populated_classes(conn)
    order = []
    for key in keys:
        cls = classes.get(key)
        if cls is not None:
            order.append(cls)
        elif tier_of_table_name(key[1]) in ("Imported", "Computed"):
            logger.warning("`%s`.`%s` is auto-populated but no class for it is loaded: it is skipped "
                           "(import or declare the module that defines its make).", *key)
    return order


def populate_all(schema_or_table: Any, *restrictions: Any, **populate_kwargs: Any) -> dict[str, dict]:
    """Populate every auto-populated table of a schema, or a table and all tables below it, parents first.

    Parameters
    ----------
    schema_or_table : dj.Schema or table class/instance
        A schema: all of its Imported and Computed tables.  A table: it (if auto-populated)
        and every auto-populated table that depends on it, in any loaded schema.
    *restrictions
        Passed to every ``populate`` call; restrictions by dict apply to tables having
        those attributes and are ignored by the others.
    **populate_kwargs
        Passed to every ``populate`` call (``reserve_jobs``, ``suppress_errors``, ``processes``...).

    Returns
    -------
    dict
        Class name -> what that table's ``populate`` returned.

    Examples
    --------
    >>> import dj_jupyter as dj
    >>> dj.populate_all(schema, suppress_errors=True)  # doctest: +SKIP
    {'Filtered': {'success_count': 12, 'error_list': []}, 'Stats': {'success_count': 12, 'error_list': []}}
    """
    results: dict[str, dict] = {}
    for cls in populate_order(schema_or_table):
        name = cls.__name__ if cls.__name__ not in results else f"{cls.database}.{cls.__name__}"
        results[name] = cls().populate(*restrictions, **populate_kwargs)
    return results
