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

__all__ = ["check_condition", "check_matching", "has_lineage"]

logger = logging.getLogger("dj_jupyter")


def has_lineage(heading: Heading) -> bool:
    """False for a keyed heading none of whose attributes has lineage.

    Every table declared with lineage has it on its key attributes (and renames keep
    it), so such a heading comes from a schema without a ``~lineage`` table (declared by
    an older tool): DataJoint then skips the check with a warning instead of refusing.
    """
    attrs = heading.attributes.values()
    return not heading.primary_key or any(a.lineage is not None for a in attrs)


def check_matching(left: Heading, right: Heading, names: Iterable[str] | None = None, *, operation: str = "join") -> None:
    """Refuse matching ``left`` and ``right`` on namesakes of different (or unknown) lineage.

    Parameters
    ----------
    left, right : Heading
        The operands' headings.
    names : iterable of str, optional
        The attributes matched (default: every visible attribute both headings have).
    operation : str
        Named in the message ("join", "restrict", "aggr", "union").

    Raises
    ------
    DataJointError
        For the first attribute whose lineages differ or are missing, with how to fix it.
    """
    shared = [n for n in left.names if n in right] if names is None else list(names)
    if shared and not (has_lineage(left) and has_lineage(right)):
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


def check_condition(heading: Heading, cond: Cond) -> None:
    """Check every restriction by another query inside ``cond`` (lists, AndList and Not included)."""
    for sub in _semijoins(cond):
        check_matching(heading, sub.query.heading, sub.attributes, operation="restrict")
