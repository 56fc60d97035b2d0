"""``DiagramWidget``: the interactive pipeline diagram (zoom, pan, hover, click to select).

The kernel lays the graph out once (no Graphviz) and sends it as data; ``diagram.js``
draws it as SVG.  Clicking a node sends ``{"type": "select", "node": id}``; the kernel
sets :attr:`selected` and :attr:`highlight` (ancestors and descendants of the
selection).  :attr:`status` (per-table populate status) is painted on the nodes; the
:class:`~dj_jupyter.jupyter.widgets.pipeline.PipelineView` fills it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import traitlets as t

from ...diagram.render import svg_from_data
from ...errors import DataJointError
from ...settings import config
from .graph_view import ancestors, descendants, widget_graph
from .lean import LeanAnyWidget, asset
from .messages import parse_message

__all__ = ["DiagramWidget"]

HERE = Path(__file__).parent


class DiagramWidget(LeanAnyWidget):
    """An interactive view of a ``dj.Diagram``.

    Parameters
    ----------
    diagram : dj.Diagram
        The tables to draw (any selection: ``dj.Diagram(schema)``, ``dj.Diagram(T) - 1``...).
    direction : {"LR", "TB"}, optional
        Defaults to ``dj.config["display.diagram_direction"]``.

    Attributes
    ----------
    graph : dict
        Nodes, edges and clusters with coordinates (see
        :func:`~dj_jupyter.jupyter.widgets.graph_view.widget_graph`).
    selected : str
        Id (``"schema.table"``) of the selected node; "" when none.
    highlight : dict
        ``{"ancestors": [ids], "descendants": [ids]}`` of the selected node.
    status : dict
        Node id -> ``{"state": "complete" | "pending" | "running" | "error", "done",
        "total", "pending", "errors", "running"}`` for auto-populated tables.
    error : str
        The last error (a bad message); "" when none.
    layout : ipywidgets.Layout
        As for any widget; made when the widget is first shown or ``layout`` first read
        (see :mod:`.lean`: read it before showing the widget inside a container, to style it later).

    Examples
    --------
    >>> w = DiagramWidget(dj.Diagram(schema))          # doctest: +SKIP
    >>> w.select(w.graph["nodes"][0]["id"])            # doctest: +SKIP
    """

    _esm = asset(HERE / "diagram.js")
    _css = asset(HERE / "diagram.css")

    graph = t.Dict().tag(sync=True)
    selected = t.Unicode("").tag(sync=True)
    highlight = t.Dict({"ancestors": [], "descendants": []}).tag(sync=True)
    status = t.Dict().tag(sync=True)
    error = t.Unicode("").tag(sync=True)

    def __init__(self, diagram: Any, *, direction: str | None = None, **kwargs: Any) -> None:
        data = diagram.graph_data(direction=direction, definitions=True)
        super().__init__(graph=widget_graph(data), **kwargs)
        self._diagram = diagram
        self._data = data

    @property
    def diagram(self) -> Any:
        """The ``dj.Diagram`` drawn."""
        return self._diagram

    @property
    def node_ids(self) -> list[str]:
        """Ids of the nodes drawn, parents first."""
        return [n["id"] for n in self.graph["nodes"]]

    def _on_front_end_message(self, content: Any, _buffers: Any) -> None:
        try:
            self.select(parse_message(content, "select").node)
        except DataJointError as exc:
            self.error = str(exc)

    def select(self, node: str) -> None:
        """Select the node ``node`` (``"schema.table"``) and highlight its ancestors and descendants; "" clears.

        Raises
        ------
        DataJointError
            ``node`` is not drawn in this diagram.
        """
        if node and node not in self.node_ids:
            raise DataJointError(f"Table {node!r} is not in this diagram; expected one of: {', '.join(self.node_ids)}.")
        edges = self.graph["edges"]
        highlight = ({"ancestors": ancestors(node, edges), "descendants": descendants(node, edges)} if node
                     else {"ancestors": [], "descendants": []})
        with self.hold_sync():
            self.error = ""
            self.highlight = highlight
            self.selected = node

    def svg(self) -> str:
        """The diagram as standalone SVG (the static rendering of ``dj.Diagram``)."""
        return svg_from_data(self._data, theme=str(config["display.diagram_theme"]).lower())

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        """The widget, plus the SVG drawing for viewers without a kernel (GitHub, nbviewer)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        data["image/svg+xml"] = self.svg()
        data["text/plain"] = repr(self._diagram)
        return data, metadata
