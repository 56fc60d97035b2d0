"""``<filepath@store>``: a reference to a file or folder the user already keeps in an object store.

The row holds ``{"path", "store", "size", "is_dir", "timestamp"}``; nothing is uploaded and
nothing is ever deleted: the target is user-managed, so deleting the row and ``dj.gc``
leave it alone (its path lies outside the sections they list, which :func:`parse_filepath`
enforces).  On insert the path must be relative to the store's root (a local absolute path
inside a ``file`` store's folder is accepted and made relative), must name an existing file
or folder, must not lie in the ``hash_prefix`` or ``schema_prefix`` sections, and must lie
under ``filepath_prefix`` when the store sets one.

``<filepath@>`` uses ``stores.filepath_default`` when it is set, else ``stores.default``.
Fetch gives an :class:`~dj_jupyter.codecs.objectref.ObjectRef` (metadata only; reading happens
on request).  A folder target has no manifest, so ``ref.verify()`` applies to file targets.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

from ..errors import DataJointError, StorePathError
from ..settings import config as global_config
from ..stores import get_store
from ..stores import StoreAccessError, StoreError
from ..stores.base import check_relative_path
from ..stores.fsspec_store import no_credentials
from .builtins import MissingFileError
from .objectref import ObjectRef, store_filesystem
from .registry import Codec, CodecTypeError

__all__ = ["FilepathCodec", "parse_filepath", "stat_target"]


def _store_for(store_name: str | None, config: Any) -> Any:
    return get_store(FilepathCodec.store_name(store_name, config), config=config)


def parse_filepath(value: Any, spec: Any) -> str:
    """The store-relative, ``/``-separated path of a ``<filepath@>`` value, or a clear error.

    Parameters
    ----------
    value : str or os.PathLike
        A path relative to the store root (or, for a ``file`` store, an absolute path inside it).
    spec : StoreSpec
        The store's configuration (its location and prefixes).

    Raises
    ------
    CodecTypeError
        ``value`` is not a path.
    StorePathError
        The path leaves the store, lies in a managed section, or outside ``filepath_prefix``.

    Examples
    --------
    >>> from dj_jupyter.stores.spec import parse_store_spec
    >>> spec = parse_store_spec("raw", {"protocol": "file", "location": "/tmp"})
    >>> parse_filepath("sessions\\\\s1/./video.mp4", spec)
    'sessions/s1/video.mp4'
    """
    if not isinstance(value, (str, os.PathLike)) or isinstance(value, bytes):
        raise CodecTypeError(f"<filepath@> takes the path of a file or folder in store {spec.name!r}, relative to its "
                             f"root; got a value of type {type(value).__name__}.")
    text = os.fspath(value).replace("\\", "/")
    if spec.protocol == "file" and Path(text).is_absolute():
        text = _inside_folder(text, spec)
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if text.startswith("/") or ".." in parts or not parts:
        raise StorePathError(f"<filepath@{spec.name}> path {os.fspath(value)!r} lies outside the store: give a path "
                             f"relative to the store's root {spec.location!r}, without '..'.")
    path = check_relative_path("/".join(parts))
    _check_sections(path, spec, os.fspath(value))
    return path


def _inside_folder(text: str, spec: Any) -> str:
    root = Path(spec.location).resolve()
    try:
        return Path(text).resolve().relative_to(root).as_posix()
    except ValueError:
        raise StorePathError(f"<filepath@{spec.name}> path {text!r} lies outside the store's folder {str(root)!r}: "
                             "move the file into the store, or give a path relative to its root.") from None


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _check_sections(path: str, spec: Any, given: str) -> None:
    for key in ("hash_prefix", "schema_prefix"):
        prefix = getattr(spec, key)
        if prefix and _under(path, prefix):
            raise StorePathError(
                f"<filepath@{spec.name}> path {given!r} lies in the store's {key} section {prefix!r}/, whose objects "
                "DataJoint manages (and deletes). Keep your own files elsewhere in the store."
            )
    if spec.filepath_prefix and not _under(path, spec.filepath_prefix):
        raise StorePathError(f"<filepath@{spec.name}> path {given!r} is not under the store's filepath_prefix "
                             f"{spec.filepath_prefix!r}: give a path such as '{spec.filepath_prefix}/{path}'.")


def _mtime(info: dict) -> float | None:
    value = info.get("mtime", info.get("LastModified", info.get("last_modified")))
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    return float(value) if isinstance(value, (int, float)) else None


def _iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).isoformat()


def stat_target(store: Any, path: str) -> dict:
    """``{size, is_dir, timestamp}`` of an existing file or folder; :class:`MissingFileError` otherwise.

    A folder's size is the total of its files, its timestamp the latest modification among them.
    """
    fs, root = store_filesystem(store)
    full = f"{root}/{path}"
    info = _info(store, fs, full, path)
    if info.get("type") != "directory":
        return {"size": int(info.get("size") or 0), "is_dir": False, "timestamp": _iso(_mtime(info))}
    files = fs.find(full, detail=True).values()
    stamps = [t for t in map(_mtime, files) if t is not None]
    return {"size": sum(int(i.get("size") or 0) for i in files), "is_dir": True,
            "timestamp": _iso(max(stamps) if stamps else _mtime(info))}


def _info(store: Any, fs: Any, full: str, path: str) -> dict:
    """fsspec's ``info`` of a target, with missing targets and refused credentials as clear errors."""
    try:
        return fs.info(full)
    except FileNotFoundError:
        raise MissingFileError(f"<filepath@{store.name}> path {path!r} is not an existing file or folder of store "
                               f"{store.name!r} (looked at {full}). Copy the file into the store first: "
                               "<filepath@> refers to files the store already holds.") from None
    except Exception as error:
        if no_credentials(error) or isinstance(error, PermissionError):
            raise StoreAccessError(f"Store {store.name!r} refused to look up {path!r} ({error}). Check its credentials: "
                                   f"config['stores.{store.name}.access_key'] / secret_key, or the files "
                                   f".secrets/stores.{store.name}.access_key and .secrets/stores.{store.name}.secret_key."
                                   ) from None
        if isinstance(error, OSError):
            raise StoreError(f"Store {store.name!r}: cannot look up {path!r}: {error}") from error
        raise


