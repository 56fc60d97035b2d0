"""The definition language: table definition text -> frozen syntax tree.

:func:`parse_definition` returns a :class:`TableDef`; errors are
:class:`~dj_jupyter.errors.DefinitionError` with line and column (and every problem of
the definition in ``problems``).  :func:`definition_problems` lists the problems without
raising; :func:`parse_definition_partial` also returns what the good lines declare.
"""

from .parser import definition_problems, parse_definition, parse_definition_partial
from .syntax import AttributeDef, Default, ForeignKeyDef, IndexDef, Item, Reference, Span, TableDef, TypeSpec

__all__ = [
    "parse_definition",
    "definition_problems",
    "parse_definition_partial",
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
