"""``dj.U(*attributes)``: the universal set over some attribute names.

A universal set holds every possible value combination, so it is never fetched; it
is only useful restricted by a query (the distinct values that occur there) or
aggregating one (statistics per value, or over everything with ``dj.U()``).  It has no
connection of its own: each result takes the connection of the query it meets.
"""

from __future__ import annotations

from typing import Any

from ..errors import DataJointError
from .nodes import GroupBy, Node, ProjItem

__all__ = ["U"]


def _expression(obj: Any) -> tuple[Any, Node]:
    """``(expression, node)`` of a query expression or table class; DataJointError otherwise."""
    expr = obj() if isinstance(obj, type) and hasattr(obj, "_node_for_class") else obj
    node = getattr(expr, "_node", None)
    if not isinstance(node, Node) or not hasattr(expr, "_derive"):
        raise DataJointError(
            f"dj.U can only be restricted by or aggregate a query expression; got {type(obj).__name__}. "
            "Write dj.U('a', ...) & Table or dj.U('a').aggr(Table, n='count(*)')."
        )
    return expr, node


class U:
    """The universal set of ``attributes``: restrict it by a query or aggregate a query with it.

    Parameters
    ----------
    *attributes : str
        Attribute names of the queries it will meet.  None: one group of everything.

    Examples
    --------
    >>> years = dj.U("enroll_year") & Student                         # doctest: +SKIP
    >>> per_year = dj.U("enroll_year").aggr(Student, n="count(*)")   # doctest: +SKIP
    >>> total = dj.U().aggr(Student, n="count(*)").fetch1("n")       # doctest: +SKIP
    """

    _is_universal_set = True  # restricting a query by a universal set changes nothing

    def __init__(self, *attributes: str) -> None:
        bad = [a for a in attributes if not isinstance(a, str) or not a.isidentifier()]
        if bad:
            raise DataJointError(f"dj.U takes attribute names; got {', '.join(repr(b) for b in bad)}.")
        self.attributes = tuple(attributes)

    @property
    def primary_key(self) -> list[str]:
        return list(self.attributes)

    def __repr__(self) -> str:
        return f"U({', '.join(repr(a) for a in self.attributes)})"

    # -- what a universal set can do
    def __and__(self, query: Any) -> Any:
        """The distinct values of ``attributes`` present in ``query``, keyed by them."""
        expr, node = _expression(query)
        return expr._derive(GroupBy(node, self.attributes))

    restrict = __and__

    def aggr(self, group: Any, *attributes: Any, exclude_nonmatching: bool = True, **named: str) -> Any:
        """Aggregates of ``group`` per distinct value of ``attributes`` (one row of totals with ``dj.U()``).

        Only the groups that occur in ``group`` exist, so ``exclude_nonmatching=False``
        (keep every value of an infinite set) is refused.
        """
        if not exclude_nonmatching:
            raise DataJointError(
                "dj.U(...).aggr cannot keep non-matching rows: a universal set has infinitely many. "
                "Leave exclude_nonmatching at its default, or aggregate a table with Table.aggr(...)."
            )
        if attributes:
            raise DataJointError(
                "dj.U(...).aggr takes only named aggregates (n='count(*)'): its attributes are the key; "
                f"got positional {', '.join(repr(a) for a in attributes)}."
            )
        bad = [k for k, v in named.items() if not isinstance(v, str)]
        if bad:
            raise DataJointError(f"Aggregate expressions must be SQL strings; got {bad[0]}={named[bad[0]]!r}.")
        expr, node = _expression(group)
        items = tuple(ProjItem(name, sql=sql) for name, sql in named.items())
        return expr._derive(GroupBy(node, self.attributes, items))

    aggregate = aggr

    def _refuse(self, what: str) -> DataJointError:
        return DataJointError(
            f"{what} a universal set (dj.U) is not supported: it holds every possible value. "
            "Use dj.U(...) & query for the values present in a query, or dj.U(...).aggr(query, ...)."
        )

    def __sub__(self, other: Any) -> Any:
        raise self._refuse("Subtracting from")

    def __mul__(self, other: Any) -> Any:
        raise self._refuse("Joining (DataJoint 2.0 removed U * q)")

    __rmul__ = __mul__

    def join(self, other: Any, *args: Any, **kwargs: Any) -> Any:
        raise self._refuse("Joining")

    def __add__(self, other: Any) -> Any:
        raise self._refuse("A union with")

    __radd__ = __add__

    def __iter__(self):
        raise self._refuse("Iterating")
