"""Where a query needs a sub-query: the one place that decides it.

The compiler lowers a node tree into SELECT shapes bottom-up; before applying an
operator to the shape of its operand it asks these predicates whether that shape can
absorb the operator or must first be wrapped as ``(SELECT ...) AS alias``.  They look
at nodes only, never at SQL text.
"""

from __future__ import annotations

from .conditions import And, Cond, InQuery, Negate, Or, SqlText
from .nodes import Aggregate, Join, Node, Project, Restrict, TableRef, Top, Union

__all__ = ["has_derived_columns", "restrict_needs_subquery", "project_needs_subquery", "join_operand_needs_subquery",
           "top_needs_subquery", "is_grouped"]


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
    if isinstance(node, (Aggregate, Union, Top)):
        return True
    if isinstance(node, (Restrict, Project)):
        return is_grouped(node.source)
    return False


def restrict_needs_subquery(source: Node, condition: Cond) -> bool:
    """SQL text cannot be rewritten onto renamed or computed columns; grouped shapes filter after grouping."""
    if isinstance(source, Aggregate):
        return False  # becomes HAVING (or an outer WHERE where HAVING cannot name aliases)
    if is_grouped(source):
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
