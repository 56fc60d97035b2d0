"""Restriction conditions as immutable data, and their normalisation.

Everything a user may pass to ``&`` or ``-`` (dict, SQL string, list, ``AndList``,
``Not``, another query, numpy records, DataFrames, booleans, ``Top``) is turned into a
small tree of :class:`Cond` nodes here, once, against the heading it restricts.
Values stay Python values until the compiler binds them as parameters: nothing is
pasted into SQL text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import DataJointError
from ..heading.heading import Heading

if TYPE_CHECKING:  # pragma: no cover
    from .nodes import Node

__all__ = [
    "FALSE",
    "TRUE",
    "And",
    "AndList",
    "Cond",
    "Const",
    "Equals",
    "InQuery",
    "InValues",
    "IsNull",
    "Negate",
    "Not",
    "Or",
    "SqlText",
    "conjunction",
    "make_condition",
    "negate",
]


class Cond:
    """Base of condition nodes."""

    __slots__ = ()


@dataclass(frozen=True)
class Const(Cond):
    value: bool


TRUE = Const(True)
FALSE = Const(False)


@dataclass(frozen=True)
class Equals(Cond):
    attribute: str
    value: Any  # a Python value, encoded and bound by the compiler


@dataclass(frozen=True)
class IsNull(Cond):
    attribute: str


@dataclass(frozen=True)
class InValues(Cond):
    """``(attributes) IN (rows of values)``: equalities over the same attributes, OR-ed.

    A list of keys restricts with one ``IN`` list instead of a chain of ORs, which
    SQLite cannot parse past 1,000 terms and MySQL plans slowly.
    """

    attributes: tuple[str, ...]
    rows: tuple[tuple, ...]


@dataclass(frozen=True)
class SqlText(Cond):
    text: str


@dataclass(frozen=True)
class And(Cond):
    items: tuple[Cond, ...]


@dataclass(frozen=True)
class Or(Cond):
    items: tuple[Cond, ...]


@dataclass(frozen=True)
class Negate(Cond):
    item: Cond


@dataclass(frozen=True)
class InQuery(Cond):
    """``(attrs) IN (SELECT attrs FROM query)``: a semijoin on shared attributes."""

    attributes: tuple[str, ...]
    query: Node


class AndList(list):
    """A list of restrictions that are all applied (AND); an empty AndList is true."""


class Not:
    """The negation of any restriction: ``q & dj.Not(cond)`` equals ``q - cond``."""

    __slots__ = ("restriction",)

    def __init__(self, restriction: Any) -> None:
        self.restriction = restriction

    def __repr__(self) -> str:
        return f"Not({self.restriction!r})"


# ------------------------------------------------------------------------- combinators
def conjunction(items: list[Cond]) -> Cond:
    flat: list[Cond] = []
    for c in items:
        if c == FALSE:
            return FALSE
        if c == TRUE:
            continue
        flat.extend(c.items if isinstance(c, And) else (c,))
    if not flat:
        return TRUE
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def disjunction(items: list[Cond]) -> Cond:
    flat: list[Cond] = []
    for c in items:
        if c == TRUE:
            return TRUE
        if c == FALSE:
            continue
        flat.extend(c.items if isinstance(c, Or) else (c,))
    flat = _collapse_equalities(flat)
    if not flat:
        return FALSE
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def _equalities(c: Cond) -> tuple[tuple[str, ...], list[tuple]] | None:
    """``(attributes, rows)`` if ``c`` only matches given values of given attributes, else None."""
    if isinstance(c, InValues):
        return c.attributes, list(c.rows)
    if isinstance(c, Equals):
        return (c.attribute,), [(c.value,)]
    if isinstance(c, And) and all(isinstance(x, Equals) for x in c.items):
        pairs = sorted((x.attribute, x.value) for x in c.items) if len({x.attribute for x in c.items}) == len(c.items) else None
        if pairs:
            return tuple(a for a, _ in pairs), [tuple(v for _, v in pairs)]
    return None


def _collapse_equalities(items: list[Cond]) -> list[Cond]:
    """OR-ed equalities over the same attributes become one :class:`InValues` each (order of rows kept)."""
    groups: dict[tuple[str, ...], list] = {}
    out: list[Any] = []
    for c in items:
        found = _equalities(c)
        if found is None:
            out.append(c)
            continue
        attributes, rows = found
        if attributes not in groups:
            groups[attributes] = [c, []]
            out.append(attributes)  # placeholder, replaced below
        groups[attributes][1].extend(rows)
    for i, item in enumerate(out):
        if isinstance(item, tuple):
            first, rows = groups[item]
            out[i] = first if len(rows) == 1 else InValues(item, _unique(rows))
    return out


def _unique(rows: list[tuple]) -> tuple[tuple, ...]:
    try:
        return tuple(dict.fromkeys(rows))
    except TypeError:  # unhashable values (lists in a JSON column...) stay as given
        return tuple(rows)


def negate(c: Cond) -> Cond:
    if isinstance(c, Const):
        return Const(not c.value)
    if isinstance(c, Negate):
        return c.item
    return Negate(c)


# ------------------------------------------------------------------------- normalisation
_SQL_WORDS = {
    "is", "in", "between", "like", "and", "or", "null", "not", "interval", "second", "minute", "hour", "day",
    "month", "week", "year", "true", "false", "escape", "regexp", "rlike", "ilike", "glob", "case", "when",
    "then", "else", "end", "exists", "select", "from", "where", "as", "distinct", "asc", "desc", "div", "mod",
    "xor", "any", "all", "some", "date", "time", "timestamp", "binary", "collate", "current_timestamp",
    "current_date", "current_time", "unknown",
    # words of computed expressions: casts, aggregate options, intervals
    "char", "signed", "unsigned", "integer", "int", "float", "double", "real", "text", "varchar", "decimal",
    "numeric", "boolean", "separator", "order", "by", "over", "partition", "nulls", "first", "last", "using",
    "for", "leading", "trailing", "both", "microsecond", "quarter", "epoch", "dow", "doy", "isodow",
}
_QUOTED_OR_WORD = re.compile(r"""'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|`[^`]*`|\b([a-z_][a-z0-9_]*)\b(\s*\()?""")


