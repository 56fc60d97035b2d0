"""Names of tables as the user's code knows them (``Subject``, ``Scan.Unit``, ``lab.Session``).

The diagram labels each table with the name under which its class is reachable from a
namespace (a notebook's globals, a module): directly, as a part nested in a master, or
one module deep.  Tables not reachable keep their SQL name ``schema.table``.
"""

from __future__ import annotations

import types
from collections.abc import Iterable
from typing import Any

from ..errors import DataJointError
from ..schema.dependencies import TableKey
from ..schema.schema import Schema
from ..schema.table import Table

__all__ = ["Labeler"]


class Labeler:
    """Table classes, labels and module names found in one namespace.

    Parameters
    ----------
    context : dict or None
        The namespace searched (read once, at construction).
    """

    def __init__(self, context: dict | None) -> None:
        self._classes: dict[TableKey, type] = {}
        self._names: dict[TableKey, str] = {}
        self._modules: dict[str, str] = {}
        items = list((context or {}).items())
        self._collect(items, prefix="")
        for name, obj in items:  # one module deep: `lab.Session`
            if isinstance(obj, types.ModuleType) and not name.startswith("_"):
                self._collect(list(vars(obj).items()), prefix=f"{name}.")
                schema = vars(obj).get("schema")
                if isinstance(schema, Schema) and schema.database is not None:
                    self._modules.setdefault(schema.database, name)

    def _collect(self, items: Iterable[tuple[str, Any]], prefix: str) -> None:
        for name, obj in items:
            if name in ("self", "master") or name.startswith("_") or not _is_table_class(obj):
                continue
            self._remember(obj, prefix + name)
            for part_name, part in list(vars(obj).items()):
                if part_name[:1].isupper() and _is_table_class(part):
                    self._remember(part, f"{prefix}{name}.{part_name}")

    def _remember(self, cls: type, name: str) -> None:
        key = (cls.database, cls.__dict__["_table_name"])
        if key not in self._names:  # the first (shallowest) name wins
            self._names[key] = name
            self._classes[key] = cls

    def classes(self) -> dict[TableKey, type]:
        """``(schema, table)`` -> the table class found for it."""
        return dict(self._classes)

    def module_names(self) -> dict[str, str]:
        """Schema name -> name of the module (in the namespace) whose ``schema`` it is."""
        return dict(self._modules)

    def labels(self, nodes: Iterable[TableKey]) -> dict[TableKey, str]:
        """Label of each node; two nodes with the same label are an error."""
        out: dict[TableKey, str] = {}
        owner: dict[str, TableKey] = {}
        for node in nodes:
            label = self._names.get(node) or f"{node[0]}.{node[1]}"
            if label in owner:
                raise DataJointError(
                    f"Two tables of the diagram would both be labelled {label!r}: {owner[label]} and {node}. "
                    "Pass a context (dj.Diagram(source, context={...})) in which each table class has one name.")
            owner[label] = node
            out[node] = label
        return out


def _is_table_class(obj: Any) -> bool:
    return (isinstance(obj, type) and issubclass(obj, Table) and obj.__dict__.get("_table_name") is not None
            and getattr(obj, "database", None) is not None)
