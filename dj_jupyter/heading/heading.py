"""Attributes and headings: the typed, ordered column lists of tables and query results.

Headings are immutable.  A table's heading is built once from the catalog
(:func:`heading_from_info`); query operators derive new headings from their
operands' headings without touching the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

from ..definition.syntax import TypeSpec
from ..errors import DataJointError, UnknownAttributeError

__all__ = ["Attribute", "Heading"]

_NUMERIC_CORE = {
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64", "decimal", "bool",
}
_INTEGER_CORE = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"}
_BLOB_LIKE = {"bytes", "json"}


@dataclass(frozen=True)
class Attribute:
    """One attribute (column) of a heading.

    ``type`` is the declared type (from the ``:type:`` comment marker, or inferred from
    the SQL type when there is none).  ``expression`` is set for attributes of query
    results that are computed or renamed: the SQL expression (``None`` for plain
    columns).  ``lineage`` names where the attribute was first defined
    (``schema.table.attribute``), or ``None``.
    """

    name: str
    type: TypeSpec
    sql_type: str = ""
    in_key: bool = False
    nullable: bool = False
    default: str | None = None
    comment: str = ""
    autoincrement: bool = False
    expression: str | None = None
    lineage: str | None = None

    @property
    def hidden(self) -> bool:
        return self.name.startswith("_")

    @property
    def core(self) -> str | None:
        """The core type name, or None for native, codec and computed attributes."""
        return self.type.name if self.type.kind == "core" else None

    @property
    def is_numeric(self) -> bool:
        return self.core in _NUMERIC_CORE

    @property
    def is_integer(self) -> bool:
        return self.core in _INTEGER_CORE

    @property
    def is_codec(self) -> bool:
        return self.type.kind == "codec"

    @property
    def is_blob_like(self) -> bool:
        """Never fetched for previews, never in a primary key."""
        return self.is_codec or self.core in _BLOB_LIKE or "blob" in self.sql_type

    @property
    def type_text(self) -> str:
        return self.type.text


_EXPRESSION = TypeSpec("expression", "native", "expression")


class Heading:
    """An ordered, immutable collection of attributes, hidden ones included.

    Visible attributes are those whose name does not start with ``_``; ``names``,
    ``primary_key`` and iteration see only those.
    """

    __slots__ = ("_all", "_visible", "table_comment", "_index", "memo")

    def __init__(self, attributes: Iterable[Attribute], table_comment: str = "") -> None:
        self._all = tuple(attributes)
        self._visible = tuple(a for a in self._all if not a.hidden)
        self._index = {a.name: a for a in self._all}
        self.table_comment = table_comment
        # derived per-heading values that callers compute once (fetch's column decoders); the
        # heading never changes, so neither do they
        self.memo: dict = {}
        if len(self._index) != len(self._all):
            seen: set[str] = set()
            dup = next(a.name for a in self._all if a.name in seen or seen.add(a.name))
            raise DataJointError(f"Attribute `{dup}` appears twice in a heading.")

    # -- views ---------------------------------------------------------------------
    @property
    def attributes(self) -> dict[str, Attribute]:
        return {a.name: a for a in self._visible}

    @property
    def all_attributes(self) -> tuple[Attribute, ...]:
        return self._all

    @property
    def names(self) -> list[str]:
        return [a.name for a in self._visible]

    @property
    def primary_key(self) -> list[str]:
        return [a.name for a in self._visible if a.in_key]

    @property
    def secondary_attributes(self) -> list[str]:
        return [a.name for a in self._visible if not a.in_key]

    @property
    def hidden_names(self) -> list[str]:
        return [a.name for a in self._all if a.hidden]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self._visible)

    def __contains__(self, name: object) -> bool:
        return name in self._index and not str(name).startswith("_")

    def has(self, name: str, *, hidden: bool = False) -> bool:
        return name in self._index and (hidden or not name.startswith("_"))

    def __getitem__(self, name: str) -> Attribute:
        try:
            attr = self._index[name]
        except KeyError:
            raise self.unknown(name) from None
        return attr

    def get(self, name: str, *, hidden: bool = False) -> Attribute | None:
        attr = self._index.get(name)
        if attr is None or (attr.hidden and not hidden):
            return None
        return attr

    def unknown(self, name: str, what: str = "attribute") -> UnknownAttributeError:
        """An error for an attribute name that is not in this heading, listing the heading."""
        return UnknownAttributeError(
            f"{what} `{name}` is not in the heading; the heading has: {', '.join(self.names) or '(no attributes)'}."
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Heading) and self._all == other._all

    def __reduce__(self) -> tuple:
        return Heading, (self._all, self.table_comment)  # the memo is rebuilt, not copied

    def __hash__(self) -> int:
        return hash(self._all)

    def __repr__(self) -> str:
        lines = [f"# {self.table_comment}"] if self.table_comment else []
        in_key = True
        for a in self._visible:
            if in_key and not a.in_key:
                lines.append("---")
                in_key = False
            name = a.name if a.default is None else f"{a.name}={a.default}"
            lines.append(f"{name:<20} : {a.type.text:<28} # {a.comment}")
        return "\n".join(lines) + "\n"

    # -- derivation ------------------------------------------------------------------
    def select(self, names: Iterable[str]) -> "Heading":
        """A heading of the given attributes in the given order."""
        return Heading([self[n] for n in names], self.table_comment)

    def with_attributes(self, attributes: Iterable[Attribute]) -> "Heading":
        return Heading(attributes, self.table_comment)

    def visible(self) -> "Heading":
        return Heading(self._visible, self.table_comment)

    def as_key(self) -> "Heading":
        """Only the primary key."""
        return Heading([a for a in self._visible if a.in_key], self.table_comment)

    @staticmethod
    def computed(name: str, expression: str, *, in_key: bool = False) -> Attribute:
        return Attribute(name=name, type=_EXPRESSION, expression=expression, in_key=in_key, nullable=True)


def renamed(attr: Attribute, new_name: str) -> Attribute:
    """The attribute under a new name, remembering its source column as the expression."""
    return replace(attr, name=new_name, expression=attr.expression or attr.name)


_MARKER = re.compile(r"^:(?P<type>(<[^>]*>|[^:])+?):(?P<comment>.*)$", re.S)


def split_marker(comment: str) -> tuple[str | None, str]:
    """``':int32:subject id'`` -> ``('int32', 'subject id')``; no marker -> ``(None, comment)``."""
    m = _MARKER.match(comment or "")
    if not m:
        return None, comment or ""
    return m.group("type"), m.group("comment")
