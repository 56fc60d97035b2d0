"""A store in a local (or mounted network) folder.

Writes go to a temporary file beside the target, then ``os.replace`` moves it into place:
a reader sees either no object or the whole object, even if the writer dies halfway.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import IO

from .base import MissingObjectError, StoreError, check_relative_path
from .spec import StoreSpec
from .writes import note_created

__all__ = ["FolderStore"]

_TEMP_SUFFIX = ".djtmp"


class FolderStore:
    """Objects as files under ``spec.location``.

    Parameters
    ----------
    spec : StoreSpec
        A ``file`` store specification (its location must exist).

    Examples
    --------
    >>> import tempfile
    >>> from dj_jupyter.stores.spec import parse_store_spec
    >>> store = FolderStore(parse_store_spec("tmp", {"protocol": "file", "location": tempfile.mkdtemp()}))
    >>> store.put("a/b.bin", b"xyz")
    >>> store.get("a/b.bin"), store.list("a")
    (b'xyz', ['a/b.bin'])
    """

    def __init__(self, spec: StoreSpec) -> None:
        self.name = spec.name
        self.spec = spec
        self.root = Path(spec.location)

    def __repr__(self) -> str:
        return f"FolderStore({self.name!r}, {str(self.root)!r})"

    def full_path(self, path: str) -> Path:
        return self.root / check_relative_path(path)

    def exists(self, path: str) -> bool:
        return self.full_path(path).is_file()

    def put(self, path: str, data: bytes) -> None:
        target = self.full_path(path)
        temp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}{_TEMP_SUFFIX}")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(temp, "wb") as f:
                f.write(data)
            os.replace(temp, target)
        except OSError as error:
            temp.unlink(missing_ok=True)
            raise StoreError(f"Store {self.name!r}: cannot write {path!r} under {self.root}: {error}") from error
        note_created(self, check_relative_path(path))

    def get(self, path: str) -> bytes:
        try:
            return self.full_path(path).read_bytes()
        except FileNotFoundError:
            raise self._missing(path) from None

    def get_range(self, path: str, start: int, length: int) -> bytes:
        try:
            with open(self.full_path(path), "rb") as f:
                f.seek(start)
                return f.read(length)
        except FileNotFoundError:
            raise self._missing(path) from None

    def size(self, path: str) -> int:
        try:
            return self.full_path(path).stat().st_size
        except FileNotFoundError:
            raise self._missing(path) from None

    def delete(self, path: str) -> None:
        self.full_path(path).unlink(missing_ok=True)

    def list(self, prefix: str = "") -> list[str]:
        base = self.full_path(prefix) if prefix.strip("/") else self.root
        if base.is_file():
            return [check_relative_path(prefix)]
        if not base.is_dir():
            return []
        found = []
        for folder, _, files in os.walk(base):
            for name in files:
                if not name.endswith(_TEMP_SUFFIX):
                    found.append((Path(folder) / name).relative_to(self.root).as_posix())
        return sorted(found)

    def open(self, path: str, mode: str = "rb") -> IO[bytes]:
        target = self.full_path(path)
        if "w" in mode:
            target.parent.mkdir(parents=True, exist_ok=True)
        try:
            return open(target, mode)
        except FileNotFoundError:
            raise self._missing(path) from None

    def _missing(self, path: str) -> MissingObjectError:
        return MissingObjectError(f"Store {self.name!r} has no object {path!r} (looked in {self.root}). "
                                  "It may have been deleted outside DataJoint, or the store's location changed.")
