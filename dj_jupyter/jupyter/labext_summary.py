"""What the JupyterLab pipeline sidebar shows: the schemas and tables a notebook works with.

:func:`pipeline_summary` looks at the notebook's variables for ``dj.Schema`` objects and
declared table classes, lists the tables of those schemas from the database catalog, and
gives for each table its tier, row count and, for auto-populated tables whose class is
loaded, the populate status (``table_status``: done/total keys, errors, running).  It also
gives the code of the cells the sidebar inserts (a table preview, the schema's diagram).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import Any

from ..populate.pipeline import auto_populated_classes
from ..schema.naming import tier_of_table_name, to_camel
from ..schema.schema import Schema
from ..schema.table import FreeTable, Table

__all__ = ["background_populates_running", "iter_tables", "pipeline_summary"]

_DJ_MODULE = "dj_jupyter"
ERROR_MESSAGES = 3  # error messages of a table shown by the sidebar


def background_populates_running() -> bool:
    """True while a background populate thread (``populate(background=True)``) is alive in this process."""
    return any(t.name.startswith("dj-populate-") and t.is_alive() for t in threading.enumerate())


def pipeline_summary(namespace: Mapping[str, Any]) -> dict:
    """The sidebar's view of the pipeline of a notebook.

    Returns
    -------
    dict
        ``running`` (a background populate is alive), ``schemas``: a list of ``name``,
        ``diagram_code`` and ``tables`` (``name``, ``class_name``, ``tier``, ``rows``,
        ``preview_code`` and ``populate``: None or ``state``, ``done``, ``total``,
        ``errors``, ``pending``, ``running``, ``messages`` (a few error messages)), and
        ``error`` for a schema or table that cannot be read.
    """
    prefix = "" if _dj_alias(namespace) else f"import {_DJ_MODULE} as dj\n"
    classes = _table_expressions(namespace)
    schemas = []
    for (connection, name), variable in _schemas_in(namespace).items():
        schemas.append(_schema_entry(connection, name, variable, classes, prefix))
    return {"running": background_populates_running(), "schemas": schemas}


def _dj_alias(namespace: Mapping[str, Any]) -> bool:
    module = namespace.get("dj")
    return isinstance(module, ModuleType) and module.__name__ == _DJ_MODULE


def _schemas_in(namespace: Mapping[str, Any]) -> dict[tuple[Any, str], str | None]:
    """``(connection, schema name) -> variable holding the dj.Schema`` (None when only classes name it)."""
    found: dict[tuple[Any, str], str | None] = {}
    for variable, value in list(namespace.items()):
        if variable.startswith("_"):
            continue
        if isinstance(value, ModuleType) and isinstance(getattr(value, "schema", None), Schema):
            value, variable = value.schema, f"{variable}.schema"
        if isinstance(value, Schema) and value.is_activated():
            key = (value.connection, value.database)
            if found.get(key) is None:
                found[key] = variable
        elif _is_declared_class(value):
            found.setdefault((value._connection, value.database), None)
    return found


def _is_declared_class(value: Any) -> bool:
    return (isinstance(value, type) and issubclass(value, Table) and value.__dict__.get("database") is not None
            and value.__dict__.get("_connection") is not None)


def _table_expressions(namespace: Mapping[str, Any]) -> dict[tuple[str, str], tuple[str, type]]:
    """``(schema, table name) -> (Python expression naming the class in the notebook, the class)``; parts included."""
    out: dict[tuple[str, str], tuple[str, type]] = {}
    for variable, value in list(namespace.items()):
        if variable.startswith("_") or not _is_declared_class(value):
            continue
        out.setdefault((value.database, value._table_name), (variable, value))
        for attr, part in list(vars(value).items()):
            if attr[:1].isupper() and _is_declared_class(part):
                out.setdefault((part.database, part._table_name), (f"{variable}.{attr}", part))
    return out


def _schema_entry(connection: Any, name: str, variable: str | None, classes: dict, prefix: str) -> dict:
    schema_code = variable or f"dj.Schema({name!r})"
    entry: dict[str, Any] = {"name": name, "diagram_code": f"{prefix}dj.Diagram({schema_code})", "tables": []}
    try:
        tables = connection.catalog.list_tables(name)
        auto = auto_populated_classes(connection)
    except Exception as exc:  # a dropped schema, a lost connection: say so in the sidebar
        entry["error"] = f"{type(exc).__name__}: {exc}"
        return entry
    for table in sorted(tables, key=_table_order):
        tier = tier_of_table_name(table)
        if tier is not None:
            entry["tables"].append(_table_entry(connection, name, table, tier, classes, auto, prefix))
    return entry


def _table_order(table: str) -> tuple[str, str]:
    """Parts right after their master: sort by the name without tier prefix."""
    return table.lstrip("#_"), table


def _table_entry(connection: Any, schema: str, table: str, tier: str, classes: dict, auto: dict, prefix: str) -> dict:
    expression, cls = classes.get((schema, table), (None, None))
    cls = auto.get((schema, table), cls)
    entry: dict[str, Any] = {
        "name": table,
        "class_name": expression or to_camel(table.split("__")[-1] if tier == "Part" else table),
        "tier": tier,
        "rows": None,
        "preview_code": f"{expression}()" if expression else f"{prefix}dj.FreeTable(dj.conn(), '{schema}.{table}')",
        "populate": None,
    }
    try:
        entry["rows"] = len(FreeTable(connection, f"{schema}.{table}"))
        if tier in ("Imported", "Computed") and cls is not None:
            entry["populate"] = _status(cls)
    except Exception as exc:  # one unreadable table does not hide the others
        entry["error"] = f"{type(exc).__name__}: {exc}"
    return entry


def _status(cls: type) -> dict | None:
    """``table_status`` of the class, with ``messages``: up to three error messages from its jobs table."""
    from ..populate.jobs import Job
    from .widgets.pipeline import table_status

    status = table_status(cls)
    if status is not None:
        errors = Job(cls, declare=False).errors if status["errors"] else None
        rows = errors.proj("error_message").to_dicts(limit=ERROR_MESSAGES) if errors is not None else []
        status["messages"] = [str(r["error_message"]) for r in rows]
    return status


def iter_tables(summary: dict) -> Iterator[dict]:
    """Every table entry of a summary (for tests and tools)."""
    for schema in summary["schemas"]:
        yield from schema["tables"]
