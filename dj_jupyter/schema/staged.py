"""``T.staged_insert1``: write large objects (a Zarr store, an HDF5 file) straight into the object store, then insert the row.

::

    with Recording.staged_insert1 as staged:
        staged.rec.update(recording_id=7, rate=30000.0)        # the primary key first
        z = zarr.open(staged.store("traces", ".zarr"), mode="w", shape=(n, 64), chunks=(65536, 64), dtype="f4")
        z[:] = data                                              # goes to the store as it is written
    # on leaving the block: the metadata of what was written is computed and the row inserted

If the block raises, or the insert fails, everything written through ``staged`` is removed
and no row is inserted.  Only ``<object@>`` attributes can be staged.  The path of each
object is the one ``<object@>`` gives: ``{schema_prefix}/{schema}/{table}/{key}/{field}_{token}{ext}``
(the SQL table name, where DataJoint 2.x uses the class name here).
"""

from __future__ import annotations

import logging
from typing import IO, Any

from ..codecs.columns import plan_codec
from ..codecs.lifecycle import delete_object
from ..codecs.object import ObjectCodec
from ..codecs.objectref import store_filesystem
from ..codecs.schema_addressed import build_schema_path
from ..errors import DataJointError
from ..stores import get_store

__all__ = ["StagedInsert"]

logger = logging.getLogger("dj_jupyter")


class StagedInsert:
    """The context manager ``T.staged_insert1`` returns (one row).

    Attributes
    ----------
    rec : dict
        The row to insert; set every primary-key attribute before asking for storage.
    """

    def __init__(self, table: Any) -> None:
        self.table = table
        self.rec: dict[str, Any] = {}
        self._staged: dict[str, tuple[Any, str, str]] = {}  # field -> (store, path, ext)

    # ---------------------------------------------------------------- context manager
    def __enter__(self) -> StagedInsert:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc_type is not None:
            self._discard()
            return False
        row = dict(self.rec)
        for field, (store, path, ext) in self._staged.items():
            row[field] = {"path": path, "store": store.name, "ext": ext or None}
        try:
            self.table.insert1(row)
        except BaseException:
            self._discard()
            raise
        return False

    def _discard(self) -> None:
        for field, (store, path, _) in self._staged.items():
            try:
                delete_object(store, path, tree=True)
            except Exception as error:  # noqa: BLE001 - the original error matters more; dj.gc finds the orphan
                logger.warning("Could not remove the staged object %s of `%s` from store %r: %s", path, field,
                               store.name, error)
        self._staged.clear()

    # ---------------------------------------------------------------- storage
    def _object_store(self, field: str) -> Any:
        heading = self.table.heading
        objects = _object_attributes(heading)
        if field not in objects:
            raise DataJointError(f"staged_insert1 writes <object@> attributes only; `{field}` of "
                                 f"{type(self.table).__name__} is not one. Its <object@> attributes: "
                                 f"{', '.join(objects) or 'none'}.")
        return get_store(plan_codec(heading[field]).store)

    def _new_path(self, field: str, ext: str) -> tuple[Any, str]:
        if field in self._staged:
            raise DataJointError(f"`{field}` is already staged in this block: write all of it through the mapping "
                                 "or file first returned.")
        store = self._object_store(field)
        pk = self.table.heading.primary_key
        missing = [k for k in pk if k not in self.rec]
        if missing:
            raise DataJointError(f"Set the primary key in staged.rec before asking for storage; missing: "
                                 f"{', '.join(missing)}.")
        ext = f".{ext}" if ext and not ext.startswith(".") else ext
        key = {k: self.rec[k] for k in pk}
        path = build_schema_path(store.spec, self.table.database, self.table.table_name, field, key, ext)
        self._staged[field] = (store, path, ext)
        return store, path

    def store(self, field: str, ext: str = "") -> Any:
        """A key-value mapping (``fsspec.FSMap``) at the object's new path, e.g. for ``zarr.open(..., mode="w")``."""
        store, path = self._new_path(field, ext)
        fs, root = store_filesystem(store)
        return fs.get_mapper(f"{root}/{path}")

    def open(self, field: str, ext: str = "", mode: str = "wb") -> IO[bytes]:
        """A file object writing the object as one file (``mode="wb"``)."""
        store, path = self._new_path(field, ext)
        fs, root = store_filesystem(store)
        return fs.open(f"{root}/{path}", mode)

    @property
    def fs(self) -> Any:
        """The fsspec filesystem of the store of the table's first ``<object@>`` attribute."""
        objects = _object_attributes(self.table.heading)
        if not objects:
            raise DataJointError(f"{type(self.table).__name__} has no <object@> attribute to stage.")
        return store_filesystem(self._object_store(objects[0]))[0]


def _object_attributes(heading: Any) -> list[str]:
    return [a.name for a in heading.attributes.values()
            if a.is_codec and isinstance(plan_codec(a).chain[0], ObjectCodec)]