def referenced_names(sql: str) -> set[str]:
    """Lower-case identifiers of a SQL condition that name attributes (not functions, keywords or literals)."""
    names = set()
    for m in _QUOTED_OR_WORD.finditer(sql):
        word, call = m.group(1), m.group(2)
        if word and not call and word not in _SQL_WORDS and not word.startswith("_"):
            start = m.start(1)
            if start > 0 and sql[start - 1] in ".:":
                continue
            names.add(word)
    for m in re.finditer(r"`([^`]+)`", sql):
        names.add(m.group(1))
    return names


def _from_mapping(heading: Heading, mapping: Any) -> Cond:
    items = []
    for key, value in mapping.items():
        if not isinstance(key, str) or key not in heading:
            continue  # keys that match no attribute are ignored, as DataJoint does
        # NaN is how numpy/pandas spell a missing value (fetched NULL floats come back as NaN)
        missing = value is None or (isinstance(value, float) and math.isnan(value))
        items.append(IsNull(key) if missing else Equals(key, value))
    return conjunction(items)


def _from_mappings(heading: Heading, mappings: list[dict] | tuple[dict, ...]) -> Cond:
    """A list of dicts (keys, typically): one :class:`InValues` per set of attributes named.

    The same as OR-ing :func:`_from_mapping` of each, without a condition object per row.
    """
    names_of: dict[tuple, tuple[str, ...]] = {}
    groups: dict[tuple[str, ...], list[tuple]] = {}
    others: list[Cond] = []
    for m in mappings:
        order = tuple(m)
        names = names_of.get(order)
        if names is None:
            names = names_of[order] = tuple(sorted(k for k in order if isinstance(k, str) and k in heading))
        if not names:
            return TRUE  # a dict naming no attribute restricts nothing
        values = tuple(m[k] for k in names)
        if any(v is None or (isinstance(v, float) and v != v) for v in values):
            others.append(_from_mapping(heading, m))  # IS NULL terms
        else:
            groups.setdefault(names, []).append(values)
    for names, rows in groups.items():
        others.append(InValues(names, _unique(rows)))
    return disjunction(others)


