"""The definition language: table definition text -> frozen syntax tree.

:func:`parse_definition` returns a :class:`TableDef`; errors are
:class:`~dj_jupyter.errors.DefinitionError` with line and column.
"""

from .parser import parse_definition
from .syntax import AttributeDef, Default, ForeignKeyDef, IndexDef, Item, Reference, Span, TableDef, TypeSpec

__all__ = [
    "parse_definition",
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
