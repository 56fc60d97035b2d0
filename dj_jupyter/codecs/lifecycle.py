"""Objects follow their rows: which stored objects rows point at, and removing those of deleted rows.

A delete notes, inside its transaction and before each DELETE, the objects of the rows it
is about to remove (:meth:`DoomedObjects.note`: one SELECT of the object columns).  After
the transaction commits, :meth:`DoomedObjects.release` deletes them: schema-addressed
objects (``<npy@>``) always, as they belong to exactly one row; content-addressed ones
(``<hash@>``, ``<blob@>``, ``<attach@>``) only when no remaining row of the schema refers
to the same path.  Nothing is deleted before the commit, so a rollback deletes nothing; a
crash between commit and release leaves only orphans, which ``dj.gc`` finds.

A delete that joins a transaction the user opened notes nothing: its objects are left to
``dj.gc`` (the connection offers no hook on that transaction's commit).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import DataJointError
from ..heading.heading import Attribute, Heading
from ..heading.values import column_decoder
from ..query.nodes import Node, TableRef
from ..sql.compiler import compile_select
from ..stores import get_store
from .builtins import HashCodec
from .columns import plan_codec
from .schema_addressed import SchemaCodec

__all__ = ["DoomedObjects", "ObjectColumn", "delete_object", "object_columns", "read_references"]

logger = logging.getLogger("dj_jupyter")

HASH, SCHEMA = "hash", "schema"


@dataclass(frozen=True)
class ObjectColumn:
    """A column whose stored JSON points at objects the schema owns."""

    name: str
    kind: str  # "hash" (content-addressed) or "schema" (one object per row)
    codec: Any  # the innermost codec: it reads paths from the stored JSON
    storage: Attribute


def object_columns(heading: Heading) -> list[ObjectColumn]:
    """The attributes of a heading whose values own store objects (``<filepath@>`` and in-row codecs excluded)."""
    found = []
    for attr in heading.all_attributes:
        if not attr.is_codec:
            continue
        try:
            plan = plan_codec(attr)
        except DataJointError as error:  # a codec not defined in this session: its objects are left to gc
            logger.warning("Attribute `%s`: %s; its objects are not managed here.", attr.name, error)
            continue
        inner = plan.chain[-1]
        kind = HASH if isinstance(inner, HashCodec) else SCHEMA if isinstance(inner, SchemaCodec) else None
        if kind is not None and plan.store is not None:
            found.append(ObjectColumn(attr.name, kind, inner, plan.storage))
    return found


def read_references(conn: Any, node: Node, columns: Iterable[ObjectColumn]) -> set[tuple[str, str | None, str]]:
    """``{(kind, store, path)}`` of the objects the rows of ``node`` point at (stored JSON only, no decoding)."""
    columns = list(columns)
    if not columns:
        return set()
    sql, params = compile_select(conn.dialect, node, [c.name for c in columns])
    rows = conn.query(sql, params).fetchall()
    found: set[tuple[str, str | None, str]] = set()
    for i, col in enumerate(columns):
        values = [r[i] for r in rows if r[i] is not None]
        decode = column_decoder(col.storage, conn.dialect.name)
        for value in decode(values) if decode is not None else values:
            for path, store in col.codec.referenced_paths(value):
                found.add((col.kind, store, path))
    return found


def delete_object(store: Any, path: str, *, tree: bool = False) -> None:
    """Delete one object; in a folder store also remove the folders it leaves empty (up to the root).

    With ``tree=True`` the object may be a folder (``<object@>``): every file under it and its
    ``{path}.manifest.json`` go too.
    """
    if tree:
        for inner in store.list(path + "/"):
            if inner != path:
                delete_object(store, inner)
        delete_object(store, path + ".manifest.json")
    store.delete(path)
    full_path = getattr(store, "full_path", None)
    root = getattr(store, "root", None)
    if getattr(store.spec, "protocol", None) != "file" or full_path is None:
        return
    folder = full_path(path).parent
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()  # only succeeds when empty
        except OSError:
            return
        folder = folder.parent


class DoomedObjects:
    """The objects of rows a delete removes, deleted from their stores after the commit.

    Parameters
    ----------
    conn : Connection
        The connection running the delete.
    state : ConnectionState
        Its catalog state (``state.schema(name).table_names()`` / ``.heading(table)``),
        used to find the rows that still refer to content-addressed objects.
    active : bool
        False when the delete runs inside a transaction it does not own: nothing is
        noted, the objects are left to ``dj.gc``.
    """

    def __init__(self, conn: Any, state: Any, *, active: bool = True) -> None:
        self.conn = conn
        self.state = state
        self.active = active
        self.found: set[tuple[str, str, str | None, str]] = set()  # (kind, schema, store, path)
        self.trees: set[tuple[str | None, str]] = set()  # (store, path) of objects that may be folders

    def note(self, node: Node) -> None:
        """Record the objects of the rows of ``node`` (a restriction of one table); call before its DELETE."""
        if not self.active:
            return
        table = _table_of(node)
        columns = object_columns(table.heading)
        folders = [c for c in columns if getattr(c.codec, "holds_folders", False)]  # removed as a whole
        for kind, store, path in read_references(self.conn, node, [c for c in columns if c not in folders]):
            self.found.add((kind, table.schema, store, path))
        for kind, store, path in read_references(self.conn, node, folders):
            self.found.add((kind, table.schema, store, path))
            self.trees.add((store, path))

    def release(self) -> list[tuple[str | None, str]]:
        """Delete the noted objects no remaining row refers to; call after the commit.

        Returns
        -------
        list
            ``(store, path)`` of the objects deleted.  Failures are logged, never raised:
            the rows are gone already, and what is left behind is an orphan for ``dj.gc``.
        """
        if not self.found:
            return []
        try:
            kept = self._still_referenced({schema for kind, schema, _, _ in self.found if kind == HASH})
        except Exception as error:  # noqa: BLE001 - see Returns
            logger.warning("Could not check which objects rows still refer to; they are left for dj.gc: %s", error)
            kept = {schema: {(st, p) for _, schema2, st, p in self.found if schema2 == schema}
                    for _, schema, _, _ in self.found}
        deleted = []
        for kind, schema, store_name, path in sorted(self.found, key=lambda f: (f[1], str(f[2]), f[3])):
            if kind == HASH and (store_name, path) in kept.get(schema, set()):
                continue
            try:
                delete_object(get_store(store_name, config=None), path, tree=(store_name, path) in self.trees)
                deleted.append((store_name, path))
            except Exception as error:  # noqa: BLE001 - see Returns
                logger.warning("Could not delete %s from store %r after its row was deleted (dj.gc will find it): %s",
                               path, store_name, error)
        self.found.clear()
        self.trees.clear()
        return deleted

    def _still_referenced(self, schemas: set[str]) -> dict[str, set[tuple[str | None, str]]]:
        out: dict[str, set[tuple[str | None, str]]] = {}
        for schema in schemas:
            refs: set[tuple[str | None, str]] = set()
            st = self.state.schema(schema)
            st.invalidate()  # another process may have declared a table that refers to the same content
            for name in st.table_names():
                heading = st.heading(name)
                columns = [c for c in object_columns(heading) if c.kind == HASH]
                if columns:
                    ref = TableRef(schema, name, heading)
                    refs.update((store, path) for _, store, path in read_references(self.conn, ref, columns))
            out[schema] = refs
        return out


def _table_of(node: Node) -> TableRef:
    while not isinstance(node, TableRef):
        node = node.source
    return node
