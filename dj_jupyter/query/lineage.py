"""The semantic check of DataJoint 2.x: namesake attributes must share their origin.

Two operands are matched on the attributes they both have (join, restriction by another
query, aggregation, the outer join of a union).  A name alone can mislead: ``id`` of
one table and ``id`` of another are different things.  Each attribute carries its
*lineage* (``schema.table.attribute`` where it was first defined, followed through
foreign keys and renames); matching is allowed only where both lineages are known and
equal.  The user-facing operators in ``algebra.py`` call :func:`check_matching`;
internal queries (cascading deletes, populate's key source) build nodes directly and
are not checked.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from ..errors import DataJointError
from ..heading.heading import Heading
from .conditions import And, Cond, InQuery, Negate, Or
from .nodes import Node, TableRef

__all__ = ["check_condition", "check_matching", "check_semijoin", "has_lineage", "node_has_lineage"]

logger = logging.getLogger("dj_jupyter")


def has_lineage(heading: Heading) -> bool:
    """False for a keyed heading none of whose attributes has lineage.

    Every table declared with lineage has it on its key attributes (and renames keep
    it), so such a heading comes from a schema without a ``~lineage`` table (declared by
    an older tool): DataJoint then skips the check with a warning instead of refusing.
    """
    attrs = heading.attributes.values()
    return not heading.primary_key or any(a.lineage is not None for a in attrs)


def node_has_lineage(node: Node) -> bool:
    """:func:`has_lineage` of the tables beneath ``node``.

    A derived heading can lack lineage on every key attribute although its tables have it:
    ``dj.U('label') & T`` is keyed by a native secondary attribute.  Whether lineage is known
    is a property of the tables a query reads, so it is asked of them.
    """
    if isinstance(node, TableRef):
        return has_lineage(node.heading)
    children = [value for value in vars(node).values() if isinstance(value, Node)]
    return all(node_has_lineage(child) for child in children) if children else has_lineage(node.heading)


def check_matching(left: Heading, right: Heading, names: Iterable[str] | None = None, *, operation: str = "join",
                   lineage_known: bool | None = None) -> None:
    """Refuse matching ``left`` and ``right`` on namesakes of different (or unknown) lineage.

    Parameters
    ----------
    left, right : Heading
        The operands' headings.
    names : iterable of str, optional
        The attributes matched (default: every visible attribute both headings have).
    operation : str
        Named in the message ("join", "restrict", "aggr", "union").
    lineage_known : bool, optional
        Whether both operands' tables have lineage (:func:`node_has_lineage`); by default
        guessed from the headings alone.

    Raises
    ------
    DataJointError
        For the first attribute whose lineages differ or are missing, with how to fix it.
    """
    shared = [n for n in left.names if n in right] if names is None else list(names)
    known = (has_lineage(left) and has_lineage(right)) if lineage_known is None else lineage_known
    if shared and not known:
        logger.warning(
            "Semantic check skipped for the %s on %s: an operand has no lineage (its schema has no ~lineage "
            "table); attributes are matched by name.", operation, ", ".join(shared),
        )
        return
    for name in shared:
        a, b = left.get(name), right.get(name)
        if a is None or b is None:
            continue
        if a.lineage is None or b.lineage is None:
            side = "either operand" if a.lineage is None and b.lineage is None else (
                "the left operand" if a.lineage is None else "the right operand")
            raise DataJointError(
                f"Cannot {operation} on attribute `{name}`: it has no lineage in {side} (a native secondary or "
                f"computed attribute), so the two `{name}` may mean different things. Project it away "
                f"(.proj(..., '-{name}')) or rename it on one side (.proj(other_name='{name}')), "
                "or pass semantic_check=False to match by name."
            )
        if a.lineage != b.lineage:
            raise DataJointError(
                f"Cannot {operation} on attribute `{name}`: different lineages ({a.lineage} vs {b.lineage}). "
                f"Use .proj() to rename one of them (e.g. .proj(other_name='{name}')) so they are not matched, "
                "or pass semantic_check=False to match by name."
            )


def _semijoins(cond: Cond):
    if isinstance(cond, InQuery):
        yield cond
    elif isinstance(cond, (And, Or)):
        for c in cond.items:
            yield from _semijoins(c)
    elif isinstance(cond, Negate):
        yield from _semijoins(cond.item)


def check_semijoin(heading: Heading, sub: InQuery, node: Node | None = None) -> None:
    """Check one restriction of ``heading`` (the query ``node``, if known) by another query."""
    known = None if node is None else node_has_lineage(node) and node_has_lineage(sub.query)
    check_matching(heading, sub.query.heading, sub.attributes, operation="restrict", lineage_known=known)


def check_condition(heading: Heading, cond: Cond, node: Node | None = None) -> None:
    """Check every restriction by another query inside ``cond`` (lists, AndList and Not included);
    ``node``: the restricted query, whose tables tell whether lineage is known."""
    for sub in _semijoins(cond):
        check_semijoin(heading, sub, node)
