"""The user-facing operators of query expressions: ``&``, ``-``, ``*``, ``+``, ``.proj``, ``.aggr``.

:class:`Algebra` is a mixin: it needs ``_node`` (a relation node), ``_connection``
and ``_derive(node)`` (a new expression of the right class for a new node).  Every
operator builds a new immutable node; nothing executes here.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import DataJointError
from .conditions import FALSE, TRUE, InQuery, Not, make_condition, negate, referenced_names
from .lineage import check_matching, check_semijoin, node_has_lineage
from .nodes import Aggregate, Join, Node, Project, ProjItem, Restrict, Top, Union, remember

__all__ = ["Algebra", "Top_", "resolve_order_by"]

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


class Top_:
    """``dj.Top(limit=1, order_by="KEY", offset=0)``: keep the first rows in an order."""

    def __init__(self, limit: int | None = 1, order_by: str | list[str] | None = "KEY", offset: int = 0) -> None:
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
            raise TypeError(f"Top limit must be a non-negative integer or None; got {limit!r}.")
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise TypeError(f"Top offset must be a non-negative integer; got {offset!r}.")
        if order_by is not None and not isinstance(order_by, (str, list, tuple)):
            raise TypeError(f"Top order_by must be a string or a list of strings; got {order_by!r}.")
        self.limit = limit
        self.order_by = [order_by] if isinstance(order_by, str) else (list(order_by) if order_by is not None else None)
        self.offset = offset

    def __repr__(self) -> str:
        return f"Top(limit={self.limit}, order_by={self.order_by}, offset={self.offset})"


def resolve_order_by(heading, order_by) -> tuple[str, ...]:
    """Expand ``KEY`` and check that plain attribute names exist."""
    if order_by is None:
        return tuple(heading.primary_key)
    terms = [order_by] if isinstance(order_by, str) else list(order_by)
    out: list[str] = []
    for term in terms:
        if not isinstance(term, str):
            raise DataJointError(
                f"order_by takes attribute names as strings ('name', 'name DESC', 'KEY'); got {term!r} "
                f"in {order_by!r}.")
        parts = term.strip().split()
        if not parts:
            continue
        name, rest = parts[0], " ".join(parts[1:])
        if name.upper() == "KEY":
            out.extend(f"{k} {rest}".strip() for k in heading.primary_key)
            continue
        if _IDENT.match(name) and not heading.has(name, hidden=True):
            raise heading.unknown(name, "order_by attribute")
        if rest and rest.upper() not in ("ASC", "DESC"):
            raise DataJointError(f"Invalid order_by term {term!r}: expected 'name', 'name ASC' or 'name DESC'.")
        out.append(term.strip())
    return tuple(out)


class Algebra:
    _node: Node

    # -- to be provided by the concrete class
    def _derive(self, node: Node) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- headings
    @property
    def heading(self):
        return self._node.heading

    @property
    def primary_key(self) -> list[str]:
        return self._node.heading.primary_key

    # -- restriction
    def restrict(self, restriction: Any, semantic_check: bool = True) -> Any:
        """Rows satisfying ``restriction`` (see :meth:`__and__`); ``semantic_check=False`` matches namesakes by name only."""
        if isinstance(restriction, Top_):
            order = resolve_order_by(self.heading, restriction.order_by)
            return self._derive(Top(self._node, restriction.limit, order, restriction.offset))
        if _is_universal(restriction):
            return self
        # every restriction by a query is checked as it is read, also those `AND False` / `OR True` drop
        cond = make_condition(self.heading, restriction, on_query=self._check_semijoin if semantic_check else None)
        if cond == TRUE:
            return self
        return self._derive(Restrict(self._node, cond))

    def __and__(self, restriction: Any) -> Any:
        return self.restrict(restriction)

    def __sub__(self, restriction: Any) -> Any:
        if isinstance(restriction, Top_):
            raise DataJointError("Anti-restriction by dj.Top is not supported: restrict by dj.Top, then subtract that query.")
        if _is_universal(restriction):
            return self._derive(Restrict(self._node, FALSE))  # a universal set contains every row
        cond = negate(make_condition(self.heading, restriction, on_query=self._check_semijoin))
        if cond == TRUE:
            return self
        return self._derive(Restrict(self._node, cond))

    def _check_semijoin(self, sub: InQuery) -> None:
        check_semijoin(self.heading, sub, self._node)

    def __neg__(self) -> Not:
        """``-q``: the restriction "no match in ``q``", as in DataJoint (``a & -q`` is ``a - q``)."""
        return Not(self)

    def __xor__(self, other: Any) -> Any:
        raise DataJointError("Permissive restriction `^` was removed in DataJoint 2.0: use .restrict(cond, semantic_check=False).")

    def __matmul__(self, other: Any) -> Any:
        raise DataJointError("Permissive join `@` was removed in DataJoint 2.0: use .join(other, semantic_check=False).")

    # -- join and union
    def join(self, other: Any, semantic_check: bool = True, left: bool = False) -> Any:
        """Natural join on the shared attributes; ``left=True`` keeps every row of this query."""
        other_node = _node_of(other)
        if other_node is None:
            if _is_universal(other):
                raise DataJointError("Joining with dj.U was removed in DataJoint 2.0: use dj.U(...) & expression or .aggr.")
            raise DataJointError(f"Cannot join with an object of type {type(other).__name__}: expected a query expression.")
        if semantic_check:
            check_matching(self.heading, other_node.heading, operation="join", lineage_known=_lineage_known(self._node, other_node))
        return self._derive(Join(self._node, other_node, outer=left))

    def __mul__(self, other: Any) -> Any:
        return self.join(other)

    def extend(self, other: Any, semantic_check: bool = True) -> Any:
        """Add ``other``'s attributes to every row (a left join); ``other`` must be determined by this query's key."""
        return self.join(other, semantic_check=semantic_check, left=True)

    def __add__(self, other: Any) -> Any:
        other_node = _node_of(other)
        if other_node is None:
            raise DataJointError(f"A union needs two query expressions; got {type(other).__name__}.")
        node = Union(self._node, other_node)
        if node.is_outer:  # matched on the key by an outer join
            check_matching(self.heading, other_node.heading, node.heading.primary_key, operation="union",
                           lineage_known=_lineage_known(self._node, other_node))
        return self._derive(node)

    # -- projection
    def proj(self, *attributes: Any, **named: str) -> Any:
        # the same projection of the same node is the same node, which keeps its compiled SQL
        # (a preview projects its table again for every new widget)
        memo, key = self._node.memo("proj"), (attributes, tuple(named.items()))
        try:
            node = memo.get(key)
        except TypeError:  # an unhashable argument: _projection_items explains what is wrong with it
            key, node = None, None
        if node is None:
            node = Project(self._node, tuple(_projection_items(self.heading, attributes, named)))
            if key is not None:
                remember(memo, key, node)
        return self._derive(node)

    def aggr(self, group: Any, *attributes: Any, exclude_nonmatching: bool = False, **named: str) -> Any:
        """Aggregates of ``group`` per row of this query; every row is kept unless ``exclude_nonmatching``."""
        group_node = _node_of(group)
        if group_node is None:
            raise DataJointError(f"aggr needs a query expression to aggregate; got {type(group).__name__}.")
        check_matching(self.heading, group_node.heading, operation="aggr", lineage_known=_lineage_known(self._node, group_node))
        items = [ProjItem(k, k) for k in self.primary_key]
        keep = [i for i in _projection_items(self.heading, attributes, {}) if i.name not in self.primary_key]
        for name, expr in named.items():
            if not isinstance(expr, str):
                raise DataJointError(f"Aggregate expression for `{name}` must be a SQL string; got {expr!r}.")
        items += keep + [ProjItem(name, sql=expr) for name, expr in named.items()]
        return self._derive(Aggregate(self._node, group_node, tuple(items), keep_all=not exclude_nonmatching))

    aggregate = aggr


def _node_of(obj: Any) -> Node | None:
    if isinstance(obj, Node):
        return obj
    node = getattr(obj, "_node", None)
    if isinstance(node, Node):
        return node
    if isinstance(obj, type) and hasattr(obj, "_node_for_class"):
        return obj._node_for_class()
    return None


def _lineage_known(a: Node, b: Node) -> bool:
    return node_has_lineage(a) and node_has_lineage(b)


def _is_universal(obj: Any) -> bool:
    return getattr(obj, "_is_universal_set", False)


def _projection_items(heading, attributes, named) -> list[ProjItem]:
    """PK always kept (renamable), positional names and ``...`` keep secondaries, ``-name`` excludes."""
    keep: list[str] = []
    exclude: set[str] = set()
    for a in attributes:
        if a is Ellipsis:
            keep.extend(heading.secondary_attributes)
        elif isinstance(a, str):
            if a.startswith("-"):
                name = a[1:].strip()
                if name in heading.primary_key:
                    raise DataJointError(f"Primary key attribute `{name}` cannot be excluded from a projection; rename it instead.")
                if name not in heading:
                    raise heading.unknown(name)
                exclude.add(name)
            else:
                if a not in heading:
                    raise heading.unknown(a)
                keep.append(a)
        else:
            raise DataJointError(f"Projection attributes must be strings or ...; got {a!r}.")
    renamed_sources = {v for v in named.values() if isinstance(v, str) and v in heading}
    items: list[ProjItem] = []
    used: set[str] = set()

    def add(item: ProjItem) -> None:
        if item.name in used:
            raise DataJointError(f"Attribute `{item.name}` already exists in the projection.")
        used.add(item.name)
        items.append(item)

    # kept: the key (unless renamed away and not also named) and the named secondaries, less the exclusions
    kept = {k for k in heading.primary_key if k not in renamed_sources or k in keep}
    kept.update(name for name in keep if name not in renamed_sources or name in attributes)
    kept -= exclude
    renames: dict[str, list[ProjItem]] = {}  # source attribute -> its renamed copies
    duplicates: dict[str, list[ProjItem]] = {}  # source attribute -> its copies kept beside it (new='(old)')
    computed: list[ProjItem] = []
    for new, expr in named.items():
        if not isinstance(expr, str):
            raise DataJointError(f"Projection expression for `{new}` must be a string; got {expr!r}.")
        source = expr.strip()
        if source in heading:
            renames.setdefault(source, []).append(ProjItem(new, source))
        elif source.startswith("(") and source.endswith(")") and source[1:-1].strip() in heading:
            duplicates.setdefault(source[1:-1].strip(), []).append(ProjItem(new, source[1:-1].strip()))
        else:
            _check_expression_names(heading, new, source)
            computed.append(ProjItem(new, sql=source))
    # DataJoint's order: the source heading's order, each attribute followed by its renamed copies, then its
    # duplicates; computed attributes last (the order of the key attributes is the order of the result's key)
    for name in heading.names:
        if name in kept:
            add(ProjItem(name, name))
        for item in renames.get(name, []) + duplicates.get(name, []):
            add(item)
    for item in computed:
        add(item)
    return items


def _check_expression_names(heading, new: str, sql: str) -> None:
    """Attribute names in a computed projection must exist: say so before the database does."""
    unknown = sorted(n for n in referenced_names(sql) if not heading.has(n, hidden=True))
    if unknown:
        error = heading.unknown(unknown[0])
        raise error.__class__(
            f"Attribute `{unknown[0]}` in the expression {new}={sql!r} is not in the heading; the heading has: "
            f"{', '.join(heading.names)}. Check the spelling; quote string values ('...')."
        )
