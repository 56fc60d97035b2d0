"""Text and HTML previews of query results (the first rows, blobs as placeholders).

The HTML template and its CSS live in ``templates/`` beside this module.
"""

from __future__ import annotations

import html
from functools import cache
from importlib import resources
from typing import Any

from .fetch import fetch_rows, with_top

__all__ = ["COUNT_CAP", "html_preview", "page_text", "placeholder", "preview_rows", "preview_total", "text_preview"]

# a preview counts at most this many rows: showing a huge table must stay cheap
COUNT_CAP = 10_000


def _settings() -> tuple[int, int, bool]:
    from ..settings import config

    return int(config["display.limit"]), int(config["display.width"]), bool(config["display.show_tuple_count"])


def placeholder(attr) -> str:
    """What a preview shows instead of a blob-like value: ``<codec>``, ``json`` or ``bytes``."""
    if attr.is_codec:
        return f"<{attr.type.name}>"
    if attr.core == "json":
        return "json"
    return "bytes"


def page_text(expr: Any, *, limit: int, offset: int = 0, order_by: Any = None) -> tuple[list[str], list[tuple], bool]:
    """One page of a preview: ``(names, rows, more)`` with every value as text.

    Only the columns a preview shows are read (the key and the secondary attributes that
    are not blob-like); ordering, ``limit`` and ``offset`` run in the database, and one row
    more than the page is read to know whether there are ``more`` (no count).  Rows are
    tuples of ``str(value)`` in the order of ``names``: the same text in ``repr(q)``, the
    HTML preview and the notebook's preview widget.
    """
    heading = expr.heading
    if not heading.names:
        return [], [], False
    shown = expr.proj(*[n for n in heading.secondary_attributes if not heading[n].is_blob_like])
    names, rows = fetch_rows(shown.connection, with_top(shown._node, order_by, limit + 1, offset))
    return names, [tuple(map(str, row)) for row in rows[:limit]], len(rows) > limit


def preview_rows(expr: Any, limit: int) -> tuple[list[str], list[list[str]], bool]:
    """Column names and up to ``limit`` rows rendered as strings; blob-like columns are not fetched."""
    heading = expr.heading
    names = heading.names
    fetched, rows, more = page_text(expr, limit=limit)
    at = {n: i for i, n in enumerate(fetched)}
    cells = [(at[n], None) if n in at else (None, placeholder(heading[n])) for n in names]
    return names, [[row[i] if i is not None else text for i, text in cells] for row in rows], more


def preview_total(expr: Any, cap: int | None = None) -> str:
    """The row count for a preview: exact up to ``cap`` (default ``COUNT_CAP``), else ``">10,000"``.

    Counted with a LIMIT, so the database reads at most ``cap + 1`` keys.
    """
    cap = COUNT_CAP if cap is None else cap
    n = expr.count(cap=cap)
    return f">{cap:,}" if n > cap else str(n)


def text_preview(expr: Any, limit: int | None = None, width: int | None = None) -> str:
    d_limit, d_width, show_count = _settings()
    limit = d_limit if limit is None else limit
    width = d_width if width is None else width
    names, rows, more = preview_rows(expr, limit)
    pk = set(expr.primary_key)
    header = [("*" + n if n in pk else n) for n in names]

    def cell(s: str) -> str:
        s = s if len(s) <= width else s[: width - 3] + "..."
        return s.ljust(width)

    lines = [" ".join(cell(h) for h in header), " ".join("+" + "-" * (width - 1) for _ in names)]
    lines += [" ".join(cell(v) for v in r) for r in rows]
    if more:
        lines.append(" ...")
    if show_count:
        lines.append(f" (Total: {preview_total(expr)})")
    return "\n".join(lines) + "\n"


@cache
def _template(name: str) -> str:
    return resources.files(__package__).joinpath("templates", name).read_text(encoding="utf-8")


def html_preview(expr: Any, limit: int | None = None) -> str:
    d_limit, _, show_count = _settings()
    limit = d_limit if limit is None else limit
    names, rows, more = preview_rows(expr, limit)
    heading = expr.heading
    pk = set(expr.primary_key)
    head = "".join(
        f'<th class="{"dj-pk" if n in pk else ""}" title="{html.escape(heading[n].comment)}">{html.escape(n)}</th>'
        for n in names
    )
    body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>" for r in rows)
    if more:
        body += f'<tr><td colspan="{max(len(names), 1)}">…</td></tr>'
    footer = f"Total: {html.escape(preview_total(expr))}" if show_count else ""
    return _template("preview.html").format(css=_template("preview.css"), head=head, body=body, footer=footer)
