"""Schema-addressed objects: one file per row and field, at a path built from the row's key.

``{schema_prefix}/{schema}/{table}/{k=v segments}/{field}_{token}{ext}``.  The random token
makes every write a new path, so rewriting a row never overwrites an object another
(committed) row still points at.  :class:`SchemaCodec` is the base of codecs that store
objects this way (``<npy@>``); garbage collection and the delete lifecycle recognise them
by that base class.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
import urllib.parse
from typing import Any

from ..errors import DataJointError
from ..settings import config as global_config
from ..stores import get_store
from .registry import Codec

__all__ = ["SchemaCodec", "build_schema_path", "key_segment"]

_SAFE = re.compile(r"[A-Za-z0-9_.\-]+\Z")
_MAX_SEGMENT = 100
_TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def key_segment(name: str, value: Any) -> str:
    """One ``attr=value`` path segment of a primary-key value.

    Examples
    --------
    >>> key_segment("subject_id", 7)
    'subject_id=7'
    >>> key_segment("t", datetime.datetime(2024, 1, 2, 3, 4, 5))
    't=2024-01-02T03-04-05'
    >>> key_segment("name", "a b/c")
    'name=a%20b%2Fc'
    """
    if isinstance(value, datetime.datetime):
        text = value.strftime("%Y-%m-%dT%H-%M-%S")
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    else:
        text = str(value)
    if not _SAFE.match(text) or text in (".", ".."):
        text = urllib.parse.quote(text, safe="")
    if len(text) > _MAX_SEGMENT:
        # long values keep a readable start and an MD5 suffix, so distinct values stay distinct
        digest = hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]
        text = f"{text[:_MAX_SEGMENT - 9]}_{digest}"
    return f"{name}={text}"


def build_schema_path(spec: Any, schema: str, table: str, field: str, key: dict, ext: str = "") -> str:
    """The store path of a new schema-addressed object.

    Parameters
    ----------
    spec : StoreSpec
        The store's configuration (``schema_prefix``, ``token_length``).
    schema, table, field : str
        Where the row lives and which attribute holds the object.
    key : dict
        The row's primary-key values (keys starting with ``_`` are ignored).
    ext : str
        File extension, with its dot (``".npy"``).

    Examples
    --------
    >>> from dj_jupyter.stores.spec import parse_store_spec
    >>> spec = parse_store_spec("s", {"protocol": "file", "location": ".", "partition_pattern": "subject",
    ...                              "token_length": 4})
    >>> build_schema_path(spec, "lab", "session", "trace", {"subject": 3, "session": 1}, ".npy")[:-8]
    '_schema/subject=3/lab/session/session=1/trace_'
    """
    key = {k: v for k, v in key.items() if not k.startswith("_")}
    # partition_pattern ("subject_id/session_date") lifts those key attributes in front of the schema
    lifted = [a for a in (spec.partition_pattern or "").split("/") if a in key]
    front = [key_segment(a, key[a]) for a in lifted]
    segments = [key_segment(k, v) for k, v in key.items() if k not in lifted]
    token = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(spec.token_length))
    return "/".join([spec.schema_prefix, *front, schema, table, *segments, f"{field}_{token}{ext}"])


class SchemaCodec(Codec):
    """Base of codecs whose objects live at schema-addressed paths (one object per row and field).

    Subclasses must be used with a store (``<name@>`` or ``<name@store>``); their column
    holds JSON metadata with at least ``path`` and ``store``.
    """

    def get_dtype(self, is_store: bool) -> str:
        if not is_store:
            raise DataJointError(f"<{self.name}> keeps its objects in an object store: declare it as <{self.name}@> "
                                 f"(the default store) or <{self.name}@store>.")
        return "json"

    @staticmethod
    def _context(key: dict | None, context: dict | None) -> dict:
        """schema, table, field and config of an encode call (new ``context`` or legacy ``_`` keys)."""
        key, context = key or {}, context or {}
        out = {name: context.get(name) or key.get(f"_{name}") for name in ("schema", "table", "field", "config")}
        if not (out["schema"] and out["table"] and out["field"]):
            raise DataJointError("Schema-addressed storage needs schema, table and field in the encode context; "
                                 "insert through a table rather than calling encode directly.")
        out["config"] = out["config"] if out["config"] is not None else global_config
        return out

    def _new_path(self, key: dict | None, context: dict | None, store_name: str | None, ext: str) -> tuple[Any, str]:
        """``(store, path)`` for a new object of the row being encoded."""
        ctx = self._context(key, context)
        store = get_store(store_name, config=ctx["config"])
        pk = {k: v for k, v in (key or {}).items() if not k.startswith("_")}
        return store, build_schema_path(store.spec, ctx["schema"], ctx["table"], ctx["field"], pk, ext)
