"""``<object@store>``: a file, a folder or a Zarr store at a schema-addressed path; fetched as a lazy ``ObjectRef``.

The row keeps ``{"path", "store", "size", "ext", "is_dir", "item_count", "timestamp"}``.
Accepted on insert:

* ``bytes``: stored as one file (no extension);
* ``(ext, bytes or file-like)``: one file with that extension (``(".json", b"{}")``);
* a ``str``/``Path`` of a local file or folder: uploaded (a folder with every file under
  it, plus a sidecar ``{path}.manifest.json`` listing the files and sizes);
* a metadata dict with ``path``: an object already written into the store (what
  ``staged_insert1`` produces); its metadata is completed from the store.

Uploads are recorded as they happen, so a failed insert removes them again.  Deleting the
row deletes its object (files, folder and manifest) after the commit; replacing the value
(``update1``, ``insert(..., replace=True)``) leaves the old object to ``dj.gc``, which finds
it because no row refers to it any more.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import StorePathError, ValidationError
from ..stores import MissingObjectError, get_store
from ..stores.writes import note_created
from .objectref import ObjectRef, manifest_path, store_errors, store_filesystem, utc_timestamp
from .registry import CodecTypeError
from .schema_addressed import SchemaCodec, build_schema_path

__all__ = ["ObjectCodec", "ObjectPathError", "check_owned_path", "describe_stored", "upload_folder"]


class ObjectPathError(ValidationError, FileNotFoundError):
    """``<object@>`` was given a path that is neither an existing file nor an existing folder."""


def _normal_ext(ext: Any) -> str:
    if not isinstance(ext, str):
        raise CodecTypeError(f"<object@> takes (ext, data) with ext a string such as '.json'; got {ext!r}.")
    ext = ext.strip()
    if "/" in ext or "\\" in ext:
        raise ValidationError(f"<object@> extension {ext!r} may not contain a path separator.")
    return f".{ext}" if ext and not ext.startswith(".") else ext


def check_owned_path(path: str, spec: Any, ctx: dict, key: dict) -> str:
    """``path``, if it is where ``<object@>`` puts the object of this row and field; else :class:`StorePathError`.

    A row's ``<object@>`` is deleted with the row, so a row may only point at an object written
    for it (``{schema_prefix}/{schema}/{table}/{key}/{field}_{token}{ext}``, as ``staged_insert1``
    writes it), never at another row's object or at files managed elsewhere.
    """
    pk = {k: v for k, v in key.items() if not k.startswith("_")}
    folder = build_schema_path(spec, ctx["schema"], ctx["table"], ctx["field"], pk).rsplit("/", 1)[0]
    parent, _, name = path.strip("/").rpartition("/")
    if parent != folder or not name.startswith(f"{ctx['field']}_"):
        raise StorePathError(f"<object@> metadata points at {path!r}, which is not an object of this row: expected "
                             f"{folder}/{ctx['field']}_... . Objects are deleted with their row, so a row may only "
                             "refer to the object written for it (staged_insert1); to refer to files managed "
                             "elsewhere, use <filepath@>.")
    return path


def describe_stored(store: Any, path: str, ext: str | None) -> dict:
    """Metadata of what is stored at ``path`` (a file, or a folder whose manifest is written here).

    Raises
    ------
    MissingObjectError
        Nothing is stored at ``path``.
    """
    fs, root = store_filesystem(store)
    full = f"{root}/{path}"
    with store_errors(store, path, "list"):
        files = fs.find(full, detail=True) if fs.isdir(full) else {}
        is_file = not files and fs.isfile(full)
    if not files and not is_file:
        raise MissingObjectError(f"Store {store.name!r} has no file or folder {path!r}: write the object first "
                                 "(staged.store(...) / staged.open(...)) or give an existing path.")
    meta = {"path": path, "store": store.name, "ext": ext or None, "timestamp": utc_timestamp()}
    if not files:
        with store_errors(store, path, "stat"):
            return {**meta, "size": int(fs.size(full)), "is_dir": False, "item_count": None}
    listing = sorted((p[len(full) + 1:], int(info.get("size") or 0)) for p, info in files.items())
    total = sum(size for _, size in listing)
    manifest = {"files": [{"path": p, "size": s} for p, s in listing], "total_size": total,
                "item_count": len(listing), "created": meta["timestamp"]}
    store.put(manifest_path(path), json.dumps(manifest, indent=1).encode("utf-8"))
    return {**meta, "size": total, "is_dir": True, "item_count": len(listing)}


def upload_folder(store: Any, local: Path, path: str) -> None:
    """Copy every file under the local folder ``local`` to ``path`` in the store, recording each upload."""
    fs, root = store_filesystem(store)
    for folder, _, names in os.walk(local):
        for name in sorted(names):
            source = Path(folder) / name
            rel = f"{path}/{source.relative_to(local).as_posix()}"
            _upload_file(store, fs, root, source, rel)


def _upload_file(store: Any, fs: Any, root: str, source: Path, path: str) -> None:
    note_created(store, path)  # noted first: a half-finished upload is removed too
    with store_errors(store, path, "upload"):
        fs.put_file(os.fspath(source), f"{root}/{path}")


class ObjectCodec(SchemaCodec):
    """``<object@>``: files, folders and Zarr stores, one object per row and attribute; fetch gives an ``ObjectRef``."""

    name = "object"
    holds_folders = True  # the lifecycle removes a deleted row's object as a whole folder

    def validate(self, value: Any) -> None:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return
        if isinstance(value, (str, os.PathLike)):
            path = Path(value)
            if not (path.is_file() or path.is_dir()):
                raise ObjectPathError(f"<object@> takes an existing file or folder; {os.fspath(value)!r} does not "
                                      "exist. Check the path (relative paths start at the working directory).")
            return
        if isinstance(value, tuple) and len(value) == 2:
            _normal_ext(value[0])
            data = value[1]
            if not isinstance(data, (bytes, bytearray, memoryview)) and not hasattr(data, "read"):
                raise CodecTypeError(f"<object@> takes (ext, bytes) or (ext, file object); got (ext, "
                                     f"{type(data).__name__}).")
            return
        if isinstance(value, dict) and isinstance(value.get("path"), str):
            return
        if isinstance(value, ObjectRef):
            raise CodecTypeError(f"<object@> does not take an ObjectRef ({value.path!r}): each row owns its object, "
                                 "and it is deleted with the row. To copy it, ref.download(folder) and insert the "
                                 "local copy.")
        raise CodecTypeError(f"<object@> takes bytes, (ext, bytes or file object), the path of a file or folder, "
                             f"or object metadata with 'path'; got a value of type {type(value).__name__}.")

    def encode(self, value: Any, *, key: dict | None = None, context: dict | None = None,
               store_name: str | None = None) -> dict:
        self.validate(value)
        if isinstance(value, dict):
            ctx = self._context(key, context)
            store = get_store(value.get("store") or store_name, config=ctx["config"])
            path = check_owned_path(value["path"], store.spec, ctx, key or {})
            return describe_stored(store, path, value.get("ext"))
        if isinstance(value, (str, os.PathLike)):
            local = Path(value)
            ext = local.suffix
            store, path = self._new_path(key, context, store_name, ext)
            if local.is_dir():
                upload_folder(store, local, path)
            else:
                fs, root = store_filesystem(store)
                _upload_file(store, fs, root, local, path)
            return describe_stored(store, path, ext)
        ext, data = ("", value) if not isinstance(value, tuple) else (_normal_ext(value[0]), value[1])
        data = data.read() if hasattr(data, "read") else data
        store, path = self._new_path(key, context, store_name, ext)
        store.put(path, bytes(data))
        return {"path": path, "store": store.name, "size": len(data), "ext": ext or None, "is_dir": False,
                "item_count": None, "timestamp": utc_timestamp()}

    def decode(self, stored: Any, *, key: dict | None = None, context: dict | None = None) -> ObjectRef:
        cfg = (context or {}).get("config") or (key or {}).get("_config")
        return ObjectRef.from_json(stored, config=cfg)
