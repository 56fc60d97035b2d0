"""Content addressing: the hash of some bytes and the store path it gives, as DataJoint 2.x lays them out.

Hash = MD5 of the bytes, Base32-encoded, lower case, padding removed: 26 characters from
``[a-z2-7]``.  Path = ``{hash_prefix}/{schema}/[{fold1}/{fold2}/...]{hash}``.  The schema name
is part of every path, so identical content is stored once per schema, and the objects of
one schema can be listed (and collected) without touching another's.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

__all__ = ["content_hash", "hash_path"]


def content_hash(data: bytes) -> str:
    """The 26-character content hash of ``data``.

    Examples
    --------
    >>> content_hash(b"")
    '2qoyzwmpaczaj2mabgmoz6ccpy'
    """
    digest = hashlib.md5(data, usedforsecurity=False).digest()
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()


def hash_path(hash_prefix: str, schema: str, digest: str, subfolding: Sequence[int] = ()) -> str:
    """Where content with hash ``digest`` lives in a store.

    Examples
    --------
    >>> hash_path("_hash", "lab", "2qoyzwmpaczaj2mabgmoz6ccpy", (2, 2))
    '_hash/lab/2q/oy/2qoyzwmpaczaj2mabgmoz6ccpy'
    """
    folds, start = [], 0
    for width in subfolding:
        folds.append(digest[start:start + width])
        start += width
    return "/".join([hash_prefix, schema, *folds, digest])
