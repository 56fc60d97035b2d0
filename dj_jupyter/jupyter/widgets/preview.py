"""``PreviewWidget``: a query result one page at a time, paged and sorted in the database.

The kernel fetches only the visible page (blob-like columns projected away and shown
as placeholders).  The row count runs in a background thread, capped, on that thread's
own driver connection: the first page never waits for it, and a huge table is never
counted to the end.  One counting thread serves every preview (a preview neither starts
a thread nor opens a database connection of its own).  The front end (``preview.js``) sends typed messages:
``{"type": "page", "page": n}`` and ``{"type": "sort", "column": c, "descending": b}``.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import traitlets as t

from ...errors import DataJointError
from ...schema.preview import COUNT_CAP
from .lean import LeanAnyWidget, asset
from .messages import PageRequest, SortRequest, parse_message
from .paging import describe_columns, fetch_page, order_terms, static_html, static_text

__all__ = ["PreviewWidget"]

HERE = Path(__file__).parent
STATIC_COUNT_WAIT = 0.2  # seconds a display waits for the count, so that the static HTML can show it
logger = logging.getLogger("dj_jupyter")
# counts of all previews, one after the other (each is capped); the thread keeps its driver connections open
_COUNTS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dj-preview-count")


class PreviewWidget(LeanAnyWidget):
    """A lazy, paged, sortable preview of a query expression.

    Parameters
    ----------
    expr : query expression or table class
        What to show.
    page_size : int
        Rows per page.
    count_cap : int
        Count at most this many rows (the total then reads "more than ``count_cap``").

    Attributes
    ----------
    rows : list of dict
        The rows of the page shown: attribute name -> text (blob-like columns absent).
    columns : list of dict
        ``name``, ``is_key``, ``comment``, ``placeholder`` (text shown instead of a
        blob-like value, None for fetched columns).
    page, page_size : int
        The page shown (1 = first) and the rows per page.
    order_by : list of str
        The ``order_by`` sent to the database for this page.
    sort_column, sort_descending : str, bool
        The column the user sorted by ("" = primary key) and its direction.
    has_next : bool
        Whether a row exists after this page.
    total : int or None
        The row count (None while counting); with ``total_capped`` it means "more than".
    loading : bool
        A page is being fetched.
    error : str
        The last error (a failed page or count, a bad message); "" when none.
    layout : ipywidgets.Layout
        As for any widget; made when the preview is first shown or ``layout`` first read
        (see :mod:`.lean`: read it before showing the preview inside a container, to style it later).

    Examples
    --------
    >>> PreviewWidget(Session & "session_date > '2024-01-01'", page_size=20)   # doctest: +SKIP
    """

    _esm = asset(HERE / "preview.js")
    _css = asset(HERE / "preview.css")

    # list of dict: the elements are not validated (per-row work on every page; fetch_page makes them)
    rows = t.List().tag(sync=True)
    columns = t.List().tag(sync=True)
    page = t.Int(1).tag(sync=True)
    page_size = t.Int(10).tag(sync=True)
    order_by = t.List(t.Unicode()).tag(sync=True)
    sort_column = t.Unicode("").tag(sync=True)
    sort_descending = t.Bool(False).tag(sync=True)
    has_next = t.Bool(False).tag(sync=True)
    total = t.Int(None, allow_none=True).tag(sync=True)
    total_capped = t.Bool(False).tag(sync=True)
    loading = t.Bool(False).tag(sync=True)
    error = t.Unicode("").tag(sync=True)

    def __init__(self, expr: Any, page_size: int = 10, *, count_cap: int = COUNT_CAP, **kwargs: Any) -> None:
        if not isinstance(page_size, int) or isinstance(page_size, bool) or page_size < 1:
            raise DataJointError(f"PreviewWidget(page_size=...) takes an integer >= 1; got {page_size!r}.")
        expr = expr() if isinstance(expr, type) else expr
        columns = describe_columns(expr.heading)
        order_by = order_terms("", False, list(expr.primary_key))
        # the first page before the widget exists: a broken query raises here, with no widget left behind
        rows, more = fetch_page(expr, page=1, page_size=page_size, order_by=order_by)
        super().__init__(page_size=page_size, columns=columns, order_by=order_by, rows=rows, has_next=more, **kwargs)
        self._expr = expr
        self._count_cap = count_cap
        self._counter = _COUNTS.submit(self._count)

    @property
    def expression(self) -> Any:
        """The query expression shown."""
        return self._expr

    # ------------------------------------------------------------------ messages
    def _on_front_end_message(self, content: Any, _buffers: Any) -> None:
        try:
            message = parse_message(content, "page", "sort")
            if isinstance(message, PageRequest):
                self.show_page(message.page)
            elif isinstance(message, SortRequest):
                self.sort(message.column, descending=message.descending)
        except DataJointError as exc:
            self.error = str(exc)

    def show_page(self, page: int) -> None:
        """Fetch and show page ``page`` (1-based; clamped to the last page once the total is known)."""
        last = self._last_page()
        self._show(max(1, min(page, last) if last is not None else page))

    def sort(self, column: str, *, descending: bool = False) -> None:
        """Order by ``column`` in the database ("" = primary key) and show the first page.

        Raises
        ------
        DataJointError
            ``column`` is not shown, or is a blob-like column (those are never fetched).
        """
        by_name = {c["name"]: c for c in self.columns}
        if column and column not in by_name:
            raise DataJointError(f"Cannot sort by {column!r}: expected one of {', '.join(by_name)}.")
        if column and by_name[column]["placeholder"] is not None:
            raise DataJointError(f"Cannot sort by {column!r}: it holds {by_name[column]['placeholder']} values, "
                                 "which previews do not fetch. Sort by another column.")
        with self.hold_sync():
            self.sort_column, self.sort_descending = column, descending
            self.order_by = order_terms(column, descending, list(self._expr.primary_key))
        self._show(1)

    # ------------------------------------------------------------------ fetching
    def _last_page(self) -> int | None:
        if self.total is None or self.total_capped:
            return None
        return max(1, -(-self.total // self.page_size))

    def _show(self, page: int) -> None:
        self.loading = True
        try:
            rows, more = fetch_page(self._expr, page=page, page_size=self.page_size,
                                    order_by=list(self.order_by))
        except DataJointError as exc:
            with self.hold_sync():
                self.error, self.loading = str(exc), False
            return
        with self.hold_sync():
            self.rows, self.page, self.has_next, self.error, self.loading = rows, page, more, "", False

    def _count(self) -> None:
        """Count the rows (capped) in the counting thread, on its own driver connection."""
        try:
            n = self._expr.count(cap=self._count_cap)
        except Exception as exc:  # shown in the widget: a failed count must not end the thread loudly
            logger.debug("Counting the rows of a preview failed", exc_info=True)
            self.error = f"Could not count the rows: {exc}"
            return
        with self.hold_sync():
            self.total_capped = n > self._count_cap
            self.total = min(n, self._count_cap)

    def wait_for_total(self, timeout: float | None = None) -> int | None:
        """Block until the count has arrived (or ``timeout`` seconds passed); returns :attr:`total`."""
        try:
            self._counter.result(timeout)
        except FutureTimeout:
            pass
        return self.total

    # ------------------------------------------------------------------ static renderings
    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        """The widget, plus HTML and text renderings of the page shown (for viewers without a kernel).

        The static renderings carry the row count when it arrives within ``STATIC_COUNT_WAIT``
        seconds (capped counts usually do); a slower count is left out of them.
        """
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        self.wait_for_total(STATIC_COUNT_WAIT)
        data, metadata = bundle
        state = {"more": self.has_next, "total": self.total, "capped": self.total_capped}
        data["text/html"] = static_html(self.columns, self.rows, **state)
        data["text/plain"] = static_text(self.columns, self.rows, **state)
        return data, metadata
