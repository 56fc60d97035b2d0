"""``Table``: a query expression bound to one database table, with the data-manipulation API.

Table classes work without instantiation (``Subject.insert1(...)``, ``Subject & key``):
the metaclass forwards the public API to a fresh instance.  Restricting a table keeps
its class (so ``(Session & key).delete()`` works); other operators give plain
:class:`QueryExpression` results.
"""

from __future__ import annotations

from typing import Any

from ..errors import DataJointError
from ..query.nodes import Node, Restrict, TableRef, Top
from .catalog_state import state_of
from .expression import QueryExpression

__all__ = ["Table", "FreeTable", "TableMeta", "TIER_BASES"]

# the tier base classes (Manual, Lookup, Imported, Computed, Part) by tier name; each tier base
# marks itself with ``_tier_base = True`` so that classes built for existing tables (virtual
# modules) get the right base without this layer importing the populate layer
TIER_BASES: dict[str, type] = {}

_FORWARDED = frozenset({
    "key_source", "describe", "alter", "heading", "populate", "progress", "primary_key", "proj", "aggr", "aggregate",
    "join", "extend", "to_dicts", "to_pandas", "to_polars", "to_arrow", "to_arrays", "keys", "fetch", "fetch1", "head",
    "tail", "descendants", "ancestors", "parts", "parents", "children", "insert", "insert1", "insert_dataframe",
    "update1", "validate", "drop", "drop_quick", "delete", "delete_quick", "staged_insert1", "connection",
    "table_name", "full_table_name", "restrict", "make_sql", "preview", "jobs", "count", "page", "cursor",
    "restriction", "is_restricted", "master",
})


class TableMeta(type):
    """Lets table classes be used like their instances."""

    def __getattribute__(cls, name: str) -> Any:
        if name in _FORWARDED and type.__getattribute__(cls, "_tier") is not None:
            return getattr(cls(), name)
        return type.__getattribute__(cls, name)

    def __and__(cls, other: Any) -> Any:
        return cls() & other

    def __sub__(cls, other: Any) -> Any:
        return cls() - other

    def __mul__(cls, other: Any) -> Any:
        return cls() * other

    def __rmul__(cls, other: Any) -> Any:
        return other * cls()

    def __add__(cls, other: Any) -> Any:
        return cls() + other

    def __neg__(cls) -> Any:
        return -cls()

    def __iter__(cls):
        return iter(cls())


