"""Turn what either library fetched into plain, comparable Python values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["plain", "plain_rows", "table_rows"]


def plain(value: Any) -> Any:
    """A library-neutral form of a fetched value: arrays keep dtype and shape, objects become their content."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            return ("object-array", value.shape, [plain(v) for v in value.ravel(order="F")])
        return ("array", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    kind = type(value).__name__
    if kind == "ObjectRef":
        files = sorted(name for _, _, names in value.walk() for name in names) if value.is_dir else None
        return ("object", value.path, value.is_dir, files, value.open("data.bin").read() if value.is_dir else value.read())
    if kind == "NpyRef":
        return plain(np.asarray(value.load()))
    return value


def plain_rows(rows: list[dict], *, attach: tuple[str, ...] = ()) -> list[dict]:
    """Rows with every value made plain; ``attach`` columns (local file paths) become (name, content)."""
    out = []
    for row in rows:
        row = {k: plain(v) for k, v in row.items()}
        for name in attach:
            if row.get(name) is not None:
                path = Path(row[name])
                row[name] = (path.name, path.read_bytes())
        out.append(row)
    return out


def table_rows(table: Any, *, attach: tuple[str, ...] = ()) -> list[dict]:
    """All rows of a table or query, ordered by primary key, made plain."""
    return plain_rows(table.to_dicts(order_by=list(table.primary_key)), attach=attach)
