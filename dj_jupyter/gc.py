"""``dj.gc``: find and remove stored objects that no row refers to (orphans).

Orphans appear when a process dies between a delete's commit and the removal of its
objects, when a value is replaced (``update1``, ``replace=True``), or when a delete ran
inside a transaction the user opened.  :class:`GarbageCollector` compares, per schema, the
objects listed under ``{hash_prefix}/{schema}/`` and ``{schema_prefix}/{schema}/`` with the
paths in the stored JSON of every object column of that schema's tables.  It lists
nothing else, so other schemas' objects and user files in the store are never touched.
Deletion needs ``dry_run=False``.

Do not collect while inserts into the same schemas are running: an insert uploads its
objects before its row commits, so for a moment they look like orphans.

Examples
--------
>>> import dj_jupyter as dj
>>> report = dj.gc.collect(schema)  # doctest: +SKIP
>>> report["orphaned_hash_paths"], report["orphaned_schema_paths"]  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from typing import Any

from .codecs.lifecycle import (
    HASH,
    SCHEMA,
    delete_object,
    object_columns,
    read_references,
)
from .errors import DataJointError
from .query.nodes import TableRef
from .schema.catalog_state import state_of
from .stores import get_store

__all__ = [
    "GarbageCollector",
    "collect",
    "delete_schema_path",
    "hash_references",
    "list_hash_paths",
    "list_schema_paths",
    "schema_references",
]

logger = logging.getLogger("dj_jupyter")


def _name_and_connection(schema: Any) -> tuple[str, Any]:
    name = getattr(schema, "database", None)
    if not isinstance(name, str) or getattr(schema, "connection", None) is None:
        raise DataJointError(f"dj.gc takes activated dj.Schema objects; got {schema!r}. Create it with "
                             "dj.Schema('name') (or dj.Schema('name', connection=...)) first.")
    return name, schema.connection


def _references(schema: Any, kind: str) -> set[tuple[str | None, str]]:
    """``{(store, path)}`` referenced by the rows of one schema's ``kind`` ("hash"/"schema") columns."""
    name, conn = _name_and_connection(schema)
    st = state_of(conn).schema(name)
    st.invalidate()  # tables may have been declared or dropped by other processes
    found: set[tuple[str | None, str]] = set()
    for table in st.table_names():
        heading = st.heading(table)
        columns = [c for c in object_columns(heading) if c.kind == kind]
        if columns:
            found.update((store, path) for _, store, path in
                         read_references(conn, TableRef(name, table, heading), columns))
    return found


def hash_references(*schemas: Any) -> set[tuple[str | None, str]]:
    """``{(store, path)}`` of the content-addressed objects the rows of ``schemas`` refer to."""
    return set().union(*(_references(s, HASH) for s in schemas))


def schema_references(*schemas: Any) -> set[tuple[str | None, str]]:
    """``{(store, path)}`` of the schema-addressed objects the rows of ``schemas`` refer to."""
    return set().union(*(_references(s, SCHEMA) for s in schemas))


def list_hash_paths(schema_name: str, store: Any = None) -> list[str]:
    """Objects stored under ``{hash_prefix}/{schema_name}/`` (``store``: a name or a store; default store)."""
    store = _store(store)
    return store.list(f"{store.spec.hash_prefix}/{schema_name}/")


def list_schema_paths(schema_name: str, store: Any = None) -> list[str]:
    """Objects stored under ``{schema_prefix}/{schema_name}/`` (or ``{schema_prefix}/{k=v}/.../{schema_name}/``
    when the store has a ``partition_pattern``)."""
    store = _store(store)
    prefix = store.spec.schema_prefix
    if not store.spec.partition_pattern:
        return store.list(f"{prefix}/{schema_name}/")
    return [p for p in store.list(f"{prefix}/") if _schema_of_partitioned(p[len(prefix) + 1:]) == schema_name]


def _schema_of_partitioned(rest: str) -> str | None:
    """The schema segment of ``{k=v}/.../{schema}/...``: the first segment that is not a key value."""
    for segment in rest.split("/")[:-1]:
        if "=" not in segment:
            return segment
    return None


def delete_schema_path(path: str, store: Any = None) -> None:
    """Delete one object (and the folders it leaves empty in a folder store)."""
    delete_object(_store(store), path)


def _store(store: Any) -> Any:
    return store if hasattr(store, "list") and hasattr(store, "spec") else get_store(store)


def _covered(path: str, referenced: set[str]) -> bool:
    """A schema-addressed file is kept if it is referenced, lies under a referenced folder, or is its manifest."""
    if path in referenced:
        return True
    if path.endswith(".manifest.json") and path[: -len(".manifest.json")] in referenced:
        return True
    parts = path.split("/")
    return any("/".join(parts[:i]) in referenced for i in range(1, len(parts)))


