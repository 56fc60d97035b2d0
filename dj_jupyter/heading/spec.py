"""Frozen descriptions of tables: what to create (``TableSpec``) and what exists (``TableInfo``).

``TableSpec`` is the resolved declaration (foreign keys expanded into columns,
hidden attributes added) that the per-dialect DDL compiler turns into SQL.
``TableInfo`` is what the catalog reads back from a database; headings are
built from it.  Neither holds SQL text.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..definition.syntax import Default, TypeSpec

__all__ = ["ColumnSpec", "ForeignKeySpec", "IndexSpec", "TableSpec", "ColumnInfo", "ForeignKeyInfo", "IndexInfo", "TableInfo"]


@dataclass(frozen=True)
class ColumnSpec:
    """One column to create.

    type:
        the *storage* type: a core or native :class:`TypeSpec` (codecs already resolved).
    declared:
        the type as the user wrote it (codec or core); written as the ``:type:`` comment
        marker when ``marker`` is true.
    marker:
        whether the comment carries the ``:declared:`` marker.  Attributes declared in the
        table carry it for core and codec types; columns inherited through a foreign key
        copy the parent's comment without a marker, except ``uuid`` (as DataJoint 2.x does).
    """

    name: str
    type: TypeSpec
    declared: TypeSpec
    nullable: bool = False
    default: Default | None = None
    comment: str = ""
    marker: bool = True
    in_key: bool = False

    @property
    def stored_comment(self) -> str:
        """The column comment as written to the database."""
        if self.marker:
            return f":{self.declared.text}:{self.comment}"
        return self.comment


@dataclass(frozen=True)
class ForeignKeySpec:
    columns: tuple[str, ...]
    parent_schema: str
    parent_table: str
    parent_columns: tuple[str, ...]


@dataclass(frozen=True)
class IndexSpec:
    """``items`` are attribute names or raw SQL expressions in parentheses."""

    items: tuple[str, ...]
    unique: bool = False


@dataclass(frozen=True)
class TableSpec:
    schema: str
    name: str
    comment: str
    columns: tuple[ColumnSpec, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKeySpec, ...] = ()
    indexes: tuple[IndexSpec, ...] = ()

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True)
class ColumnInfo:
    """A column as the database reports it.

    sql_type is lower case as the server reports it, without display widths for integers
    (``int``, ``smallint unsigned``, ``varchar(100)``, ``double precision``...).
    default is the server's default expression text (None if none).
    comment is the stored comment, marker included.
    """

    name: str
    sql_type: str
    nullable: bool
    default: str | None
    comment: str
    in_key: bool
    autoincrement: bool = False


@dataclass(frozen=True)
class ForeignKeyInfo:
    child_schema: str
    child_table: str
    columns: tuple[str, ...]
    parent_schema: str
    parent_table: str
    parent_columns: tuple[str, ...]
    name: str = ""


@dataclass(frozen=True)
class IndexInfo:
    name: str
    columns: tuple[str, ...]
    unique: bool


@dataclass(frozen=True)
class TableInfo:
    schema: str
    name: str
    comment: str
    columns: tuple[ColumnInfo, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKeyInfo, ...] = ()
    indexes: tuple[IndexInfo, ...] = ()
