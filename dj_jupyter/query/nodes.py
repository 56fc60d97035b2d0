"""Relational algebra as immutable nodes.

Each node computes its heading from its children in its constructor and refuses an
invalid tree there.  No node knows SQL: the per-dialect compiler in ``dj_jupyter.sql``
turns a tree into text, and ``lower.py`` decides where sub-queries are needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..errors import DataJointError
from ..heading.heading import Attribute, Heading
from .conditions import Cond

__all__ = ["Aggregate", "GroupBy", "Join", "MEMO_ENTRIES", "Node", "ProjItem", "Project", "Restrict", "TableRef", "Top", "Union",
           "remember"]


class Node:
    """Base of all relation nodes; ``heading`` is the result's heading."""

    heading: Heading

    @property
    def primary_key(self) -> list[str]:
        return self.heading.primary_key

    def memo(self, kind: str) -> dict:
        """This node's cache of one kind of derived value (``"sql"``: compiled statements, ``"proj"``:
        projections of it).  Nodes never change, so what is derived from one stays true."""
        memos = self.__dict__.get("_memo")
        if memos is None:
            memos = self.__dict__["_memo"] = {}  # beside the frozen fields; not part of the node's value
        memo = memos.get(kind)
        if memo is None:
            memo = memos[kind] = {}
        return memo


MEMO_ENTRIES = 16  # values of one kind a node remembers (pages of a preview differ by their offset)


def remember(memo: dict, key: object, value: object) -> None:
    """Keep ``value`` in a node's memo, forgetting older entries past ``MEMO_ENTRIES``."""
    if len(memo) >= MEMO_ENTRIES:
        memo.clear()
    memo[key] = value


@dataclass(frozen=True, eq=False)
class TableRef(Node):
    schema: str
    table: str
    heading: Heading

    def __repr__(self) -> str:
        return f"TableRef({self.schema}.{self.table})"


@dataclass(frozen=True, eq=False)
class Restrict(Node):
    source: Node
    condition: Cond

    @property
    def heading(self) -> Heading:  # type: ignore[override]
        return self.source.heading


@dataclass(frozen=True)
class ProjItem:
    """One attribute of a projection: a source attribute (possibly renamed) or a SQL expression."""

    name: str
    source: str | None = None  # attribute name in the source heading
    sql: str | None = None  # raw SQL expression over the source's attributes


def item_attributes(source: Heading, items: tuple[ProjItem, ...]) -> list[Attribute]:
    """The attributes that projection items make from a source heading (renamed, kept or computed)."""
    attrs: list[Attribute] = []
    for item in items:
        if item.sql is not None:
            attrs.append(Heading.computed(item.name, item.sql))
        else:
            base = source[item.source]
            attrs.append(base if item.name == item.source else replace(base, name=item.name))
    return attrs


@dataclass(frozen=True, eq=False)
class Project(Node):
    source: Node
    items: tuple[ProjItem, ...]
    heading: Heading = field(init=False)

    def __post_init__(self) -> None:
        src = self.source.heading
        attrs = item_attributes(src, self.items)
        attrs = [a for a in attrs if a.in_key] + [a for a in attrs if not a.in_key]
        object.__setattr__(self, "heading", Heading(attrs))

    @property
    def is_plain(self) -> bool:
        """Only selects existing attributes under their own names."""
        return all(i.sql is None and i.name == i.source for i in self.items)


@dataclass(frozen=True, eq=False)
class Join(Node):
    """Natural join on the attributes both operands share (``left=True``: left outer join)."""

    left: Node
    right: Node
    outer: bool = False
    heading: Heading = field(init=False)

    def __post_init__(self) -> None:
        a, b = self.left.heading, self.right.heading
        shared = [n for n in a.names if n in b]
        a_pk, b_pk = a.primary_key, b.primary_key
        a_determines_b = all(k in a for k in b_pk)
        b_determines_a = all(k in b for k in a_pk)
        if self.outer and not a_determines_b:
            missing = [k for k in b_pk if k not in a]
            raise DataJointError(
                f"A left join requires the left operand to contain the right operand's primary key; missing: {', '.join(missing)}."
            )
        if a_determines_b:
            key = list(a_pk)
        elif b_determines_a:
            key = list(b_pk)
        else:
            key = list(a_pk) + [k for k in b_pk if k not in a_pk]
        first, second = (b, a) if (b_determines_a and not a_determines_b) else (a, b)
        attrs: list[Attribute] = []
        for h in (first, second):
            for attr in h.attributes.values():
                if any(x.name == attr.name for x in attrs):
                    continue
                in_key = attr.name in key
                nullable = attr.nullable or (self.outer and h is b and attr.name not in shared)
                attrs.append(replace(attr, in_key=in_key, nullable=nullable))
        ordered = [x for x in attrs if x.in_key] + [x for x in attrs if not x.in_key]
        object.__setattr__(self, "heading", Heading(ordered))

    @property
    def shared(self) -> list[str]:
        return [n for n in self.left.heading.names if n in self.right.heading]


