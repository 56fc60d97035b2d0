"""The built-in codecs: ``<blob>``, ``<hash@>``, ``<attach>``; ``<blob@>``/``<attach@>`` chain into ``<hash@>``.

=================  ==============================  ===========================================
type               stored in the column            payload
=================  ==============================  ===========================================
``<blob>``         bytes (longblob / bytea)        the DataJoint blob of the value, in the row
``<blob@s>``       json via ``<hash@s>``           the blob, content-addressed in store ``s``
``<attach>``       bytes ``filename\\0content``     the file, in the row
``<attach@s>``     json via ``<hash@s>``           ``filename\\0content``, content-addressed
``<hash@s>``       json ``{hash, path, schema,     the bytes, stored once per schema
                   store, size}``
=================  ==============================  ===========================================

This module is imported by :mod:`dj_jupyter.codecs.registry` on the first codec lookup;
defining the classes registers them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import DataJointError, ValidationError
from ..settings import config as global_config
from ..stores import get_store
from .blob import pack, unpack
from .blob_pack import pack_column
from .blob_unpack import unpack_column
from .hashing import content_hash, hash_path
from .registry import Codec, CodecTypeError

__all__ = ["AttachCodec", "BlobCodec", "ContentMismatchError", "HashCodec", "MissingFileError"]


class ContentMismatchError(DataJointError):
    """An object read from a store does not have the content hash its row recorded."""


class MissingFileError(ValidationError, FileNotFoundError):
    """``<attach>`` was given a path that is not an existing file."""


def _config_of(key: dict | None, context: dict | None) -> Any:
    cfg = (context or {}).get("config") or (key or {}).get("_config")
    return global_config if cfg is None else cfg


def _schema_of(key: dict | None, context: dict | None) -> str:
    schema = (context or {}).get("schema") or (key or {}).get("_schema")
    if not schema:
        raise DataJointError("Content-addressed storage needs the schema name in the encode context "
                             "(context['schema']); insert through a table rather than calling encode directly.")
    return schema


class BlobCodec(Codec):
    """``<blob>``: any serializable Python/NumPy value, in DataJoint's blob format (zlib above 1000 bytes)."""

    name = "blob"

    def get_dtype(self, is_store: bool) -> str:
        return "<hash>" if is_store else "bytes"

    def encode(self, value: Any, *, key: dict | None = None, context: dict | None = None,
               store_name: str | None = None) -> bytes:
        return pack(value, compress=True)

    def decode(self, stored: Any, *, key: dict | None = None, context: dict | None = None) -> Any:
        return unpack(stored)

    def encode_column(self, values: list) -> list | None:
        return pack_column(values)  # equal small arrays are written as one, else None

    def decode_column(self, values: list, **kwargs: Any) -> list:
        return unpack_column(values)  # equal small arrays are read as one


class HashCodec(Codec):
    """``<hash@store>``: bytes stored once per schema under their content hash; the row keeps the metadata."""

    name = "hash"

    def get_dtype(self, is_store: bool) -> str:
        if not is_store:
            raise DataJointError("<hash> stores its bytes in an object store: declare it as <hash@> (the default "
                                 "store) or <hash@store>. For bytes inside the row use the core type bytes.")
        return "json"

    def validate(self, value: Any) -> None:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise CodecTypeError(f"<hash@> stores bytes; got a value of type {type(value).__name__}. "
                                 "Use <blob@> to store Python objects and arrays.")

    def encode(self, value: Any, *, key: dict | None = None, context: dict | None = None,
               store_name: str | None = None) -> dict:
        self.validate(value)
        data = bytes(value)
        store = get_store(store_name, config=_config_of(key, context))
        digest = content_hash(data)
        path = hash_path(store.spec.hash_prefix, _schema_of(key, context), digest, store.spec.subfolding)
        if not store.exists(path):  # identical content is already there: store it once
            store.put(path, data)
        return {"hash": digest, "path": path, "schema": _schema_of(key, context), "store": store.name,
                "size": len(data)}

    def decode(self, stored: Any, *, key: dict | None = None, context: dict | None = None) -> bytes:
        meta = _metadata(stored)
        store = get_store(meta.get("store"), config=_config_of(key, context))
        data = store.get(meta["path"])
        if meta.get("hash") and content_hash(data) != meta["hash"]:
            raise ContentMismatchError(
                f"Object {meta['path']!r} in store {store.name!r} does not match its recorded hash {meta['hash']}: "
                "it was changed or replaced outside DataJoint."
            )
        return data


def _metadata(stored: Any) -> dict:
    if isinstance(stored, (str, bytes)):
        import json

        stored = json.loads(stored)
    if not isinstance(stored, dict) or "path" not in stored:
        raise DataJointError(f"Expected <hash@> metadata (a dict with 'hash', 'path', 'store'); got {stored!r}.")
    return stored


class AttachCodec(Codec):
    """``<attach>``: a file, given by its path on insert, written into ``download_path`` on fetch."""

    name = "attach"

    def get_dtype(self, is_store: bool) -> str:
        return "<hash>" if is_store else "bytes"

    def validate(self, value: Any) -> None:
        if not isinstance(value, (str, os.PathLike)):
            raise CodecTypeError(f"<attach> takes the path of a file; got a value of type {type(value).__name__}.")
        if not Path(value).is_file():
            what = "a folder" if Path(value).is_dir() else "not an existing file"
            raise MissingFileError(f"<attach> takes the path of an existing file; {os.fspath(value)!r} is {what}.")

    def encode(self, value: Any, *, key: dict | None = None, context: dict | None = None,
               store_name: str | None = None) -> bytes:
        path = Path(value)
        return path.name.encode("utf-8") + b"\0" + path.read_bytes()

    def decode(self, stored: Any, *, key: dict | None = None, context: dict | None = None) -> str:
        data = bytes(stored)
        split = data.find(b"\0")
        if split < 0:
            raise DataJointError("Stored <attach> value is malformed: expected 'filename\\0content'.")
        # only the name: a stored name must never write outside the download folder
        name = Path(data[:split].decode("utf-8")).name or "attachment"
        content = memoryview(data)[split + 1:]
        folder = Path(_config_of(key, context)["download_path"])
        folder.mkdir(parents=True, exist_ok=True)
        return str(_write_download(folder, name, content))


def _write_download(folder: Path, name: str, content: memoryview) -> Path:
    """Write ``content`` as ``folder/name``; an existing different file is kept and a suffixed name used."""
    target = folder / name
    if target.is_file() and target.stat().st_size == len(content) and target.read_bytes() == content:
        return target
    if target.exists():
        stem, suffix = Path(name).stem, Path(name).suffix
        target = folder / f"{stem}_{content_hash(bytes(content))[:8]}{suffix}"
        if target.is_file():
            return target
    temp = target.with_name(f".{target.name}.part")
    temp.write_bytes(content)
    os.replace(temp, target)
    return target
