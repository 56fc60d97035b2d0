"""The typed messages that widget front ends send to the kernel.

Each widget accepts a few message kinds (``{"type": "page", "page": 2}``...).  A
message is parsed into a frozen dataclass at the boundary, so handlers never look
into raw dicts, and a malformed message becomes one :class:`WidgetMessageError` that
says what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...errors import DataJointError

__all__ = [
    "CancelRequest",
    "PageRequest",
    "SelectRequest",
    "SortRequest",
    "WidgetMessageError",
    "parse_message",
]


class WidgetMessageError(DataJointError, ValueError):
    """A widget received a message it does not understand (a front-end bug, or a hand-made message)."""


@dataclass(frozen=True)
class PageRequest:
    """Show page ``page`` (1 = the first page)."""

    page: int


@dataclass(frozen=True)
class SortRequest:
    """Order the rows by ``column`` (in the database); an empty column means the primary key."""

    column: str
    descending: bool = False


@dataclass(frozen=True)
class SelectRequest:
    """Select a diagram node by id (``"schema.table"``); an empty id clears the selection."""

    node: str


@dataclass(frozen=True)
class CancelRequest:
    """Stop a background populate after the current key."""


def _page(content: dict) -> PageRequest:
    page = content.get("page")
    if not isinstance(page, int) or isinstance(page, bool) or page < 1:
        raise WidgetMessageError(f"A page message needs 'page': an integer >= 1; got {page!r}.")
    return PageRequest(page)


def _sort(content: dict) -> SortRequest:
    column = content.get("column", "")
    descending = content.get("descending", False)
    if not isinstance(column, str) or not isinstance(descending, bool):
        raise WidgetMessageError(
            f"A sort message needs 'column' (a string) and 'descending' (true/false); got {column!r}, {descending!r}.")
    return SortRequest(column, descending)


def _select(content: dict) -> SelectRequest:
    node = content.get("node")
    if node is None:
        node = ""
    if not isinstance(node, str):
        raise WidgetMessageError(f"A select message needs 'node': a table id 'schema.table' or null; got {node!r}.")
    return SelectRequest(node)


_PARSERS = {
    "page": _page,
    "sort": _sort,
    "select": _select,
    "cancel": lambda content: CancelRequest(),
}


def parse_message(content: Any, *kinds: str) -> PageRequest | SortRequest | SelectRequest | CancelRequest:
    """Parse a front-end message of one of ``kinds`` (``"page"``, ``"sort"``, ``"select"``, ``"cancel"``).

    Raises
    ------
    WidgetMessageError
        ``content`` is not a dict, its ``type`` is not one of ``kinds``, or a field is wrong.
    """
    kind = content.get("type") if isinstance(content, dict) else None
    if kind not in kinds:
        raise WidgetMessageError(
            f"Expected a message with 'type' one of {', '.join(repr(k) for k in kinds)}; got {content!r}.")
    return _PARSERS[kind](content)
