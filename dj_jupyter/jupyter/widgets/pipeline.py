"""``PipelineView``: the diagram, a preview of the table clicked below it, and live populate status on the nodes.

Displaying a ``dj.Diagram`` in a notebook shows this view (see
:mod:`dj_jupyter.jupyter.display`).  Clicking a node previews that table's rows;
:meth:`PipelineView.refresh_status` paints each auto-populated table's status
(complete, pending keys, errors, running) from the database.  Once displayed, the
view re-reads that status every few seconds from a daemon thread (so keys reserved by
workers in other processes and on other hosts show up) until it closes or nothing has
run or changed for a while; :meth:`PipelineView.track` and
:meth:`PipelineView.populate_in_background` paint a background populate live.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import ipywidgets

from ...diagram.labels import Labeler
from ...errors import DataJointError
from ...populate.autopopulate import AutoPopulate
from ...populate.background import BackgroundPopulate, RunStatus
from ...schema.table import FreeTable
from .diagram import DiagramWidget
from .jobs import jobs_of
from .populate import PopulateWidget
from .polling import StatusPoller
from .preview import PreviewWidget

__all__ = ["PipelineView", "table_status"]

logger = logging.getLogger("dj_jupyter")


def table_status(table: Any) -> dict | None:
    """Populate status of an auto-populated table (class or instance); None for other tables.

    Returns
    -------
    dict or None
        ``state`` (``"complete"``, ``"pending"``, ``"running"`` or ``"error"``),
        ``done`` and ``total`` keys of the key source, ``pending`` keys, ``errors``
        and reserved (``running``) keys from the jobs table (0 when it does not exist).
    """
    table = table() if isinstance(table, type) else table
    if not isinstance(table, AutoPopulate):
        return None
    remaining, total = table.progress()
    counts = jobs_of(table).progress()  # all zeros when there is no jobs table: nothing is created
    return _status(done=total - remaining, total=total, errors=counts["error"], running=counts["reserved"] > 0)


def _status(*, done: int, total: int, errors: int, running: bool) -> dict:
    pending = max(total - done, 0)
    state = "running" if running else "error" if errors else "pending" if pending else "complete"
    return {"state": state, "done": done, "total": total, "pending": pending, "errors": errors, "running": running}


def _make_layout(widget: ipywidgets.DOMWidget) -> None:
    # A lean widget (see .lean) makes its Layout when first shown or when .layout is first read.  Shown as a child
    # of this box it is never shown itself, and its view ignores a layout that arrives after it is drawn: made now,
    # before it becomes a child, so that `view.preview.layout.width = ...` styles it later.
    widget.layout  # noqa: B018 - made by reading it


class PipelineView(ipywidgets.VBox):
    """A pipeline diagram with a preview of the selected table below it.

    Parameters
    ----------
    diagram : dj.Diagram
        The tables to show.
    page_size : int
        Rows per page of the previews.
    direction : {"LR", "TB"}, optional
        Layout direction (default from ``dj.config``).
    interval : float
        Seconds between status refreshes while polling (see :meth:`poll`).
    idle_rounds : int
        Polling stops after this many refreshes in a row with nothing running and nothing changed.

    Attributes
    ----------
    diagram_widget : DiagramWidget
        The drawing (its ``selected``, ``highlight`` and ``status`` traits).
    preview : PreviewWidget or None
        The preview of the selected table (its ``layout`` is made before it is shown, so it can be styled).
    poller : StatusPoller
        The periodic status refresh (``poller.running``).

    Examples
    --------
    >>> view = PipelineView(dj.Diagram(schema))                 # doctest: +SKIP
    >>> view.diagram_widget.select(f"{schema.database}.session")   # doctest: +SKIP
    >>> run = view.populate_in_background(Spikes)                # doctest: +SKIP
    """

    def __init__(self, diagram: Any, *, page_size: int = 10, direction: str | None = None, interval: float = 2.0,
                 idle_rounds: int = 15, **kwargs: Any) -> None:
        self.diagram_widget = DiagramWidget(diagram, direction=direction)
        _make_layout(self.diagram_widget)
        super().__init__(children=[self.diagram_widget], **kwargs)
        self.preview: PreviewWidget | None = None
        self.page_size = page_size
        self._diagram = diagram
        self._classes = Labeler(diagram.context).classes()
        self._nodes = {n["id"]: n for n in self.diagram_widget.graph["nodes"]}
        self._status_lock = threading.Lock()
        self._runs: dict[str, Any] = {}  # node -> BackgroundPopulate tracked by this view
        self.poller = StatusPoller(self._poll_once, diagram._connection, interval=interval, idle_rounds=idle_rounds,
                                   name="dj-pipeline-view")
        self.diagram_widget.observe(self._on_select, names="selected")

    # ------------------------------------------------------------------ tables of the nodes
    def table(self, node: str) -> Any:
        """The table drawn as ``node`` (``"schema.table"``): its class if the diagram's context has it, else a FreeTable.

        Raises
        ------
        DataJointError
            ``node`` is not a table of this diagram (or is a collapsed schema).
        """
        info = self._nodes.get(node)
        if info is None or info["collapsed"]:
            raise DataJointError(f"{node!r} is not a table of this diagram; expected one of: "
                                 f"{', '.join(n for n, i in self._nodes.items() if not i['collapsed'])}.")
        cls = self._classes.get((info["schema"], info["table"]))
        if cls is not None:
            return cls()
        # Diagram has no public accessor for its connection yet; it is set for every database-backed diagram
        return FreeTable(self._diagram._connection, node)

    def _on_select(self, change: dict) -> None:
        node = change["new"]
        info = self._nodes.get(node)
        if self.preview is not None:  # its comm (and count thread) would outlive it otherwise
            self.preview.close()
        if not node or info is None or info["collapsed"]:
            self.preview = None
            self.children = [self.diagram_widget]
            return
        try:
            self.preview = PreviewWidget(self.table(node), page_size=self.page_size)
        except DataJointError as exc:
            self.diagram_widget.error = f"Cannot preview {info['label']}: {exc}"
            self.preview = None
            self.children = [self.diagram_widget]
            return
        _make_layout(self.preview)
        self.children = [self.diagram_widget, self.preview]

    # ------------------------------------------------------------------ populate status
    def refresh_status(self) -> dict:
        """Read the populate status of every auto-populated table shown and paint it; returns it.

        A table with a background populate of this view still running is shown running
        (a direct-mode run leaves no trace in the jobs table).
        """
        status = {}
        for node, info in self._nodes.items():
            cls = self._classes.get((info["schema"], info["table"]))
            if cls is None or info["collapsed"]:
                continue
            try:
                entry = table_status(cls)
            except DataJointError as exc:
                logger.debug("No populate status for %s: %s", node, exc)
                continue
            if entry is not None:
                run = self._runs.get(node)
                if run is not None and run.running:
                    entry = _status(done=entry["done"], total=entry["total"], errors=entry["errors"], running=True)
                status[node] = entry
        with self._status_lock:
            self.diagram_widget.status = status
        return status

    def _set_status(self, node: str, entry: dict) -> None:
        with self._status_lock:
            self.diagram_widget.status = {**self.diagram_widget.status, node: entry}

    def track(self, run: Any) -> None:
        """Paint the progress of a background populate (a ``BackgroundPopulate`` or its widget) while it runs."""
        run = getattr(run, "run", run)  # a PopulateWidget shows a BackgroundPopulate
        table = run.table
        node = f"{table.database}.{table.table_name}"
        if node not in self._nodes:
            return
        self._runs[node] = run

        def update(status: RunStatus) -> None:
            if not status.finished:
                self._set_status(node, _status(done=status.done, total=status.total, errors=status.failed,
                                               running=True))
                return
            try:  # the run ended: the database has the last word (other workers may have helped)
                entry = table_status(table) or {}
            except DataJointError:
                entry = _status(done=status.done, total=status.total, errors=0, running=False)
            errors = max(entry.get("errors", 0), status.failed)
            self._set_status(node, _status(done=entry.get("done", status.done), total=entry.get("total", status.total),
                                           errors=errors, running=False))

        run.subscribe(update)
        update(run.status())
        self.poll()

    def populate_in_background(self, table: Any, *restrictions: Any, **kwargs: Any) -> PopulateWidget:
        """Like :func:`~dj_jupyter.jupyter.widgets.populate.populate_in_background`, with live status on the diagram."""
        kwargs.setdefault("suppress_errors", True)
        run = BackgroundPopulate(table, restrictions, kwargs, caller="populate_in_background()")
        self.track(run)
        return PopulateWidget(run.start())

    # ------------------------------------------------------------------ polling
    def poll(self) -> PipelineView:
        """Re-read the status every ``poller.interval`` seconds from a daemon thread, until closed or idle.

        Work of other processes and hosts (keys they reserve or finish) shows up this way.
        Displaying the view and :meth:`track` start it.
        """
        self.poller.start()
        return self

    def _poll_once(self) -> tuple[dict, bool]:
        status = self.refresh_status()
        return status, any(entry["running"] for entry in status.values())

    def close(self) -> None:
        """Stop polling and close the view, its diagram and its preview."""
        if hasattr(self, "poller"):  # not when __init__ failed
            self.poller.stop(wait=False)
        if getattr(self, "preview", None) is not None:
            self.preview.close()
        if getattr(self, "diagram_widget", None) is not None:  # its comm would keep it (and the graph) alive
            self.diagram_widget.close()
        super().close()

    # ------------------------------------------------------------------ static rendering
    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The view, plus the diagram's SVG for viewers without a kernel (GitHub, nbviewer)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        data["image/svg+xml"] = self.diagram_widget.svg()
        data["text/plain"] = repr(self._diagram)
        if self._classes:
            self.poll()  # a view on show keeps its status current
        return data, metadata
