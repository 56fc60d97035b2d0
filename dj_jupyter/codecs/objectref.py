"""``ObjectRef``: a lazy reference to a file or folder in an object store (what ``<object@>`` fetches as).

A reference holds the metadata the row recorded (path, store, size, ``is_dir``...), so
creating one reads nothing.  Its methods read on demand through an fsspec filesystem:
``read``/``open`` for files, ``listdir``/``walk``/``download`` for folders, ``fsmap`` for
libraries that take a key-value mapping (``zarr.open(ref.fsmap)``), and lazy Zarr views
(``open_zarr``, ``to_xarray``, ``describe``) built by :mod:`dj_jupyter.lazy`.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import mimetypes
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from .. import errors
from ..settings import config as global_config
from ..stores import MissingObjectError, StoreAccessError, StoreError, get_store
from .hashing import content_hash

__all__ = ["IntegrityError", "ObjectRef", "manifest_path", "store_errors", "store_filesystem"]

MANIFEST_SUFFIX = ".manifest.json"


class IntegrityError(errors.IntegrityError):
    """A stored object does not match what its row recorded (size, content hash, or folder manifest)."""


def manifest_path(path: str) -> str:
    """Where the manifest of the folder object at ``path`` lives (a sidecar file beside it)."""
    return path.rstrip("/") + MANIFEST_SUFFIX


def store_filesystem(store: Any) -> tuple[Any, str]:
    """``(fsspec filesystem, root)`` of a store: its own filesystem, or a local one for a folder store."""
    fs = getattr(store, "fs", None)
    if fs is not None:
        return fs, str(store.root)
    try:
        from fsspec.implementations.local import LocalFileSystem
    except ImportError:
        raise StoreError("Reading <object@> values needs fsspec: pip install 'dj_jupyter[objects]' "
                         "(or pip install fsspec).") from None
    # auto_mkdir: writers such as zarr create nested keys without making their folders first
    return LocalFileSystem(auto_mkdir=True), Path(store.root).resolve().as_posix()


@contextlib.contextmanager
def store_errors(store: Any, path: str, action: str) -> Iterator[None]:
    """Filesystem errors raised inside the block as store errors naming the store, the path and the action."""
    try:
        yield
    except StoreError:
        raise
    except FileNotFoundError:
        raise MissingObjectError(f"Store {store.name!r} has no object {path!r} (while trying to {action} it).") from None
    except PermissionError as error:
        raise StoreAccessError(f"Store {store.name!r} refused to {action} {path!r}: {error}. Check the store's "
                               f"credentials (config['stores.{store.name}.access_key'] / secret_key) or the "
                               "folder's permissions.") from None
    except OSError as error:
        raise StoreError(f"Store {store.name!r} could not {action} {path!r}: {error}") from error


@dataclass(eq=False)
class ObjectRef:
    """A file or folder stored for one row and attribute (``<object@>``); nothing is read until asked.

    Attributes
    ----------
    path : str
        The object's path relative to the store root (``str(ref)`` is this path).
    size : int or None
        Bytes of the file, or the total of a folder's files.
    hash : str or None
        Content hash of a file, when recorded.
    ext : str or None
        File extension with its dot (``".zarr"``, ``".tif"``), or None.
    is_dir : bool
        True for a folder (a Zarr store, a set of files); it has a sidecar ``{path}.manifest.json``.
    timestamp : str or None
        ISO time the object was stored (UTC).
    url : str or None
        Full address when known (``s3://bucket/...``).
    store : str or None
        Store name in ``dj.config["stores"]`` (None: the default store).
    mime_type : str or None
    item_count : int or None
        Number of files of a folder.

    Examples
    --------
    >>> ref = ObjectRef.from_json({"path": "_schema/s/t/id=1/raw_Ab3dEf9h.zarr", "store": "main", "size": 10,
    ...                            "ext": ".zarr", "is_dir": True, "item_count": 2, "timestamp": None})
    >>> str(ref), ref.is_dir, ref.to_json()["item_count"]
    ('_schema/s/t/id=1/raw_Ab3dEf9h.zarr', True, 2)
    """

    path: str
    size: int | None = None
    hash: str | None = None
    ext: str | None = None
    is_dir: bool = False
    timestamp: str | None = None
    url: str | None = None
    store: str | None = None
    mime_type: str | None = None
    item_count: int | None = None
    _backend: Any = field(default=None, repr=False, compare=False)
    _config: Any = field(default=None, repr=False, compare=False)

    # ------------------------------------------------------------------ conversion
    @classmethod
    def from_json(cls, data: dict | str | bytes, backend: Any = None, *, config: Any = None) -> ObjectRef:
        """A reference from stored metadata (a dict or its JSON text); ``backend``: the store, if already known."""
        meta = json.loads(data) if isinstance(data, (str, bytes)) else dict(data)
        if not isinstance(meta, dict) or not meta.get("path"):
            raise errors.DataJointError(f"Expected object metadata (a dict with 'path' and 'store'); got {data!r}.")
        known = {k: meta.get(k) for k in ("size", "hash", "ext", "timestamp", "url", "store", "mime_type",
                                           "item_count")}
        if not known["mime_type"] and known["ext"] and not meta.get("is_dir"):
            known["mime_type"] = mimetypes.guess_type(f"x{known['ext']}")[0]
        return cls(path=meta["path"], is_dir=bool(meta.get("is_dir", False)), _backend=backend, _config=config,
                   **known)

    def to_json(self) -> dict:
        """The metadata as a JSON-ready dict (what the row stores)."""
        out = asdict(self)
        out.pop("_backend")
        out.pop("_config")
        return out

    def __str__(self) -> str:
        return self.path

    def __repr__(self) -> str:
        kind = "folder" if self.is_dir else "file"
        return f"ObjectRef({kind} {self.path!r}, store={self.store!r}, size={self.size})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ObjectRef) and (self.path, self.store) == (other.path, other.store)

    def __hash__(self) -> int:
        return hash((self.path, self.store))

    def __getstate__(self) -> dict:
        # the store (with its network client) is not pickled: it is looked up again by name
        return {**self.__dict__, "_backend": None, "_config": None}

    # ------------------------------------------------------------------ where it lives
    @property
    def backend(self) -> Any:
        """The :class:`~dj_jupyter.stores.Store` holding the object."""
        if self._backend is None:
            self._backend = get_store(self.store, config=global_config if self._config is None else self._config)
        return self._backend

    @property
    def fs(self) -> Any:
        """The fsspec filesystem of the store."""
        return store_filesystem(self.backend)[0]

    @property
    def full_path(self) -> str:
        """The object's path on :attr:`fs` (``bucket/location/path`` on S3, an absolute path for a folder)."""
        return self._full()

    def _full(self, subpath: str | None = None) -> str:
        root = store_filesystem(self.backend)[1]
        full = f"{root}/{self.path}"
        if subpath:
            parts = [p for p in str(subpath).replace("\\", "/").split("/") if p not in ("", ".")]
            if ".." in parts:
                raise errors.DataJointError(f"Subpath {subpath!r} must stay inside the object (no '..').")
            full = "/".join([full, *parts])
        return full

    @property
    def fsmap(self) -> Any:
        """A key-value mapping over the object (``fsspec.FSMap``), e.g. for ``zarr.open(ref.fsmap)``."""
        return self.fs.get_mapper(self.full_path)

    # ------------------------------------------------------------------ reading
    def _missing(self, what: str) -> MissingObjectError:
        return MissingObjectError(f"Store {self.backend.name!r} has no object {what!r}. It may have been deleted "
                                  "outside DataJoint (try ref.exists(), or dj.gc to tidy the store).")

    def read(self) -> bytes:
        """The whole content of a file object."""
        if self.is_dir:
            raise errors.DataJointError(f"{self.path!r} is a folder: read its files with ref.open('name') or "
                                        "ref.listdir(), or open it with ref.open_zarr() / ref.to_xarray().")
        return self.backend.get(self.path)  # the store translates its errors (missing, access, network)

    def open(self, subpath: str | None = None, mode: str = "rb") -> IO[bytes]:
        """A file object: the file itself, or ``subpath`` inside a folder object."""
        if self.is_dir and not subpath:
            raise errors.DataJointError(f"{self.path!r} is a folder: give the file inside it, ref.open('name').")
        inside = self._full(subpath)[len(store_filesystem(self.backend)[1]) + 1:]
        return self.backend.open(inside, mode)

    def listdir(self, subpath: str = "") -> list[str]:
        """Names of the entries of the folder (or of ``subpath`` inside it), sorted."""
        base = self._full(subpath)
        try:
            entries = self.fs.ls(base, detail=False)
        except FileNotFoundError:
            raise self._missing(f"{self.path}/{subpath}".rstrip("/")) from None
        return sorted(e.rstrip("/").rsplit("/", 1)[-1] for e in entries if e.rstrip("/") != base)

    def walk(self) -> Iterator[tuple[str, list[str], list[str]]]:
        """``(folder relative to the object, subfolders, files)`` for each folder, like ``os.walk``."""
        base = self.full_path
        for folder, dirs, files in self.fs.walk(base):
            rel = folder.rstrip("/")[len(base):].lstrip("/")
            yield rel, sorted(dirs), sorted(files)

    def download(self, destination: str | os.PathLike, subpath: str | None = None) -> Path:
        """Copy the object (or ``subpath`` of it) into the folder ``destination``; returns the local path."""
        target_dir = Path(destination)
        target_dir.mkdir(parents=True, exist_ok=True)
        source = self._full(subpath)
        target = target_dir / source.rstrip("/").rsplit("/", 1)[-1]
        if not self.exists(subpath):
            raise self._missing(f"{self.path}/{subpath}" if subpath else self.path)
        if self.fs.isdir(source):
            self.fs.get(source.rstrip("/") + "/", str(target) + "/", recursive=True)
        else:
            self.fs.get_file(source, str(target))
        return target

    def exists(self, subpath: str | None = None) -> bool:
        """Whether the object (or ``subpath`` inside it) is in the store."""
        return bool(self.fs.exists(self._full(subpath)))

    def verify(self) -> bool:
        """Check the stored object against its metadata; True, or :class:`IntegrityError` saying what differs."""
        if not self.exists():
            raise IntegrityError(f"Object {self.path!r} is missing from store {self.backend.name!r}.")
        if self.is_dir:
            return self._verify_folder()
        size = int(self.fs.size(self.full_path))
        if self.size is not None and size != self.size:
            raise IntegrityError(f"Object {self.path!r} has {size} bytes; its row recorded {self.size}.")
        if self.hash and content_hash(self.read()) != self.hash:
            raise IntegrityError(f"Object {self.path!r} does not match its recorded hash {self.hash}.")
        return True

    def _verify_folder(self) -> bool:
        fs, manifest = self.fs, self._manifest()
        base = self.full_path
        found = {p[len(base) + 1:]: int(info.get("size") or 0)
                 for p, info in fs.find(base, detail=True).items()}
        expected = {f["path"]: int(f["size"]) for f in manifest.get("files", [])}
        if found != expected:
            missing = sorted(set(expected) - set(found))[:5]
            extra = sorted(set(found) - set(expected))[:5]
            changed = sorted(k for k in set(found) & set(expected) if found[k] != expected[k])[:5]
            raise IntegrityError(f"Folder {self.path!r} differs from its manifest: missing {missing}, "
                                 f"unexpected {extra}, size changed {changed}.")
        return True

    def _manifest(self) -> dict:
        try:
            return json.loads(self.fs.cat_file(f"{store_filesystem(self.backend)[1]}/{manifest_path(self.path)}"))
        except FileNotFoundError:
            raise IntegrityError(f"Folder {self.path!r} has no manifest {manifest_path(self.path)!r}.") from None

    # ------------------------------------------------------------------ lazy array views (dj_jupyter.lazy)
    def open_zarr(self, mode: str = "r") -> Any:
        """The object as a lazy ``zarr`` array or group (chunks are read when indexed)."""
        from ..lazy import open_zarr

        return open_zarr(self.fsmap, mode=mode, label=self.path)

    to_zarr = open_zarr

    def to_xarray(self, **kwargs: Any) -> Any:
        """The Zarr object as a lazy ``xarray.Dataset`` (group) or ``xarray.DataArray`` (single array)."""
        from ..lazy import zarr_to_xarray

        return zarr_to_xarray(self.fsmap, label=self.path, **kwargs)

    def describe(self) -> dict:
        """A summary from metadata only: shape, dtype, chunks, nbytes of each Zarr array, or size of a file."""
        base = {"path": self.path, "store": self.store, "is_dir": self.is_dir, "size": self.size,
                "item_count": self.item_count, "ext": self.ext, "mime_type": self.mime_type}
        if not self.is_dir:
            return {**base, "kind": "file"}
        from ..lazy import describe_zarr

        return {**base, **describe_zarr(self.fsmap, label=self.path)}


def utc_timestamp() -> str:
    """The current time as ISO text in UTC (object metadata ``timestamp``)."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds")  # as DataJoint writes it
