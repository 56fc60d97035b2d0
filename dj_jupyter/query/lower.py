"""Where a query needs a sub-query: the one place that decides it.

The compiler lowers a node tree into SELECT shapes bottom-up; before applying an
operator to the shape of its operand it asks these predicates whether that shape can
absorb the operator or must first be wrapped as ``(SELECT ...) AS alias``.  They look
at nodes only, never at SQL text.
"""

from __future__ import annotations

from ..heading.heading import Heading
from .conditions import And, Cond, InQuery, Negate, Or, SqlText
from .nodes import (
    Aggregate,
    GroupBy,
    Join,
    Node,
    Project,
    ProjItem,
    Restrict,
    TableRef,
    Top,
    Union,
)

__all__ = [
    "aggregate_source_needs_subquery",
    "antijoin_needs_exists",
    "has_derived_columns",
    "is_grouped",
    "join_operand_needs_subquery",
    "join_operands_need_subquery",
    "outer_union_operands",
    "project_needs_subquery",
    "restrict_needs_subquery",
    "semijoin_operands",
    "top_needs_subquery",
]


def _walk(cond: Cond):
    yield cond
    if isinstance(cond, (And, Or)):
        for c in cond.items:
            yield from _walk(c)
    elif isinstance(cond, Negate):
        yield from _walk(cond.item)


def has_derived_columns(node: Node) -> bool:
    """Some attribute of the node's result is renamed or computed (not a plain column)."""
    if isinstance(node, TableRef):
        return False
    if isinstance(node, (Restrict, Top)):
        return has_derived_columns(node.source)
    if isinstance(node, Project):
        return not node.is_plain or has_derived_columns(node.source)
    if isinstance(node, Join):
        return has_derived_columns(node.left) or has_derived_columns(node.right)
    return True


def is_grouped(node: Node) -> bool:
    """The node's shape has GROUP BY, a LIMIT, or a set operation at its top level."""
    if isinstance(node, (Aggregate, GroupBy, Union, Top)):
        return True
    if isinstance(node, (Restrict, Project)):
        return is_grouped(node.source)
    return False


def restrict_needs_subquery(source: Node, condition: Cond) -> bool:
    """SQL text cannot be rewritten onto renamed or computed columns; grouped shapes filter after grouping."""
    if is_grouped(source):
        # aggregations too: an outer WHERE over the grouped sub-query works on every backend,
        # where HAVING could not name the aggregate aliases on PostgreSQL
        return True
    if has_derived_columns(source):
        return any(isinstance(c, SqlText) for c in _walk(condition))
    return False


def project_needs_subquery(source: Node, computes: bool) -> bool:
    """A computed expression refers to attribute names, which must be real columns of its FROM."""
    if is_grouped(source):
        return True
    return computes and has_derived_columns(source)


def join_operand_needs_subquery(node: Node) -> bool:
    """Joins merge plain table shapes; anything renamed, computed or grouped is wrapped."""
    return is_grouped(node) or has_derived_columns(node)


def top_needs_subquery(source: Node) -> bool:
    return is_grouped(source)


def semijoin_operands(cond: Cond) -> list[InQuery]:
    return [c for c in _walk(cond) if isinstance(c, InQuery)]


def antijoin_needs_exists(outer: Heading, cond: InQuery) -> bool:
    """A negated semijoin on a nullable attribute must be a correlated NOT EXISTS.

    ``x NOT IN (SELECT ...)`` is unknown (so the row is lost) as soon as the sub-query
    yields one NULL, and for every row whose own ``x`` is NULL.  ``NOT EXISTS`` with
    equality keeps exactly the rows that match nothing.  ``IN`` stays the common case:
    primary keys are never NULL, and it is what the populate pending-key query uses.
    """
    inner = cond.query.heading
    for name in cond.attributes:
        for heading in (outer, inner):
            attr = heading.get(name, hidden=True)
            if attr is None or attr.nullable:
                return True
    return False


def _exposed_columns(node: Node) -> set[str]:
    """Visible column names an unwrapped shape of ``node`` brings into the FROM scope (a superset is safe)."""
    if isinstance(node, (Restrict, Project, Top)):
        return _exposed_columns(node.source)
    if isinstance(node, Join):
        return _exposed_columns(node.left) | _exposed_columns(node.right)
    if isinstance(node, TableRef):
        return {a.name for a in node.heading.all_attributes if not a.hidden}
    return set(node.heading.names)


def _scope(node: Node, wrapped: bool) -> set[str]:
    return set(node.heading.names) if wrapped else _exposed_columns(node)


def _is_restricted(node: Node) -> bool:
    if isinstance(node, Restrict):
        return True
    if isinstance(node, Project):
        return _is_restricted(node.source)
    if isinstance(node, Join):
        return _is_restricted(node.left) or _is_restricted(node.right)
    return False


def join_operands_need_subquery(join: Join) -> tuple[bool, bool]:
    """Whether each operand of a join must be wrapped: ``(left, right)``.

    Besides renamed, computed or grouped operands: a right operand that is itself a join
    (``a JOIN (b JOIN c)`` must not become ``a JOIN b JOIN c``), the restricted right side
    of a left join (its WHERE must not filter the outer rows), and operands whose tables
    have namesake columns that are not join attributes (projected away, they would still
    make unqualified names ambiguous).
    """
    a, b = join.left, join.right
    wrap_a = join_operand_needs_subquery(a)
    wrap_b = join_operand_needs_subquery(b) or isinstance(b, Join) or (join.outer and _is_restricted(b))
    shared = set(join.shared)
    if (_scope(a, wrap_a) & _scope(b, wrap_b)) - shared:
        wrap_b = True
    if (_scope(a, wrap_a) & _scope(b, wrap_b)) - shared:
        wrap_a = True
    return wrap_a, wrap_b


def aggregate_source_needs_subquery(node: Aggregate) -> bool:
    """The grouping side is flattened into the FROM unless that makes a group attribute ambiguous."""
    if join_operand_needs_subquery(node.source):
        return True
    shared = set(node.source.heading.names) & set(node.group.heading.names)
    return bool((_exposed_columns(node.source) & set(node.group.heading.names)) - shared)


def outer_union_operands(node: Union) -> tuple[Node, Node]:
    """An outer union as two SELECTs with disjoint keys, to be combined with UNION ALL.

    The rows of the left operand left-joined with the right one, then the rows of the
    right operand whose key the left one lacks, with the left's secondary attributes NULL.
    """
    pk = tuple(node.heading.primary_key)
    both = Join(node.left, node.right, outer=True)
    left_keys = Project(node.left, tuple(ProjItem(k, k) for k in pk))
    only_right = Restrict(node.right, Negate(InQuery(pk, left_keys)))
    items = tuple(ProjItem(n, n) if n in node.right.heading else ProjItem(n, sql="NULL") for n in node.heading.names)
    return both, Project(only_right, items)