@dataclass(frozen=True, eq=False)
class Aggregate(Node):
    """Group ``group`` by ``source``'s primary key and compute ``items`` (SQL aggregates)."""

    source: Node
    group: Node
    items: tuple[ProjItem, ...]
    keep_all: bool = True
    heading: Heading = field(init=False)

    def __post_init__(self) -> None:
        src = self.source.heading
        missing = [k for k in src.primary_key if k not in self.group.heading]
        if missing:
            raise DataJointError(
                f"The aggregated group must contain the primary key of the grouping expression; missing: {', '.join(missing)}."
            )
        attrs = item_attributes(src, self.items)
        object.__setattr__(self, "heading", Heading(attrs))


@dataclass(frozen=True, eq=False)
class GroupBy(Node):
    """The distinct values of ``attributes`` in ``source``, with aggregates per group (``dj.U``).

    The result's primary key is ``attributes``; ``items`` are SQL aggregate expressions
    over ``source``.  With no attributes the whole source is one group (one row).
    """

    source: Node
    attributes: tuple[str, ...]
    items: tuple[ProjItem, ...] = ()
    heading: Heading = field(init=False)

    def __post_init__(self) -> None:
        src = self.source.heading
        missing = [a for a in self.attributes if a not in src]
        if missing:
            raise DataJointError(
                f"dj.U attribute{'s' if len(missing) > 1 else ''} {', '.join(f'`{m}`' for m in missing)} "
                f"not in the query's heading; the heading has: {', '.join(src.names)}. "
                "Use names the restricting or aggregated expression has (rename with .proj(new='old'))."
            )
        if len(set(self.attributes)) != len(self.attributes):
            raise DataJointError(f"dj.U attributes must be distinct; got {', '.join(self.attributes)}.")
        attrs = [replace(src[a], in_key=True, default=None, autoincrement=False) for a in self.attributes]
        attrs += [Heading.computed(item.name, item.sql) for item in self.items]
        object.__setattr__(self, "heading", Heading(attrs))


@dataclass(frozen=True, eq=False)
class Union(Node):
    left: Node
    right: Node
    heading: Heading = field(init=False)

    def __post_init__(self) -> None:
        a, b = self.left.heading, self.right.heading
        if set(a.primary_key) != set(b.primary_key):
            raise DataJointError("A union requires both operands to have the same primary key.")
        shared_secondary = set(a.secondary_attributes) & set(b.secondary_attributes)
        if shared_secondary:
            raise DataJointError(
                f"A union requires operands without shared secondary attributes; both have: {', '.join(sorted(shared_secondary))}."
            )
        # a secondary attribute of one operand is NULL in the rows that only the other operand has
        attrs = [x if x.in_key else replace(x, nullable=True) for x in a.attributes.values()]
        attrs += [replace(x, nullable=True) for n, x in b.attributes.items() if n not in a]
        object.__setattr__(self, "heading", Heading(attrs))

    @property
    def is_outer(self) -> bool:
        """Some operand has secondary attributes: rows are matched on the key, not merely collected."""
        return bool(self.left.heading.secondary_attributes or self.right.heading.secondary_attributes)


@dataclass(frozen=True, eq=False)
class Top(Node):
    """Order, limit and offset.  ``order_by`` holds SQL order terms with ``KEY`` already expanded."""

    source: Node
    limit: int | None
    order_by: tuple[str, ...]
    offset: int = 0

    @property
    def heading(self) -> Heading:  # type: ignore[override]
        return self.source.heading