def make_condition(heading: Heading, restriction: Any, *, check_names: bool = True,
                   on_query: Callable[[InQuery], None] | None = None) -> Cond:
    """Normalise any supported restriction into a :class:`Cond` over ``heading``.

    ``on_query`` is called with every restriction by another query as it is made, before
    ``AND False`` / ``OR True`` simplify it away: the semantic check sees every query given.
    """
    from .nodes import Node  # a query expression is its node plus a connection

    r = restriction
    if isinstance(r, Cond):
        return r
    if isinstance(r, bool):
        return TRUE if r else FALSE
    if isinstance(r, Not):
        return negate(make_condition(heading, r.restriction, check_names=check_names, on_query=on_query))
    if isinstance(r, AndList):
        return conjunction([make_condition(heading, x, check_names=check_names, on_query=on_query) for x in r])
    if isinstance(r, str):
        return _from_sql(heading, r, check_names)
    if isinstance(r, dict) or (hasattr(r, "keys") and hasattr(r, "__getitem__") and not hasattr(r, "dtype")
                               and not hasattr(r, "columns") and not hasattr(r, "_node")):
        return _from_mapping(heading, r)
    if hasattr(r, "dtype") and getattr(r.dtype, "names", None) and getattr(r, "ndim", 0) == 0:  # numpy.void record
        return _from_mapping(heading, {n: r[n] for n in r.dtype.names})
    node = getattr(r, "_node", None)
    if isinstance(node, Node) or isinstance(r, Node):
        return _seen(semijoin(heading, node if node is not None else r), on_query)
    if hasattr(r, "to_dict") and hasattr(r, "columns"):  # pandas.DataFrame
        return disjunction([_from_mapping(heading, row) for row in r.reset_index().to_dict("records")])
    if hasattr(r, "dtype") and getattr(r.dtype, "names", None):  # structured array: OR of records
        return disjunction([_from_mapping(heading, {n: rec[n] for n in r.dtype.names}) for rec in r])
    if isinstance(r, type) and hasattr(r, "_node_for_class"):
        return _seen(semijoin(heading, r._node_for_class()), on_query)
    if isinstance(r, (list, tuple)) and r and all(type(x) is dict for x in r):
        return _from_mappings(heading, r)
    if isinstance(r, (list, tuple, set, frozenset)) or hasattr(r, "__next__"):
        return disjunction([make_condition(heading, x, check_names=check_names, on_query=on_query) for x in r])
    if r is None:
        raise DataJointError("Invalid restriction None: use a dict, a SQL string, a query, a list (OR) or True/False.")
    raise DataJointError(
        f"Invalid restriction of type {type(r).__name__}: use a dict, a SQL string, a query expression, "
        "a list or tuple (OR), dj.AndList (AND), dj.Not, a numpy record array, a pandas DataFrame, or True/False."
    )


def _from_sql(heading: Heading, text: str, check_names: bool) -> Cond:
    if check_names:
        unknown = sorted(n for n in referenced_names(text) if not heading.has(n, hidden=True))
        if unknown:
            raise heading.unknown(unknown[0]).__class__(
                f"Attribute `{unknown[0]}` in the restriction {text!r} is not in the heading; "
                f"the heading has: {', '.join(heading.names)}. Quote string values ('...') and check spelling."
            )
    return SqlText(text)


def _seen(cond: Cond, on_query: Callable[[InQuery], None] | None) -> Cond:
    if on_query is not None and isinstance(cond, InQuery):
        on_query(cond)
    return cond


def semijoin(heading: Heading, node: Node) -> Cond:
    shared = tuple(n for n in heading.names if n in node.heading.names)
    if not shared:
        # no shared attributes: everything if the other is non-empty, nothing otherwise
        return InQuery((), node)
    return InQuery(shared, node)
