"""The foreign-key graph of the schemas in use, and cascade plans over it.

Nodes are ``(schema, table)`` pairs; an edge goes from parent to child and carries the
foreign key (child columns -> parent columns).  Topological orders list parents first
and put part tables right after their master.  Built from two catalog reads per
connection (tables and foreign keys), cached until the next DDL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import DataJointError
from ..heading.spec import ForeignKeyInfo
from .naming import master_of, tier_of_table_name

__all__ = ["Dependencies", "Edge", "TableKey"]

TableKey = tuple[str, str]


@dataclass(frozen=True)
class Edge:
    parent: TableKey
    child: TableKey
    fk: ForeignKeyInfo

    @property
    def attr_map(self) -> dict[str, str]:
        """child column -> parent column."""
        return dict(zip(self.fk.columns, self.fk.parent_columns))

    @property
    def aliased(self) -> bool:
        return any(c != p for c, p in zip(self.fk.columns, self.fk.parent_columns))


class Dependencies:
    def __init__(self, nodes: Iterable[TableKey], fks: Iterable[ForeignKeyInfo]) -> None:
        self.nodes: set[TableKey] = set(nodes)
        self._in: dict[TableKey, list[Edge]] = defaultdict(list)
        self._out: dict[TableKey, list[Edge]] = defaultdict(list)
        for fk in fks:
            e = Edge((fk.parent_schema, fk.parent_table), (fk.child_schema, fk.child_table), fk)
            self.nodes.update((e.parent, e.child))
            self._in[e.child].append(e)
            self._out[e.parent].append(e)
        self._order = self._topological()

    @classmethod
    def load(cls, state: Any) -> Dependencies:
        names = list(state.schemas)
        nodes = [(s, t) for s in names for t in state.schemas[s].table_names()]
        fks = state.connection.catalog.foreign_keys(names) if names else []
        return cls(nodes, [fk for fk in fks if not fk.child_table.startswith("~")])

    # ---------------------------------------------------------------- navigation
    def parents(self, node: TableKey) -> list[Edge]:
        return list(self._in.get(node, ()))

    def children(self, node: TableKey) -> list[Edge]:
        return list(self._out.get(node, ()))

    def parts(self, node: TableKey) -> list[TableKey]:
        schema, table = node
        return [n for n in self._order if n[0] == schema and tier_of_table_name(n[1]) == "Part" and master_of(n[1]) == table]

    def descendants(self, node: TableKey) -> list[TableKey]:
        """The node and every table depending on it, parents first."""
        seen = {node}
        stack = [node]
        while stack:
            for e in self._out.get(stack.pop(), ()):
                if e.child not in seen:
                    seen.add(e.child)
                    stack.append(e.child)
        return [n for n in self._order if n in seen]

    def ancestors(self, node: TableKey) -> list[TableKey]:
        seen = {node}
        stack = [node]
        while stack:
            for e in self._in.get(stack.pop(), ()):
                if e.parent not in seen:
                    seen.add(e.parent)
                    stack.append(e.parent)
        return [n for n in self._order if n in seen]

    def topological(self, nodes: Iterable[TableKey] | None = None) -> list[TableKey]:
        if nodes is None:
            return list(self._order)
        wanted = set(nodes)
        return [n for n in self._order if n in wanted]

    # ---------------------------------------------------------------- ordering
    def _topological(self) -> list[TableKey]:
        """Kahn's algorithm; a ready part whose master is placed goes next, else the smallest name."""
        indegree = {n: len({e.parent for e in self._in.get(n, ()) if e.parent != n}) for n in self.nodes}
        ready = sorted(n for n, d in indegree.items() if d == 0)
        order: list[TableKey] = []
        placed: set[TableKey] = set()
        while ready:
            pick = next((n for n in ready if tier_of_table_name(n[1]) == "Part" and (n[0], master_of(n[1])) in placed), ready[0])
            ready.remove(pick)
            order.append(pick)
            placed.add(pick)
            for child in {e.child for e in self._out.get(pick, ()) if e.child != pick}:
                indegree[child] -= 1
                if indegree[child] == 0:
                    ready.append(child)
            ready.sort()
        if len(order) != len(self.nodes):
            raise DataJointError("The foreign-key graph has a cycle; DataJoint pipelines must be acyclic.")
        return order
