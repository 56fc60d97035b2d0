"""A store on any fsspec filesystem; S3 (through s3fs) is the one configured from ``dj.config``.

Objects live at ``{bucket}/{location}/{path}``.  S3 writes are atomic by nature (an object
appears whole when its upload completes).  Listing caches are switched off: another
process may add or remove objects at any time, and deduplication must see that.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import IO, Any

from .base import MissingObjectError, StoreAccessError, StoreError, check_relative_path
from .spec import StoreSpec
from .writes import note_created

__all__ = ["FsspecStore", "no_credentials", "s3_filesystem"]


def s3_filesystem(spec: StoreSpec) -> Any:
    """An ``s3fs.S3FileSystem`` for an ``s3`` store spec.

    Raises
    ------
    DataJointError
        s3fs is not installed (``pip install 'dj_jupyter[s3]'``).
    """
    try:
        import s3fs
    except ImportError:
        raise StoreError(f"Store {spec.name!r} uses protocol 's3', which needs s3fs: "
                         "pip install 'dj_jupyter[s3]' (or pip install s3fs).") from None
    endpoint = spec.endpoint or ""
    if "://" not in endpoint:
        endpoint = ("https://" if spec.secure else "http://") + endpoint
    options: dict[str, Any] = {"client_kwargs": {"endpoint_url": endpoint}, "use_listings_cache": False,
                               "skip_instance_cache": True}
    if spec.access_key is not None:
        options.update(key=spec.access_key, secret=spec.secret_key)
    if spec.proxy_server:
        options["config_kwargs"] = {"proxies": {"http": spec.proxy_server, "https": spec.proxy_server}}
    return s3fs.S3FileSystem(**options)


def no_credentials(error: Exception) -> bool:
    """botocore found no credentials anywhere (it raises this outside the OSError family)."""
    try:
        from botocore.exceptions import NoCredentialsError, PartialCredentialsError
    except ImportError:
        return False
    return isinstance(error, (NoCredentialsError, PartialCredentialsError))


class FsspecStore:
    """Objects on an fsspec filesystem under a root path.

    Parameters
    ----------
    spec : StoreSpec
        The store's configuration (for its name and layout options).
    fs : fsspec.AbstractFileSystem
        The filesystem (e.g. from :func:`s3_filesystem`).
    root : str
        Folder on ``fs`` holding the store (``bucket/location`` on S3).
    """

    def __init__(self, spec: StoreSpec, fs: Any, root: str) -> None:
        self.name = spec.name
        self.spec = spec
        self.fs = fs
        self.root = root.strip("/")

    @classmethod
    def from_spec(cls, spec: StoreSpec) -> FsspecStore:
        """The store of an ``s3`` spec."""
        if spec.protocol != "s3":
            raise StoreError(f"Store {spec.name!r}: protocol {spec.protocol!r} is not supported yet; use 'file' or 's3'.")
        return cls(spec, s3_filesystem(spec), f"{spec.bucket}/{spec.location}")

    def __repr__(self) -> str:
        return f"FsspecStore({self.name!r}, {self.root!r})"

    def full_path(self, path: str) -> str:
        return f"{self.root}/{check_relative_path(path)}"

    @contextlib.contextmanager
    def _errors(self, path: str, action: str) -> Iterator[None]:
        """Filesystem errors as store errors that say which store, path and action."""
        try:
            yield
        except FileNotFoundError:
            raise MissingObjectError(f"Store {self.name!r} has no object {path!r} (looked at {self.root}). "
                                     "It may have been deleted outside DataJoint, or the store's location changed.") from None
        except PermissionError as error:
            raise StoreAccessError(
                f"Store {self.name!r} refused to {action} {path!r}: {error}. Check its credentials: "
                f"config['stores.{self.name}.access_key'] / secret_key, or the files "
                f".secrets/stores.{self.name}.access_key and .secrets/stores.{self.name}.secret_key."
            ) from None
        except OSError as error:
            raise StoreError(f"Store {self.name!r} could not {action} {path!r}: {error}") from error
        except Exception as error:
            if not no_credentials(error):
                raise
            raise StoreAccessError(
                f"Store {self.name!r} has no credentials to {action} {path!r} ({error}). Give them as "
                f"config['stores.{self.name}.access_key'] and secret_key, or in the files "
                f".secrets/stores.{self.name}.access_key and .secrets/stores.{self.name}.secret_key."
            ) from None

    def exists(self, path: str) -> bool:
        with self._errors(path, "check"):
            return bool(self.fs.isfile(self.full_path(path)))

    def put(self, path: str, data: bytes) -> None:
        with self._errors(path, "write"):
            self.fs.pipe_file(self.full_path(path), bytes(data))
        note_created(self, check_relative_path(path))

    def get(self, path: str) -> bytes:
        with self._errors(path, "read"):
            return self.fs.cat_file(self.full_path(path))

    def get_range(self, path: str, start: int, length: int) -> bytes:
        with self._errors(path, "read"):
            return self.fs.cat_file(self.full_path(path), start=start, end=start + length)

    def size(self, path: str) -> int:
        with self._errors(path, "stat"):
            return int(self.fs.size(self.full_path(path)))

    def delete(self, path: str) -> None:
        with contextlib.suppress(FileNotFoundError), self._errors(path, "delete"):
            self.fs.rm_file(self.full_path(path))

    def list(self, prefix: str = "") -> list[str]:
        base = self.full_path(prefix) if prefix.strip("/") else self.root
        with self._errors(prefix, "list"):
            try:
                found = self.fs.find(base, detail=True)
            except FileNotFoundError:
                return []
        cut = len(self.root) + 1
        # some servers (SeaweedFS) keep listing an emptied folder as an entry of type "directory"
        return sorted(p[cut:] for p, info in found.items()
                      if p.startswith(self.root + "/") and info.get("type", "file") != "directory")

    def open(self, path: str, mode: str = "rb") -> IO[bytes]:
        with self._errors(path, "open"):
            return self.fs.open(self.full_path(path), mode)
