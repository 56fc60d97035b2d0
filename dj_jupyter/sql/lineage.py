"""Statements on a schema's ``~lineage`` service table (where each attribute was first defined)."""

from __future__ import annotations

from .dialect import Dialect
from .dml import compile_insert

__all__ = ["LINEAGE_TABLE", "compile_select_lineage", "compile_clear_lineage", "compile_clear_lineage_literal",
           "compile_insert_lineage"]

LINEAGE_TABLE = "~lineage"
_COLUMNS = ["table_name", "attribute_name", "lineage"]


def compile_select_lineage(dialect: Dialect, schema: str) -> str:
    """All lineage rows of a schema: ``(table_name, attribute_name, lineage)``."""
    cols = ", ".join(dialect.quote(c) for c in _COLUMNS)
    return f"SELECT {cols} FROM {dialect.full_name(schema, LINEAGE_TABLE)}"


def compile_clear_lineage(dialect: Dialect, schema: str) -> str:
    """Delete one table's lineage rows; one parameter: the table name."""
    return f"DELETE FROM {dialect.full_name(schema, LINEAGE_TABLE)} WHERE {dialect.quote('table_name')} = {dialect.placeholder}"


def compile_clear_lineage_literal(dialect: Dialect, schema: str, table: str) -> str:
    """The same with the name as a literal, for statement batches run without parameters."""
    return (f"DELETE FROM {dialect.full_name(schema, LINEAGE_TABLE)} "
            f"WHERE {dialect.quote('table_name')} = {dialect.string_literal(table)}")


def compile_insert_lineage(dialect: Dialect, schema: str) -> str:
    """Insert one lineage row; parameters: table name, attribute name, lineage."""
    return compile_insert(dialect, schema, LINEAGE_TABLE, _COLUMNS, _COLUMNS[:2])