class Table(QueryExpression, metaclass=TableMeta):
    """Base of all tables.  Subclasses are bound to a database table by ``@schema``."""

    _tier: str | None = None  # "Manual", "Lookup", "Imported", "Computed", "Part", "Free"
    _table_name: str | None = None
    _allow_insert: bool = True
    database: str | None = None
    _connection: Any = None
    definition: str = ""
    declaration_context: dict | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_tier_base"):
            TIER_BASES[cls._tier] = cls

    def __init__(self) -> None:  # instances carry no state but an optional restriction
        pass

    # ---------------------------------------------------------------- identity
    @property
    def connection(self) -> Any:
        conn = type(self)._connection
        if conn is None:
            raise DataJointError(
                f"Table {type(self).__name__} is not bound to a database: decorate its class with @schema "
                "(schema = dj.Schema('name')) before using it."
            )
        return conn

    @property
    def table_name(self) -> str:
        name = type(self)._table_name
        if name is None:
            raise DataJointError(f"Table {type(self).__name__} is not declared in a schema yet.")
        return name

    @property
    def full_table_name(self) -> str:
        return self.connection.dialect.full_name(self.database, self.table_name)

    @property
    def _state(self):
        return state_of(self.connection).schema(self.database)

    @property
    def heading(self):
        node = self.__dict__.get("_restricted")
        return node.heading if node is not None else self._state.heading(self.table_name)

    @property
    def _node(self) -> Node:  # type: ignore[override]
        node = self.__dict__.get("_restricted")
        if node is None:
            return self._state.table_ref(self.table_name)
        return node

    @classmethod
    def _node_for_class(cls) -> Node:
        return cls()._node

    @property
    def is_restricted(self) -> bool:
        return self.__dict__.get("_restricted") is not None

    def _derive(self, node: Node) -> QueryExpression:
        if _restricts_table(node):
            clone = type(self).__new__(type(self))
            clone.__dict__["_restricted"] = node
            return clone
        return QueryExpression(node, self.connection)

    def _table_ref(self) -> TableRef:
        return self._state.table_ref(self.table_name)

    def __repr__(self) -> str:
        return super().__repr__()

    # ---------------------------------------------------------------- writing
    def insert(self, rows: Any, replace: bool = False, skip_duplicates: bool = False, ignore_extra_fields: bool = False,
               allow_direct_insert: bool | None = None, chunk_size: int | None = None) -> None:
        """Insert rows (dicts, numpy records, a DataFrame, or a query expression)."""
        from .insert import insert_rows

        insert_rows(self, rows, replace=replace, skip_duplicates=skip_duplicates, ignore_extra_fields=ignore_extra_fields,
                    allow_direct_insert=allow_direct_insert, chunk_size=chunk_size)

    def insert1(self, row: Any, **kwargs: Any) -> None:
        """Insert one row (a dict, a numpy record, or a sequence in heading order)."""
        self.insert((row,), **kwargs)

    @property
    def staged_insert1(self) -> Any:
        """A context manager inserting one row whose ``<object@>`` values are written straight into the store.

        See :mod:`dj_jupyter.schema.staged`: ``with T.staged_insert1 as staged: staged.rec[...] = ...;
        zarr.open(staged.store("field", ".zarr"), mode="w", ...)``.
        """
        from .staged import StagedInsert

        return StagedInsert(self)

    def insert_dataframe(self, df: Any, index_as_pk: bool | None = None, **kwargs: Any) -> None:
        from .insert import insert_dataframe

        insert_dataframe(self, df, index_as_pk=index_as_pk, **kwargs)

    def update1(self, row: dict) -> None:
        """Update the secondary attributes of one existing row, identified by its primary key."""
        from .insert import update_row

        update_row(self, row)

    def delete_quick(self, get_count: bool = False) -> int | None:
        """Delete the rows of this (restricted) table only: no cascade, no prompt."""
        from .delete import delete_quick

        return delete_quick(self, get_count=get_count)

    def delete(self, transaction: bool = True, prompt: bool | None = None, part_integrity: str = "enforce") -> int:
        """Delete the rows of this (restricted) table and, cascading, every row that depends on them."""
        from .delete import delete_cascade

        return delete_cascade(self, transaction=transaction, prompt=prompt, part_integrity=part_integrity)

    def drop_quick(self) -> None:
        from .delete import drop_quick

        drop_quick(self)

    def drop(self, prompt: bool | None = None, part_integrity: str = "enforce") -> None:
        """Drop this table and every table that depends on it."""
        from .delete import drop_tables

        drop_tables(self, prompt=prompt, part_integrity=part_integrity)

    # ---------------------------------------------------------------- description and navigation
    def describe(self, context: dict | None = None, printout: bool = False) -> str:
        from .describe import describe

        text = describe(self, context)
        if printout:
            print(text)
        return text

    def _graph(self):
        return state_of(self.connection).graph

    def _key(self) -> tuple[str, str]:
        return (self.database, self.table_name)

    def _full(self, key: tuple[str, str]) -> str:
        return self.connection.dialect.full_name(*key)

    def parents(self, primary: bool | None = None, as_objects: bool = False, foreign_key_info: bool = False):
        edges = self._graph().parents(self._key())
        if primary is not None:
            edges = [e for e in edges if all(c in self.primary_key for c in e.fk.columns) == primary]
        return self._present([e.parent for e in edges], as_objects, edges if foreign_key_info else None)

    def children(self, primary: bool | None = None, as_objects: bool = False, foreign_key_info: bool = False):
        edges = self._graph().children(self._key())
        if primary is not None:
            edges = [e for e in edges if all(c in _pk_of(self, e.child) for c in e.fk.columns) == primary]
        return self._present([e.child for e in edges], as_objects, edges if foreign_key_info else None)

    def ancestors(self, as_objects: bool = False):
        return self._present(self._graph().ancestors(self._key()), as_objects)

    def descendants(self, as_objects: bool = False):
        return self._present(self._graph().descendants(self._key()), as_objects)

    def parts(self, as_objects: bool = False):
        return self._present(self._graph().parts(self._key()), as_objects)

    def _present(self, keys, as_objects: bool, edges=None):
        if as_objects:
            return [FreeTable(self.connection, f"{s}.{t}") for s, t in keys]
        if edges is not None:
            return [(self._full(k), {"attr_map": e.attr_map, "aliased": e.aliased}) for k, e in zip(keys, edges)]
        return [self._full(k) for k in keys]


def _pk_of(table: Table, key: tuple[str, str]) -> list[str]:
    return state_of(table.connection).schema(key[0]).heading(key[1]).primary_key


def _restricts_table(node: Node) -> bool:
    while isinstance(node, (Restrict, Top)):
        node = node.source
    return isinstance(node, TableRef)


class FreeTable(Table):
    """A table addressed by name, without a class: ``dj.FreeTable(conn, "schema.table")``."""

    _tier = "Free"

    def __init__(self, connection: Any = None, full_table_name: str | None = None) -> None:
        if full_table_name is None and isinstance(connection, str):
            connection, full_table_name = None, connection
        if connection is None:
            from ..connection import conn

            connection = conn()
        if not full_table_name:
            raise DataJointError("FreeTable needs a full table name 'schema.table'.")
        schema, _, table = full_table_name.replace("`", "").replace('"', "").partition(".")
        if not table:
            raise DataJointError(f"FreeTable needs a full table name 'schema.table'; got {full_table_name!r}.")
        self.__dict__["_free"] = (connection, schema, table)

    @property
    def connection(self) -> Any:
        return self.__dict__["_free"][0]

    @property
    def database(self) -> str:  # type: ignore[override]
        return self.__dict__["_free"][1]

    @property
    def table_name(self) -> str:
        return self.__dict__["_free"][2]

    def _derive(self, node: Node) -> QueryExpression:
        if _restricts_table(node):
            clone = FreeTable.__new__(FreeTable)
            clone.__dict__.update(_free=self.__dict__["_free"], _restricted=node)
            return clone
        return QueryExpression(node, self.connection)

    def __repr__(self) -> str:
        return f"FreeTable({self.full_table_name})\n" + super().__repr__()
