"""The layout of a jobs table (``~~<name>``), as DataJoint 2.x lays it out, and its stored values.

A jobs table is built directly as a :class:`~dj_jupyter.heading.spec.TableSpec` (not
through the definition parser) because its ``error_stack`` column is declared ``<blob>``
and codec types cannot be declared by users yet.  The traceback text is stored in that
column in DataJoint's blob format for a Python ``str``, so that DataJoint itself can read it.
"""

from __future__ import annotations

import struct
from typing import Any

from ..definition.syntax import Default
from ..definition.types import parse_type
from ..errors import DataJointError
from ..heading.spec import ColumnSpec, IndexSpec, TableSpec

__all__ = [
    "JOB_STATUSES",
    "MAX_MESSAGE_LENGTH",
    "jobs_spec",
    "jobs_table_name",
    "pack_text",
    "truncate_message",
    "unpack_text",
]

JOB_STATUSES = ("pending", "reserved", "success", "error", "ignore")
MAX_MESSAGE_LENGTH = 2047
_TRUNCATION = "...truncated"

# blob format of a str: protocol header, type code 5 (string), uint64 little-endian length, utf-8 bytes
_BLOB_HEADER = b"dj0\x00"
_STRING_CODE = b"\x05"


def jobs_table_name(target_table: str) -> str:
    """``__activity`` -> ``~~activity``: the target's SQL name without leading underscores."""
    return "~~" + target_table.lstrip("_")


def _column(name: str, declared: str, *, default: Default | None = None, nullable: bool = False) -> ColumnSpec:
    declared_type = parse_type(declared)
    storage = parse_type("bytes") if declared_type.kind == "codec" else declared_type
    return ColumnSpec(name, storage, declared_type, nullable=nullable, default=default)


_NOW3 = Default("sql", "CURRENT_TIMESTAMP(3)")
_NULL = Default("null")


def _text_default(value: str) -> Default:
    return Default("literal", value, quoted=True)


def _number_default(value: int) -> Default:
    return Default("literal", str(value))


# the secondary columns in DataJoint 2.x's order: type markers, no comment text
_JOB_COLUMNS = (
    _column("status", "enum('pending','reserved','success','error','ignore')"),
    _column("priority", "int8"),
    _column("created_time", "datetime(3)", default=_NOW3),
    _column("scheduled_time", "datetime(3)", default=_NOW3),
    _column("reserved_time", "datetime(3)", default=_NULL, nullable=True),
    _column("completed_time", "datetime(3)", default=_NULL, nullable=True),
    _column("duration", "float64", default=_NULL, nullable=True),
    _column("error_message", f"varchar({MAX_MESSAGE_LENGTH})", default=_text_default("")),
    _column("error_stack", "<blob>", default=_NULL, nullable=True),
    _column("user", "varchar(255)", default=_text_default("")),
    _column("host", "varchar(255)", default=_text_default("")),
    _column("pid", "int32", default=_number_default(0)),
    _column("connection_id", "int64", default=_number_default(0)),
    _column("version", "varchar(64)", default=_text_default("")),
)


def _key_column(attr: Any, dialect_name: str) -> ColumnSpec:
    """A primary-key column copied from the target: its type, no comment.

    On MySQL DataJoint writes no marker; PostgreSQL and SQLite store unsigned integers in
    wider signed columns, and MySQL stores uuid as binary(16): there the marker is kept so
    that keys read back from the jobs table have their declared types.
    """
    t = attr.type
    if t.kind == "codec":
        raise DataJointError(f"Primary-key attribute `{attr.name}` has codec type {t.text}; jobs tables need plain keys.")
    keep_marker = t.kind == "core" and (t.name == "uuid" or dialect_name != "mysql")
    return ColumnSpec(attr.name, t, t, marker=keep_marker, in_key=True)


def jobs_spec(schema: str, target_table: str, key_attributes: list, *, dialect: Any) -> TableSpec:
    """The :class:`TableSpec` of the jobs table of ``schema.target_table``.

    Parameters
    ----------
    schema, target_table : str
        Where the auto-populated table lives (``target_table`` is its SQL name).
    key_attributes : list of Attribute
        The target's primary-key attributes that come from foreign keys, in key order.
    dialect : Dialect
        The backend's dialect (decides markers and the comment's quoting).

    Raises
    ------
    DataJointError
        The target has no key attribute that comes from a foreign key.
    """
    if not key_attributes:
        raise DataJointError(
            f"Cannot create a jobs table for `{schema}`.`{target_table}`: it has no primary-key attribute "
            "that comes from a foreign key. Auto-populated tables need '-> Parent' lines above '---'."
        )
    keys = tuple(_key_column(a, dialect.name) for a in key_attributes)
    comment = f"Job queue for {dialect.full_name(schema, target_table)}"
    return TableSpec(
        schema=schema,
        name=jobs_table_name(target_table),
        comment=comment,
        columns=keys + _JOB_COLUMNS,
        primary_key=tuple(c.name for c in keys),
        indexes=(IndexSpec(("status", "priority", "scheduled_time")),),
    )


def pack_text(text: str) -> bytes:
    """``text`` in DataJoint's ``<blob>`` format (what DataJoint stores for a Python str).

    Uses :mod:`dj_jupyter.codecs.blob` when it exists; the format of a str is fixed, so the
    local fallback writes the same bytes.
    """
    try:
        from ..codecs.blob import pack  # type: ignore[import-not-found]
    except ImportError:
        data = text.encode("utf-8")
        return _BLOB_HEADER + _STRING_CODE + struct.pack("<Q", len(data)) + data
    return pack(text)


def unpack_text(value: Any) -> str | None:
    """The text of a stored ``error_stack`` value (bytes in blob format, or already decoded)."""
    if value is None or isinstance(value, str):
        return value
    data = bytes(value)
    if data.startswith(_BLOB_HEADER + _STRING_CODE) and len(data) >= 13:
        (n,) = struct.unpack("<Q", data[5:13])
        return data[13:13 + n].decode("utf-8")
    try:
        from ..codecs.blob import unpack  # type: ignore[import-not-found]
    except ImportError:
        return data.decode("utf-8", errors="replace")
    return str(unpack(data))


def truncate_message(message: str) -> str:
    """Cut a message to fit ``error_message`` (varchar(2047)), saying that it was cut."""
    if len(message) <= MAX_MESSAGE_LENGTH:
        return message
    return message[: MAX_MESSAGE_LENGTH - len(_TRUNCATION)] + _TRUNCATION
