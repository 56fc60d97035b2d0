"""Catalog metadata read once per schema and connection, and the headings built from it.

``state_of(connection)`` holds, per connection, the schemas in use and their table
descriptions.  Each schema's tables are read with a constant number of catalog queries
the first time they are needed, and again only after DDL in that schema; headings are
built once per table.  Nothing here is read inside a populate loop.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from ..definition.types import parse_type
from ..errors import DataJointError, MissingTableError
from ..heading.heading import Attribute, Heading, split_marker
from ..heading.spec import TableInfo
from ..query.nodes import TableRef
from ..sql.lineage import LINEAGE_TABLE, compile_select_lineage
from ..sql.types import core_type_from_sql

__all__ = ["LINEAGE_TABLE", "ConnectionState", "SchemaState", "heading_from_info", "state_of"]


_states: weakref.WeakKeyDictionary[Any, ConnectionState] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def heading_from_info(info: TableInfo, dialect_name: str, lineage: dict[str, str] | None = None) -> Heading:
    """Build a table's heading from what the catalog reported."""
    lineage = lineage or {}
    attrs = []
    for col in info.columns:
        declared, comment = split_marker(col.comment)
        spec = None
        if declared is not None:
            try:
                spec = parse_type(declared)
            except DataJointError:
                spec = None
        if spec is None:
            spec = core_type_from_sql(_dialect(dialect_name), col.sql_type)
        attrs.append(
            Attribute(
                name=col.name,
                type=spec,
                sql_type=col.sql_type,
                in_key=col.in_key,
                nullable=col.nullable,
                default=col.default,
                comment=comment,
                autoincrement=col.autoincrement,
                lineage=lineage.get(col.name),
            )
        )
    heading = Heading(attrs, info.comment)
    for a in heading.attributes.values():
        if a.in_key and a.is_blob_like:
            raise DataJointError(
                f"Table `{info.schema}`.`{info.name}`: blob, bytes or JSON attribute `{a.name}` cannot be in the primary key."
            )
    return heading


def _dialect(name: str):
    from ..sql.dialect import get_dialect

    return get_dialect(name)


class SchemaState:
    """Table descriptions and headings of one schema on one connection."""

    def __init__(self, connection: Any, name: str) -> None:
        self.connection = connection
        self.name = name
        self._infos: dict[str, TableInfo] | None = None
        self._lineage: dict[str, dict[str, str]] | None = None
        self._headings: dict[str, Heading] = {}
        self._refs: dict[str, TableRef] = {}
        self._lock = threading.RLock()

    def invalidate(self) -> None:
        with self._lock:
            self._infos = None
            self._lineage = None
            self._headings = {}
            self._refs = {}

    @property
    def infos(self) -> dict[str, TableInfo]:
        with self._lock:
            if self._infos is None:
                self._infos = dict(self.connection.catalog.table_infos(self.name))
            return self._infos

    @property
    def lineage(self) -> dict[str, dict[str, str]]:
        """``{table: {attribute: lineage}}`` from the schema's ``~lineage`` table."""
        with self._lock:
            if self._lineage is None:
                self._lineage = self._read_lineage()
            return self._lineage

    def _read_lineage(self) -> dict[str, dict[str, str]]:
        if LINEAGE_TABLE not in self.infos:
            return {}
        sql = compile_select_lineage(self.connection.dialect, self.name)
        out: dict[str, dict[str, str]] = {}
        for table, attr, lin in self.connection.query(sql).fetchall():
            out.setdefault(table, {})[attr] = lin
        return out

    def has_table(self, table: str) -> bool:
        return table in self.infos

    def info(self, table: str) -> TableInfo:
        try:
            return self.infos[table]
        except KeyError:
            raise MissingTableError(f"Table `{self.name}`.`{table}` does not exist.") from None

    def heading(self, table: str) -> Heading:
        h = self._headings.get(table)
        if h is None:
            with self._lock:
                h = heading_from_info(self.info(table), self.connection.dialect.name, self.lineage.get(table))
                self._headings[table] = h
        return h

    def table_ref(self, table: str) -> TableRef:
        """The query node of a whole table, one per heading (it remembers its compiled statements)."""
        ref = self._refs.get(table)
        if ref is None:
            with self._lock:
                ref = self._refs.get(table)
                if ref is None:
                    ref = self._refs[table] = TableRef(self.name, table, self.heading(table))
        return ref

    def table_names(self) -> list[str]:
        return sorted(n for n in self.infos if not n.startswith("~"))


class ConnectionState:
    """Schemas in use on one connection and the dependency graph across them."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.schemas: dict[str, SchemaState] = {}
        self._graph = None
        self._lock = threading.RLock()

    def schema(self, name: str) -> SchemaState:
        st = self.schemas.get(name)  # every query asks: no lock when the schema is known
        if st is not None:
            return st
        with self._lock:
            st = self.schemas.get(name)
            if st is None:
                st = self.schemas[name] = SchemaState(self.connection, name)
                self._graph = None
            return st

    def invalidate(self, name: str | None = None) -> None:
        with self._lock:
            for st in self.schemas.values():
                if name is None or st.name == name:
                    st.invalidate()
            self._graph = None

    def forget(self, name: str) -> None:
        with self._lock:
            self.schemas.pop(name, None)
            self._graph = None

    @property
    def graph(self):
        """The foreign-key graph of all schemas in use (built once, rebuilt after DDL)."""
        from .dependencies import Dependencies

        with self._lock:
            if self._graph is None:
                self._graph = Dependencies.load(self)
            return self._graph


def state_of(connection: Any) -> ConnectionState:
    st = _states.get(connection)
    if st is not None:
        return st
    with _lock:
        st = _states.get(connection)
        if st is None:
            st = _states[connection] = ConnectionState(connection)
        return st
