"""One page of a query, as strings: what the preview widget shows (no widget code here).

Blob-like columns (codecs, ``bytes``, ``json``) are projected away before the query
runs and shown as placeholders, so a page never transfers large values.  Ordering,
limit and offset run in the database.  The static HTML/text renderings are built
from a fetched page, so a static fallback costs no extra query.
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from typing import Any

from ...schema.preview import page_text, placeholder

__all__ = [
    "cell_text",
    "describe_columns",
    "fetch_page",
    "order_terms",
    "placeholder",
    "static_html",
    "static_text",
    "total_text",
]

HERE = Path(__file__).parent


def describe_columns(heading: Any) -> list[dict]:
    """One dict per attribute: ``name``, ``is_key``, ``comment``, ``placeholder`` (None when fetched)."""
    return [{"name": n, "is_key": heading[n].in_key, "comment": heading[n].comment,
             "placeholder": placeholder(heading[n]) if heading[n].is_blob_like else None}
            for n in heading.names]


def cell_text(value: Any) -> str:
    """A value as the preview shows it (the same text as ``repr(q)`` and ``q._repr_html_()``)."""
    return str(value)


def order_terms(column: str, descending: bool, primary_key: list[str]) -> list[str]:
    """``order_by`` for sorting by ``column``, the primary key breaking ties so pages never overlap.

    An empty ``column`` orders by the primary key (descending if asked).
    """
    direction = " DESC" if descending else ""
    if not column:
        return [f"{k}{direction}" for k in primary_key]
    return [f"{column}{direction}"] + [k for k in primary_key if k != column]


def fetch_page(expr: Any, *, page: int, page_size: int, order_by: list[str] | None) -> tuple[list[dict], bool]:
    """Rows of page ``page`` (1-based) as dicts of strings, and whether a next page exists.

    Only the columns without a placeholder in :func:`describe_columns` are selected; one row
    beyond the page is read to know whether there is more, so no count is needed.
    """
    names, rows, more = page_text(expr, limit=page_size, offset=(page - 1) * page_size, order_by=order_by or None)
    return [dict(zip(names, row)) for row in rows], more


def total_text(total: int | None, capped: bool) -> str:
    """``"1,234"``, ``"more than 10,000"``, or ``"counting…"``."""
    if total is None:
        return "counting\u2026"
    return f"more than {total:,}" if capped else f"{total:,}"


@cache
def _css() -> str:
    return (HERE / "preview.css").read_text(encoding="utf-8")


def static_html(columns: list[dict], rows: list[dict], *, more: bool, total: int | None, capped: bool) -> str:
    """A plain HTML table of a fetched page (for GitHub, nbviewer and HTML export: no kernel needed)."""
    head = "".join(
        f'<th class="djw-col{" djw-key" if c["is_key"] else ""}" title="{html.escape(c["comment"])}">'
        f'{html.escape(c["name"])}</th>' for c in columns)
    body = []
    for row in rows:
        cells = (f'<td class="djw-placeholder">{html.escape(c["placeholder"])}</td>' if c["placeholder"] is not None
                 else f"<td>{html.escape(row.get(c['name'], ''))}</td>" for c in columns)
        body.append("<tr>" + "".join(cells) + "</tr>")
    if more:
        body.append(f'<tr><td colspan="{max(len(columns), 1)}">\u2026</td></tr>')
    footer = f"Total: {html.escape(total_text(total, capped))}" if total is not None else ""
    return (f'<div class="djw-preview djw-static"><style>{_css()}</style><table class="djw-table"><thead><tr>{head}'
            f'</tr></thead><tbody>{"".join(body)}</tbody></table><div class="djw-status">{footer}</div></div>')


def static_text(columns: list[dict], rows: list[dict], *, more: bool, total: int | None, capped: bool,
                width: int = 14) -> str:
    """A fixed-width text table of a fetched page (primary-key columns starred), like ``repr(q)``."""
    def cell(text: str) -> str:
        return (text if len(text) <= width else text[: width - 3] + "...").ljust(width)

    lines = [" ".join(cell(("*" if c["is_key"] else "") + c["name"]) for c in columns),
             " ".join("+" + "-" * (width - 1) for _ in columns)]
    lines += [" ".join(cell(c["placeholder"] if c["placeholder"] is not None else row.get(c["name"], ""))
                       for c in columns) for row in rows]
    if more:
        lines.append(" ...")
    if total is not None:
        lines.append(f" (Total: {total_text(total, capped)})")
    return "\n".join(lines) + "\n"