class GarbageCollector:
    """Orphaned objects of some schemas in one store.

    Parameters
    ----------
    *schemas : dj.Schema
        The schemas whose objects are examined (at least one).
    store : str, optional
        The store's name (default: ``stores.default``).

    Raises
    ------
    DataJointError
        No schema given, a schema that is not activated, or an unknown store.
    """

    def __init__(self, *schemas: Any, store: str | None = None, config: Any = None) -> None:
        if not schemas:
            raise DataJointError("GarbageCollector needs at least one schema: dj.gc.GarbageCollector(schema, ...).")
        self.schemas = schemas
        self.names = [_name_and_connection(s)[0] for s in schemas]
        self.store = get_store(store, config=config)

    def collect(self, dry_run: bool = True, verbose: bool = False) -> dict:
        """Find the orphans and, with ``dry_run=False``, delete them.

        Returns
        -------
        dict
            ``hash_paths_referenced``, ``hash_paths_stored``, ``hash_paths_orphaned``,
            ``hash_paths_orphaned_bytes``, ``orphaned_hash_paths`` and the same for
            ``schema_paths``; ``hash_paths_deleted``, ``schema_paths_deleted``, ``deleted``,
            ``bytes_freed``, ``errors`` (deletions that failed), ``scan_errors`` (listings that
            failed) and ``dry_run``.

        Raises
        ------
        DataJointError
            ``dry_run=False`` after a listing error: an incomplete listing must not decide deletions.
        """
        report: dict[str, Any] = {"errors": 0, "scan_errors": 0, "dry_run": dry_run}
        orphans = {}
        for kind, refs_of, list_paths in ((HASH, hash_references, list_hash_paths),
                                          (SCHEMA, schema_references, list_schema_paths)):
            referenced = {p for s, p in refs_of(*self.schemas) if s in (None, self.store.name)}
            stored = []
            for name in self.names:
                try:
                    stored.extend(list_paths(name, self.store))
                except Exception as error:  # noqa: BLE001 - counted; deletion is then refused
                    report["scan_errors"] += 1
                    logger.warning("Could not list the %s objects of schema %s: %s", kind, name, error)
            orphaned = [p for p in stored if (p not in referenced if kind == HASH else not _covered(p, referenced))]
            orphans[kind] = orphaned
            report.update({f"{kind}_paths_referenced": len(referenced), f"{kind}_paths_stored": len(stored),
                           f"{kind}_paths_orphaned": len(orphaned),
                           f"{kind}_paths_orphaned_bytes": sum(self._size(p) for p in orphaned),
                           f"orphaned_{kind}_paths": orphaned, f"{kind}_paths_deleted": 0})
        report["deleted"] = report["bytes_freed"] = 0
        if not dry_run:
            self._delete(orphans, report, verbose)
        if verbose:
            print(_summary(report))
        return report

    def _size(self, path: str) -> int:
        try:
            return self.store.size(path)
        except Exception:  # noqa: BLE001 - gone meanwhile
            return 0

    def _delete(self, orphans: dict, report: dict, verbose: bool) -> None:
        if report["scan_errors"]:
            raise DataJointError(f"Listing the store failed {report['scan_errors']} time(s): nothing was deleted. "
                                 "Check the store's connection and credentials, then run collect again.")
        for kind, paths in orphans.items():
            for path in paths:
                size = self._size(path)
                try:
                    delete_object(self.store, path)
                except Exception as error:  # noqa: BLE001 - counted in errors
                    report["errors"] += 1
                    logger.warning("Could not delete orphan %s: %s", path, error)
                    continue
                if verbose:
                    print(f"deleted {path}")
                report[f"{kind}_paths_deleted"] += 1
                report["deleted"] += 1
                report["bytes_freed"] += size


def _summary(report: dict) -> str:
    verb = "would delete" if report["dry_run"] else "deleted"
    count = (report["hash_paths_orphaned"] + report["schema_paths_orphaned"] if report["dry_run"]
             else report["deleted"])
    return (f"dj.gc: {report['hash_paths_orphaned']} content-addressed and {report['schema_paths_orphaned']} "
            f"schema-addressed orphans; {verb} {count}.")


def collect(*schemas: Any, store: str | None = None, dry_run: bool = True, verbose: bool = False) -> dict:
    """Shortcut: ``GarbageCollector(*schemas, store=store).collect(dry_run=dry_run, verbose=verbose)``."""
    return GarbageCollector(*schemas, store=store).collect(dry_run=dry_run, verbose=verbose)
