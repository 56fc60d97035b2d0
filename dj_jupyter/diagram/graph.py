"""``dj.Diagram``: which tables of a pipeline to show, and a plain description of that graph.

A diagram is a snapshot of the connection's foreign-key graph
(:class:`~dj_jupyter.schema.dependencies.Dependencies`) plus the set of tables to show
and the set of those drawn expanded.  The operators ``+ - *`` build new diagrams; none
of them touches the database.  :meth:`Diagram.graph_data` describes the shown graph as
plain dicts and lists, which the SVG/Mermaid renderers and the notebook widget consume.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Iterable
from typing import Any

from ..errors import DataJointError
from ..schema.catalog_state import state_of
from ..schema.dependencies import Dependencies, TableKey
from ..schema.schema import Schema
from ..schema.table import FreeTable, Table
from ..settings import config
from .data import build_graph_data
from .labels import Labeler
from .render import DiagramRendering

__all__ = ["Diagram"]


class Diagram(DiagramRendering):
    """The diagram of a pipeline, or of a selection of its tables.

    Parameters
    ----------
    source : table class or instance, Schema, module, or Diagram
        One table, every table of a schema, or every table of the schema of a module
        (an object with a ``schema`` attribute, e.g. a virtual module).
    context : dict, optional
        Names used to label the tables (class names, ``Master.Part``,
        ``module.Class``).  Defaults to the caller's globals and locals (the module's
        namespace when ``source`` is a module).  Tables not found keep their SQL name.

    Notes
    -----
    ``d + n`` adds ``n`` generations of descendants, ``d - n`` of ancestors;
    ``d1 + d2`` is the union, ``d1 - d2`` the difference, ``d1 * d2`` the intersection
    (a table class or schema works in place of ``d2``).

    Examples
    --------
    >>> d = dj.Diagram(schema)              # doctest: +SKIP
    >>> (dj.Diagram(Session) - 1 + 1).svg_string()  # doctest: +SKIP
    """

    def __init__(self, source: Any, context: dict | None = None) -> None:
        if context is None and not isinstance(source, (types.ModuleType, Diagram)):
            frame = inspect.currentframe().f_back
            context = {**frame.f_globals, **frame.f_locals}
            del frame
        if isinstance(source, Diagram):
            self._copy_from(source, context)
            return
        connection, nodes, module_names, module_context = _resolve_source(source)
        self.context = context if context is not None else module_context
        self._connection = connection
        self._graph = state_of(connection).graph
        self._nodes = frozenset(nodes)
        self._expanded = frozenset(nodes)
        self._module_names = module_names

    def _copy_from(self, other: Diagram, context: dict | None) -> None:
        self.__dict__.update(other.__dict__)
        if context is not None:
            self.context = context

    # ------------------------------------------------------------------ construction without a source
    @classmethod
    def from_graph(cls, graph: Dependencies, nodes: Iterable[TableKey] | None = None, *,
                   primary_keys: dict[TableKey, list[str]] | None = None, context: dict | None = None) -> Diagram:
        """A diagram over a dependency graph built by hand (no database needed).

        Parameters
        ----------
        graph : Dependencies
            The foreign-key graph.
        nodes : iterable of (schema, table), optional
            Tables to show; all of the graph's by default.
        primary_keys : dict, optional
            ``(schema, table)`` -> primary-key attribute names (they decide edge
            styles); tables missing here are taken to have the FK columns of their
            primary parents as key.
        """
        self = cls.__new__(cls)
        self.context = context or {}
        self._connection = None
        self._graph = graph
        shown = frozenset(graph.nodes if nodes is None else nodes)
        _check_nodes(graph, shown)
        self._nodes = self._expanded = shown
        self._module_names = {}
        self._primary_keys = dict(primary_keys or {})
        return self

    @classmethod
    def from_sequence(cls, sequence: Iterable[Any], *, context: dict | None = None) -> Diagram:
        """The union of the diagrams of each item (tables, schemas, modules, diagrams).

        ``context`` labels the tables, as for :class:`Diagram` (default: the caller's names).
        """
        if context is None:
            frame = inspect.currentframe().f_back
            context = {**frame.f_globals, **frame.f_locals}
            del frame
        result = None
        for item in sequence:
            d = cls(item, context=context if not isinstance(item, types.ModuleType) else None)
            result = d if result is None else result + d
        if result is None:
            raise DataJointError("Diagram.from_sequence needs at least one table, schema or module; got an empty sequence.")
        return result

    def _replace(self, nodes: Iterable[TableKey], expanded: Iterable[TableKey]) -> Diagram:
        new = type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._nodes = frozenset(nodes)
        new._expanded = frozenset(expanded) & new._nodes
        return new

    # ------------------------------------------------------------------ set algebra
    def __add__(self, other: Any) -> Diagram:
        if isinstance(other, int) and not isinstance(other, bool):
            return self._grow(other, self._graph.children, "child") if other >= 0 else self - (-other)
        other = self._coerce(other)
        return self._merged_graph(other)._replace(self._nodes | other._nodes, self._expanded | other._expanded)

    def __sub__(self, other: Any) -> Diagram:
        if isinstance(other, int) and not isinstance(other, bool):
            return self._grow(other, self._graph.parents, "parent") if other >= 0 else self + (-other)
        other = self._coerce(other)
        return self._replace(self._nodes - other._nodes, self._expanded)

    def __mul__(self, other: Any) -> Diagram:
        other = self._coerce(other)
        return self._replace(self._nodes & other._nodes, self._expanded | other._expanded)

    def _grow(self, generations: int, step, end: str) -> Diagram:
        nodes = set(self._nodes)
        frontier = set(nodes)
        for _ in range(generations):
            frontier = {getattr(e, end) for n in frontier for e in step(n)} - nodes
            if not frontier:
                break
            nodes |= frontier
        return self._replace(nodes, self._expanded | (nodes - self._nodes if self._fully_expanded else set()))

    @property
    def _fully_expanded(self) -> bool:
        return self._expanded >= self._nodes

    def add_parts(self) -> Diagram:
        """This diagram with the part tables of every master it shows."""
        parts = {p for n in self._nodes for p in self._graph.parts(n)}
        return self._replace(self._nodes | parts, self._expanded | (parts if self._fully_expanded else set()))

    def collapse(self) -> Diagram:
        """This diagram drawn with each schema as one box; in a union, expanded tables stay expanded."""
        return self._replace(self._nodes, ())

    def _coerce(self, other: Any) -> Diagram:
        if isinstance(other, Diagram):
            d = other
        else:
            try:
                d = Diagram(other, context=self.context)
            except DataJointError as error:
                raise DataJointError(
                    f"Cannot combine a Diagram with {type(other).__name__!r}: use an int (generations), a table, a "
                    "schema, a module with a schema, or another Diagram.") from error
        if d._connection is not self._connection:
            raise DataJointError("Cannot combine diagrams of different connections; build both on the same connection.")
        return d

    def _merged_graph(self, other: Diagram) -> Diagram:
        """The operand whose graph snapshot knows every node of both (the newer one after DDL)."""
        wanted = self._nodes | other._nodes
        if wanted <= self._graph.nodes:
            graph = self._graph
        elif wanted <= other._graph.nodes:
            graph = other._graph
        else:
            graph = state_of(self._connection).graph
        new = self._replace(self._nodes, self._expanded)
        new._graph = graph
        new._module_names = {**other._module_names, **self._module_names}
        return new

    # ------------------------------------------------------------------ what is shown
    @property
    def nodes_to_show(self) -> frozenset[str]:
        """Full table names of the tables shown (quoted for the connection's database)."""
        return frozenset(self._full_name(n) for n in self._nodes)

    @property
    def tables(self) -> list[TableKey]:
        """``(schema, table)`` of the tables shown, parents first."""
        return self._graph.topological(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def __repr__(self) -> str:
        return f"Diagram({len(self._nodes)} tables: {', '.join(self.labels[n] for n in self.tables[:8])}" + (
            ", ...)" if len(self._nodes) > 8 else ")")

    def _full_name(self, node: TableKey) -> str:
        if self._connection is None:
            return f"{node[0]}.{node[1]}"
        return self._connection.dialect.full_name(*node)

    @property
    def labels(self) -> dict[TableKey, str]:
        """Label of each shown table: its name in the context, else its SQL name."""
        return Labeler(self.context).labels(self.tables)

    # ------------------------------------------------------------------ plain description
    def primary_key(self, node: TableKey) -> list[str]:
        """Primary-key attribute names of a table of the graph."""
        if self._connection is not None:
            return list(state_of(self._connection).schema(node[0]).heading(node[1]).primary_key)
        known = self.__dict__.get("_primary_keys", {})
        if node in known:
            return list(known[node])
        return list(dict.fromkeys(c for e in self._graph.parents(node) for c in e.fk.columns))

    def definition(self, node: TableKey) -> str:
        """The table's definition text (``describe()``), or "" when it cannot be read."""
        if self._connection is None:
            return ""
        cls = Labeler(self.context).classes().get(node)
        try:
            if cls is not None:
                return cls.describe()
            return FreeTable(self._connection, f"{node[0]}.{node[1]}").describe(context=self.context)
        except DataJointError:
            return ""

    def graph_data(self, *, direction: str | None = None, definitions: bool = True) -> dict:
        """The shown graph as plain data, for renderers and widgets.

        Parameters
        ----------
        direction : {"LR", "TB"}, optional
            Defaults to ``dj.config["display.diagram_direction"]``.
        definitions : bool
            Include each table's definition text (reads the catalog once per schema).

        Returns
        -------
        dict
            ``direction``; ``nodes``: list of dicts with ``id`` ("schema.table"),
            ``label``, ``schema``, ``table``, ``tier`` ("Manual", "Lookup", "Imported",
            "Computed", "Part", "collapsed" or None), ``primary_key``, ``definition``,
            ``is_part``, ``master`` (id or None), ``introduces_key``, ``collapsed``,
            ``tables`` (ids inside a collapsed node); ``edges``: dicts with ``parent``,
            ``child``, ``columns`` (the child's FK columns), ``primary``, ``one_to_one``,
            ``renamed``, ``renames`` (renamed child column -> parent column), ``bundle``; ``clusters``: one per schema
            with ``id``, ``label``, ``nodes``, ``groups`` (master + parts id lists).
        """
        return build_graph_data(self, direction=direction or _direction(), definitions=definitions)

    def to_networkx(self):
        """The shown graph as a ``networkx.MultiDiGraph`` (node and edge attributes from :meth:`graph_data`)."""
        import networkx as nx

        data = self.graph_data(definitions=False)
        g = nx.MultiDiGraph()
        for node in data["nodes"]:
            g.add_node(node["id"], **{k: v for k, v in node.items() if k != "id"})
        for edge in data["edges"]:
            key = tuple(edge["columns"])
            g.add_edge(edge["parent"], edge["child"], key=key,
                       **{k: v for k, v in edge.items() if k not in ("parent", "child")})
        return g


def _direction() -> str:
    return str(config["display.diagram_direction"]).upper()


def _check_nodes(graph: Dependencies, nodes: frozenset) -> None:
    unknown = nodes - graph.nodes
    if unknown:
        raise DataJointError(f"Tables {sorted(unknown)} are not in the dependency graph.")


def _resolve_source(source: Any) -> tuple[Any, list[TableKey], dict[str, str], dict | None]:
    """(connection, tables, {schema: module name}, module namespace) of a diagram source."""
    if isinstance(source, type) and issubclass(source, Table) or isinstance(source, Table):
        node = (source.database, source.table_name)
        if source.database is None:
            raise DataJointError(f"Table {getattr(source, '__name__', source)!r} is not declared in a schema yet.")
        connection = source.connection
        state_of(connection).schema(node[0])
        return connection, [node], {}, None
    if isinstance(source, types.ModuleType):
        schema = getattr(source, "schema", None)
        if not isinstance(schema, Schema):
            raise DataJointError(f"Module {source.__name__!r} has no `schema` attribute holding a dj.Schema.")
        connection, nodes, _, _ = _resolve_source(schema)
        return connection, nodes, {schema.database: source.__name__.rpartition(".")[2]}, vars(source)
    if isinstance(source, Schema):
        if source.database is None:
            raise DataJointError("The schema is not activated: call schema.activate('name') first.")
        return source.connection, [(source.database, t) for t in source.list_tables()], {}, None
    raise DataJointError(
        f"dj.Diagram needs a table class or instance, a dj.Schema, or a module with a `schema`; got {type(source).__name__!r}.")

