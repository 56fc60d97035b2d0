"""The diagram as the widget draws it: graph data plus coordinates, and graph walks (no widget code here).

:func:`widget_graph` merges :meth:`Diagram.graph_data` with the layered layout into
one JSON-able dict: each node gets its box and shape, each edge its route and a
sideways offset (parallel foreign keys drawn apart), each cluster its box; the tier
palettes travel along so the front end styles nodes as the SVG rendering does.
"""

from __future__ import annotations

from collections import deque

from ...diagram.palette import EDGE, PALETTES, shape_of
from ...diagram.render import edge_bends, layout_of

__all__ = ["ancestors", "descendants", "widget_graph"]


def _palettes() -> dict:
    return {theme: {"tiers": {(tier or "unknown"): {"fill": c.fill, "stroke": c.stroke, "text": c.text}
                              for tier, c in colors.items()},
                    "edges": dict(EDGE[theme])}
            for theme, colors in PALETTES.items()}


def widget_graph(data: dict) -> dict:
    """Graph data (from ``Diagram.graph_data``) with coordinates, ready for the widget.

    Returns
    -------
    dict
        ``direction``, ``width``, ``height``; ``nodes`` (graph-data fields plus ``x``,
        ``y`` (centre), ``width``, ``height``, ``shape``, ``layer``); ``edges`` (plus
        ``points`` and ``bend``); ``clusters`` (plus ``box``: ``x``, ``y``, ``width``,
        ``height``, or None); ``palettes``: ``light``/``dark`` -> ``tiers`` and ``edges`` colours.
    """
    lay = layout_of(data)
    nodes = []
    for node in data["nodes"]:
        box = lay.boxes[node["id"]]
        nodes.append({**node, "x": box.x, "y": box.y, "width": box.width, "height": box.height,
                      "shape": shape_of(node["tier"]), "layer": lay.layers.get(node["id"], 0),
                      "tier": node["tier"] or "unknown"})
    edges = [{**e, "points": [list(p) for p in lay.routes[(e["parent"], e["child"])]], "bend": bend}
             for e, bend in zip(data["edges"], edge_bends(data["edges"]))]
    clusters = []
    for cluster in data["clusters"]:
        box = lay.clusters.get(cluster["id"])
        clusters.append({**cluster, "box": None if box is None else
                         {"x": box.left, "y": box.top, "width": box.width, "height": box.height}})
    return {"direction": lay.direction, "width": max(lay.width, 40.0), "height": max(lay.height, 40.0),
            "nodes": nodes, "edges": edges, "clusters": clusters, "palettes": _palettes()}


def _walk(start: str, edges: list[dict], forward: bool) -> list[str]:
    step: dict[str, list[str]] = {}
    for e in edges:
        a, b = (e["parent"], e["child"]) if forward else (e["child"], e["parent"])
        step.setdefault(a, []).append(b)
    seen: dict[str, None] = {}
    queue = deque(step.get(start, []))
    while queue:
        n = queue.popleft()
        if n in seen or n == start:
            continue
        seen[n] = None
        queue.extend(step.get(n, []))
    return list(seen)


def ancestors(node: str, edges: list[dict]) -> list[str]:
    """Ids of the shown tables upstream of ``node`` (nearest first)."""
    return _walk(node, edges, forward=False)


def descendants(node: str, edges: list[dict]) -> list[str]:
    """Ids of the shown tables downstream of ``node`` (nearest first)."""
    return _walk(node, edges, forward=True)
