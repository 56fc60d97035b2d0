"""What exists in the database: schemas, tables, columns, indexes, foreign keys.

:class:`Catalog` runs the introspection statements of :mod:`dj_jupyter.sql.catalog`
and assembles frozen :class:`~dj_jupyter.heading.spec.TableInfo` values.  All the
metadata of a schema is read in a constant number of queries (tables, columns,
indexes, foreign keys), however many tables it holds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..heading.spec import ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo
from ..sql import catalog as sql

if TYPE_CHECKING:  # the connection owns a catalog; the catalog only calls connection.query
    from ..connection import Connection

__all__ = ["Catalog", "normalize_sql_type"]

SERVICE_PREFIX = "~"  # service tables (~lineage, ~~jobs, ...) are not user tables

# MySQL integer display widths carry no meaning (and MySQL 8 dropped them): int(11) -> int
_INT_WIDTH = re.compile(r"\b(tinyint|smallint|mediumint|int|integer|bigint)\s*\(\s*\d+\s*\)")


def normalize_sql_type(sql_type: str) -> str:
    """Lower-case a reported column type and drop integer display widths.

    Examples
    --------
    >>> normalize_sql_type("INT(10) UNSIGNED")
    'int unsigned'
    >>> normalize_sql_type("decimal(6,2)")
    'decimal(6,2)'
    """
    text = sql_type.decode() if isinstance(sql_type, bytes) else str(sql_type)
    return _INT_WIDTH.sub(r"\1", text.strip().lower())


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)


class Catalog:
    """Introspection of one connection's database.

    Parameters
    ----------
    connection : Connection
        Queries run on the calling thread's driver connection.
    """

    def __init__(self, connection: "Connection") -> None:
        self._connection = connection

    def _rows(self, statement: tuple[str, tuple]) -> list[tuple]:
        return list(self._connection.query(*statement).fetchall())

    @property
    def _dialect(self):
        return self._connection.dialect

    # ------------------------------------------------------------ schemas and tables

    def list_schemas(self) -> list[str]:
        """Names of the schemas on the server (system schemas excluded), sorted."""
        return sorted(_text(r[0]) for r in self._rows(sql.list_schemas_sql(self._dialect)))

    def schema_exists(self, name: str) -> bool:
        """Whether a schema of this name exists."""
        return bool(self._rows(sql.schema_exists_sql(self._dialect, name)))

    def list_tables(self, schema: str) -> list[str]:
        """User tables of a schema, sorted by name (service tables starting with ``~`` excluded)."""
        names = (_text(r[0]) for r in self._rows(sql.tables_sql(self._dialect, schema)))
        return sorted(n for n in names if not n.startswith(SERVICE_PREFIX))

    def table_infos(self, schema: str) -> dict[str, TableInfo]:
        """Every table of a schema, service tables included, keyed and sorted by name."""
        return self._assemble(schema, None)

    def table_info(self, schema: str, table: str) -> TableInfo | None:
        """One table, or None if it does not exist."""
        return self._assemble(schema, table).get(table)

    def foreign_keys(self, schemas: Sequence[str]) -> list[ForeignKeyInfo]:
        """Foreign keys whose child table is in ``schemas`` (parents may be elsewhere)."""
        if not schemas:
            return []
        return _group_foreign_keys(self._rows(sql.foreign_keys_sql(self._dialect, list(schemas))))

    # ------------------------------------------------------------ assembly

    def _assemble(self, schema: str, table: str | None) -> dict[str, TableInfo]:
        d = self._dialect
        tables = {_text(name): _text(comment) for name, comment in self._rows(sql.tables_sql(d, schema, table))}
        if not tables:
            return {}
        columns = _group_columns(self._rows(sql.columns_sql(d, schema, table)))
        indexes = _group_indexes(self._rows(sql.indexes_sql(d, schema, table)))
        fks: dict[str, list[ForeignKeyInfo]] = defaultdict(list)
        for fk in _group_foreign_keys(self._rows(sql.foreign_keys_sql(d, [schema], table))):
            fks[fk.child_table].append(fk)
        infos = {}
        for name in sorted(tables):
            cols = columns.get(name, [])
            infos[name] = TableInfo(
                schema=schema,
                name=name,
                comment=tables[name],
                columns=tuple(c for c, _ in cols),
                primary_key=tuple(c.name for c, pos in sorted(cols, key=lambda x: x[1]) if pos),
                foreign_keys=tuple(fks.get(name, ())),
                indexes=tuple(indexes.get(name, ())),
            )
        return infos


def _group_columns(rows: Iterable[tuple]) -> dict[str, list[tuple[ColumnInfo, int]]]:
    """Columns per table, each with its 1-based position in the primary key (0: not in it)."""
    grouped: dict[str, list[tuple[ColumnInfo, int]]] = defaultdict(list)
    for table, name, sql_type, nullable, default, comment, key_position, autoinc in rows:
        position = int(key_position or 0)
        info = ColumnInfo(
            name=_text(name),
            sql_type=normalize_sql_type(sql_type),
            nullable=bool(nullable),
            default=None if default is None else _text(default),
            comment=_text(comment),
            in_key=position > 0,
            autoincrement=bool(autoinc),
        )
        grouped[_text(table)].append((info, position))
    return grouped


def _group_indexes(rows: Iterable[tuple]) -> dict[str, list[IndexInfo]]:
    """Rows arrive ordered by table, index, position: fold consecutive rows into indexes."""
    columns: dict[tuple[str, str], list[str]] = {}
    unique: dict[tuple[str, str], bool] = {}
    for table, index, is_unique, column in rows:
        key = (_text(table), _text(index))
        columns.setdefault(key, []).append(_text(column))
        unique[key] = bool(is_unique)
    grouped: dict[str, list[IndexInfo]] = defaultdict(list)
    for (table, index), cols in columns.items():
        grouped[table].append(IndexInfo(name=index, columns=tuple(cols), unique=unique[(table, index)]))
    return grouped


def _group_foreign_keys(rows: Iterable[tuple]) -> list[ForeignKeyInfo]:
    """Rows arrive ordered by child table, constraint, position: fold them into foreign keys."""
    parts: dict[tuple, tuple[list[str], list[str]]] = {}
    for name, child_schema, child_table, parent_schema, parent_table, column, parent_column in rows:
        key = tuple(_text(v) for v in (child_schema, child_table, name, parent_schema, parent_table))
        child_cols, parent_cols = parts.setdefault(key, ([], []))
        child_cols.append(_text(column))
        # sqlite: a key declared without parent columns references columns of the same names
        parent_cols.append(_text(parent_column) if parent_column is not None else _text(column))
    return [
        ForeignKeyInfo(
            child_schema=cs,
            child_table=ct,
            columns=tuple(cols),
            parent_schema=ps,
            parent_table=pt,
            parent_columns=tuple(pcols),
            name=name,
        )
        for (cs, ct, name, ps, pt), (cols, pcols) in parts.items()
    ]
