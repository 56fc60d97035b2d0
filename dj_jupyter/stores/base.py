"""The small protocol every object store implements, and the errors stores raise.

Paths given to a store are relative, ``/``-separated (``_hash/my_schema/abc...``); the
store joins them to its root (a folder, or ``bucket/location`` on S3).  A store never
interprets the paths: layouts (content addressing, schema addressing) belong to codecs.
"""

from __future__ import annotations

from typing import IO, Protocol, runtime_checkable

from ..errors import DataJointError

__all__ = ["MissingObjectError", "Store", "StoreAccessError", "StoreError", "check_relative_path"]


class StoreError(DataJointError, OSError):
    """An object store could not be reached, read or written (the message names store and path)."""


class MissingObjectError(StoreError, FileNotFoundError):
    """A stored object that a row points at does not exist in its store."""


class StoreAccessError(StoreError, PermissionError):
    """The store refused the credentials (or none were given)."""


@runtime_checkable
class Store(Protocol):
    """What codecs need from an object store.

    Attributes
    ----------
    name : str
        The store's name in ``dj.config["stores"]``.
    spec : StoreSpec
        Its validated configuration.
    """

    name: str

    def exists(self, path: str) -> bool:
        """Whether an object (file) is stored at ``path``."""

    def put(self, path: str, data: bytes) -> None:
        """Store ``data`` at ``path`` atomically; readers never see a partial object.

        Callers put only paths that are new (content-addressed paths are checked with
        :meth:`exists` first; schema-addressed paths carry a random token), so each put is
        recorded as created by the current operation (see :mod:`dj_jupyter.stores.writes`).
        """

    def get(self, path: str) -> bytes:
        """The whole object; :class:`MissingObjectError` if there is none."""

    def get_range(self, path: str, start: int, length: int) -> bytes:
        """``length`` bytes from offset ``start`` (fewer at the end of the object)."""

    def size(self, path: str) -> int:
        """The object's size in bytes."""

    def delete(self, path: str) -> None:
        """Remove the object; a missing object is not an error."""

    def list(self, prefix: str = "") -> list[str]:
        """Relative paths of all objects under ``prefix``, sorted."""

    def open(self, path: str, mode: str = "rb") -> IO[bytes]:
        """A file object for streaming reads (or writes, ``mode="wb"``)."""


def check_relative_path(path: str) -> str:
    """A store path, normalised; absolute paths and ``..`` segments are refused.

    Examples
    --------
    >>> check_relative_path("_hash/s/abc")
    '_hash/s/abc'
    """
    if not isinstance(path, str) or not path:
        raise StoreError(f"A store path must be a non-empty string; got {path!r}.")
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if path.startswith("/") or ".." in parts or not parts:
        raise StoreError(f"Store path {path!r} must be relative and stay inside the store (no leading '/', no '..').")
    return "/".join(parts)
