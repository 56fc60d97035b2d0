"""Object stores: where codecs put objects that do not belong in a table row.

:func:`get_store` returns the store configured in ``dj.config["stores"]``: a
:class:`FolderStore` (protocol ``file``) or an :class:`FsspecStore` (protocol ``s3``).
Both implement the small :class:`Store` protocol.  Importing this package connects to nothing.
"""

from __future__ import annotations

from .base import MissingObjectError, Store, StoreAccessError, StoreError
from .folder import FolderStore
from .fsspec_store import FsspecStore
from .lookup import get_store, resolve_store_name, store_spec
from .spec import StoreSpec, parse_store_spec
from .writes import undo_writes_on_error

__all__ = [
    "FolderStore",
    "FsspecStore",
    "MissingObjectError",
    "Store",
    "StoreAccessError",
    "StoreError",
    "StoreSpec",
    "get_store",
    "parse_store_spec",
    "resolve_store_name",
    "store_spec",
    "undo_writes_on_error",
]
