"""Frozen syntax tree of a table definition.

The parser (``parser.py``) turns definition text into a :class:`TableDef`; nothing
here knows about SQL, databases or other tables.  Foreign-key references are kept
as unresolved names (:class:`Reference`) and resolved later against the
declaration context (``dj_jupyter.schema.declare``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

__all__ = [
    "Span",
    "TypeSpec",
    "Default",
    "AttributeDef",
    "Reference",
    "ForeignKeyDef",
    "IndexDef",
    "TableDef",
    "Item",
]


@dataclass(frozen=True)
class Span:
    """Where an item sits in the definition text: 1-based line and column."""

    line: int
    column: int = 1
    text: str = ""  # the whole source line, for error messages


@dataclass(frozen=True)
class TypeSpec:
    """An attribute type as declared.

    kind:
        ``"core"``   a portable DataJoint type (``int32``, ``uint16``, ``varchar(100)``, ...)
        ``"native"`` a SQL type passed through (``int unsigned``, ``text``, ...), with a warning
        ``"codec"``  an angle-bracket type (``<blob>``, ``<npy@store>``)
    name:
        core: the core type name without arguments (``"varchar"``, ``"enum"``, ``"uint8"``,
        ``"datetime"``, ``"decimal"``); native: the lower-cased type text; codec: the codec name.
    args:
        core ``char``/``varchar``: ``(n,)``; ``decimal``: ``(p, s)``; ``datetime``: ``()`` or
        ``(n,)``; ``enum``: the values as python strings.  Otherwise ``()``.
    store:
        codec only: ``None`` in-table, ``""`` the default store (``<x@>``), else the store name.
    """

    text: str
    kind: Literal["core", "native", "codec"]
    name: str
    args: tuple = ()
    store: str | None = None

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Default:
    """A declared default value.

    kind:
        ``"null"``    ``= null``: the attribute is nullable, default NULL
        ``"sql"``     an unquoted SQL constant such as ``CURRENT_TIMESTAMP`` or ``CURRENT_TIMESTAMP(3)``
        ``"literal"`` a value; ``value`` holds it as a python string without quotes
    """

    kind: Literal["null", "sql", "literal"]
    value: str | None = None
    quoted: bool = False  # the literal was written in quotes


@dataclass(frozen=True)
class AttributeDef:
    """``name [= default] : type [# comment]``."""

    name: str
    type: TypeSpec
    default: Default | None
    comment: str
    in_key: bool
    span: Span

    @property
    def nullable(self) -> bool:
        return self.default is not None and self.default.kind == "null"


@dataclass(frozen=True)
class Reference:
    """The target of ``->``: a dotted name and optional ``.proj(new='old', ...)`` renames."""

    names: tuple[str, ...]  # ("Subject",) or ("other_module", "Subject")
    renames: tuple[tuple[str, str], ...] = ()  # ((new, old), ...)

    @property
    def text(self) -> str:
        base = ".".join(self.names)
        if self.renames:
            base += ".proj(" + ", ".join(f"{n}='{o}'" for n, o in self.renames) + ")"
        return base


@dataclass(frozen=True)
class ForeignKeyDef:
    """``-> [nullable, unique] Parent`` in the primary or secondary section."""

    ref: Reference
    nullable: bool
    unique: bool
    in_key: bool
    span: Span


@dataclass(frozen=True)
class IndexDef:
    """``index(a, b)`` or ``unique index(a)``; items are the raw arguments, stripped."""

    unique: bool
    items: tuple[str, ...]
    span: Span


Item = Union[AttributeDef, ForeignKeyDef, IndexDef]


@dataclass(frozen=True)
class TableDef:
    """A whole definition: table comment and items in declaration order."""

    comment: str
    items: tuple[Item, ...] = field(default_factory=tuple)

    @property
    def attributes(self) -> tuple[AttributeDef, ...]:
        return tuple(i for i in self.items if isinstance(i, AttributeDef))

    @property
    def foreign_keys(self) -> tuple[ForeignKeyDef, ...]:
        return tuple(i for i in self.items if isinstance(i, ForeignKeyDef))

    @property
    def indexes(self) -> tuple[IndexDef, ...]:
        return tuple(i for i in self.items if isinstance(i, IndexDef))