class FilepathCodec(Codec):
    """``<filepath@>``: a relative path of an existing, user-managed file or folder of the store."""

    name = "filepath"

    @staticmethod
    def store_name(store_name: str | None, config: Any) -> str | None:
        """The store of ``<filepath@store_name>``: ``<filepath@>`` means ``stores.filepath_default``, else the default."""
        if store_name:
            return store_name
        stores = config["stores"] if isinstance(config["stores"], dict) else {}
        return stores.get("filepath_default") or None

    def get_dtype(self, is_store: bool) -> str:
        if not is_store:
            raise DataJointError("<filepath> refers to files kept in an object store: declare it as <filepath@> "
                                 "(stores.filepath_default, else the default store) or <filepath@store>.")
        return "json"

    def validate(self, value: Any) -> None:
        if not isinstance(value, (str, os.PathLike)) or isinstance(value, bytes):
            raise CodecTypeError(f"<filepath@> takes the path of a file or folder in the store; got a value of type "
                                 f"{type(value).__name__}.")

    def encode(self, value: Any, *, key: dict | None = None, context: dict | None = None,
               store_name: str | None = None) -> dict:
        cfg = (context or {}).get("config") or (key or {}).get("_config") or global_config
        store = _store_for(store_name, cfg)
        path = parse_filepath(value, store.spec)
        return {"path": path, "store": store.name, **stat_target(store, path)}

    def decode(self, stored: Any, *, key: dict | None = None, context: dict | None = None) -> ObjectRef:
        cfg = (context or {}).get("config") or (key or {}).get("_config")
        return ObjectRef.from_json(stored, config=cfg)

    def referenced_paths(self, stored: Any) -> list[tuple[str, str | None]]:
        return []  # user-managed: never counted as owned by the schema
