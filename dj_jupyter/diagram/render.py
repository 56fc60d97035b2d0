"""Drawing a diagram: standalone SVG (no Graphviz), Mermaid text, and saving to files.

:func:`svg_from_data` turns the plain graph description of
:meth:`Diagram.graph_data` into SVG text, laid out by :mod:`.layout`.  The SVG uses
presentation attributes for the light (or dark) palette; theme ``auto`` adds a
``prefers-color-scheme: dark`` style block that overrides them, so the same file reads
well in dark notebooks and on GitHub.  :class:`DiagramRendering` gives ``Diagram`` its
DataJoint rendering methods.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ..errors import DataJointError, UnsupportedError
from ..settings import config
from .layout import Box, Layout, layered_layout, node_size
from .mermaid import mermaid_from_data
from .palette import EDGE, PALETTES, css_class, shape_of

__all__ = ["SVG", "DiagramRendering", "layout_of", "svg_from_data"]

FONT = "Helvetica, Arial, sans-serif"
THEMES = ("auto", "light", "dark")


class SVG:
    """SVG text that notebooks display (the same protocol as ``IPython.display.SVG``)."""

    def __init__(self, data: str) -> None:
        self.data = data

    def _repr_svg_(self) -> str:
        return self.data

    def __str__(self) -> str:
        return self.data


def layout_of(data: dict) -> Layout:
    """Lay out the nodes and edges of graph data (direction from the data)."""
    sizes = {n["id"]: node_size(n["label"], shape_of(n["tier"])) for n in data["nodes"]}
    return layered_layout([n["id"] for n in data["nodes"]], [(e["parent"], e["child"]) for e in data["edges"]],
                          sizes=sizes, clusters={n["id"]: n["schema"] for n in data["nodes"]},
                          direction=data["direction"])


def svg_from_data(data: dict, *, theme: str = "auto") -> str:
    """Standalone SVG text of graph data.

    Parameters
    ----------
    data : dict
        From :meth:`Diagram.graph_data`.
    theme : {"auto", "light", "dark"}
        ``auto`` draws the light palette and switches to the dark one when the viewer
        prefers a dark colour scheme.
    """
    if theme not in THEMES:
        raise DataJointError(f"Diagram theme must be one of {', '.join(THEMES)}; got {theme!r}.")
    lay = layout_of(data)
    palette = "dark" if theme == "dark" else "light"
    width, height = max(lay.width, 40.0), max(lay.height, 40.0)
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="dj-diagram" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}">'),
           f"<style>{_dark_css() if theme == 'auto' else ''}</style>"]
    out += _clusters_svg(data, lay, palette)
    out += _groups_svg(data, lay, palette)
    out += [_edge_svg(e, lay, palette, bend) for e, bend in zip(data["edges"], edge_bends(data["edges"]))]
    out += [_node_svg(n, lay.boxes[n["id"]], palette) for n in data["nodes"]]
    out.append("</svg>")
    return "\n".join(out)


# --------------------------------------------------------------------------- pieces


def _clusters_svg(data: dict, lay: Layout, palette: str) -> list[str]:
    colors = EDGE[palette]
    out = []
    for cluster in data["clusters"]:
        box = lay.clusters.get(cluster["id"])
        if box is None:
            continue
        out.append(
            f'<g class="dj-cluster" data-schema={quoteattr(cluster["id"])}>'
            f'<rect class="dj-cluster-box" x="{box.left:.1f}" y="{box.top:.1f}" width="{box.width:.1f}" '
            f'height="{box.height:.1f}" rx="10" fill="none" stroke="{colors["cluster"]}" stroke-dasharray="6,4"/>'
            f'<text class="dj-cluster-label" x="{box.right - 8:.1f}" y="{box.top + 15:.1f}" text-anchor="end" '
            f'font-size="11" fill="{colors["cluster_text"]}">{escape(cluster["label"])}</text></g>')
    return out


def _groups_svg(data: dict, lay: Layout, palette: str) -> list[str]:
    """A shaded box behind each master and its parts, where it covers no other table."""
    out = []
    for cluster in data["clusters"]:
        for members in cluster["groups"]:
            boxes = [lay.boxes[m] for m in members]
            pad = 6.0
            left, right = min(b.left for b in boxes) - pad, max(b.right for b in boxes) + pad
            top, bottom = min(b.top for b in boxes) - pad, max(b.bottom for b in boxes) + pad
            shade = Box((left + right) / 2, (top + bottom) / 2, right - left, bottom - top)
            # clusters lie in bands apart from each other: only the tables of the same schema can be covered
            others = [lay.boxes[n] for n in cluster["nodes"] if n not in members and n in lay.boxes]
            if any(shade.overlaps(b) for b in others):
                continue
            out.append(f'<rect class="dj-group" data-master={quoteattr(members[0])} x="{left:.1f}" y="{top:.1f}" '
                       f'width="{shade.width:.1f}" height="{shade.height:.1f}" rx="8" fill="{EDGE[palette]["group"]}"/>')
    return out


PARALLEL_GAP = 7.0  # px between parallel edges of the same two tables


def edge_bends(edges: list[dict]) -> list[float]:
    """Sideways offset of each edge, so that parallel foreign keys between two tables stay apart."""
    count: dict[tuple[str, str], int] = {}
    for e in edges:
        count[(e["parent"], e["child"])] = count.get((e["parent"], e["child"]), 0) + 1
    seen: dict[tuple[str, str], int] = {}
    out = []
    for e in edges:
        pair = (e["parent"], e["child"])
        k = seen[pair] = seen.get(pair, -1) + 1
        out.append((k - (count[pair] - 1) / 2) * PARALLEL_GAP)
    return out


def _edge_svg(edge: dict, lay: Layout, palette: str, bend: float = 0.0) -> str:
    colors = EDGE[palette]
    points = lay.routes[(edge["parent"], edge["child"])]
    classes = ["dj-edge"]
    width = 1.2 if edge["bundle"] else 2.0 if edge["one_to_one"] else 0.75
    attrs = f'fill="none" stroke-width="{width}"'
    if not edge["primary"] and not edge["bundle"]:
        classes.append("dj-secondary")
        attrs += ' stroke-dasharray="5,3"'
    title = ""
    if edge["renamed"]:
        classes.append("dj-renamed")
        stroke = colors["renamed"]
        renames = ", ".join(f"{c} \u2190 {p}" for c, p in edge["renames"].items())
        title = f"<title>renamed foreign key: {escape(renames)}</title>"
    else:
        stroke = colors["edge"]
    if edge["bundle"]:
        classes.append("dj-bundle")
    return (f'<g class="{" ".join(classes)}" data-parent={quoteattr(edge["parent"])} '
            f'data-child={quoteattr(edge["child"])}>{title}'
            f'<path d="{_curve(points, lay.direction, bend)}" stroke="{stroke}" {attrs}/></g>')


def _curve(points: list[tuple[float, float]], direction: str, bend: float = 0.0) -> str:
    """Smooth path through the route points, leaving and entering along the layer axis.

    ``bend`` shifts the inner points (and control points) sideways, ends stay put.
    """
    (x0, y0), rest = points[0], points[1:]
    d = [f"M{x0:.1f},{y0:.1f}"]
    last = len(rest) - 1
    for i, (x1, y1) in enumerate(rest):
        if direction == "LR":
            y1 += bend if i < last else 0.0
            mid = (x0 + x1) / 2
            d.append(f"C{mid:.1f},{y0 + bend * (i == 0):.1f} {mid:.1f},{y1 + bend * (i == last):.1f} {x1:.1f},{y1:.1f}")
        else:
            x1 += bend if i < last else 0.0
            mid = (y0 + y1) / 2
            d.append(f"C{x0 + bend * (i == 0):.1f},{mid:.1f} {x1 + bend * (i == last):.1f},{mid:.1f} {x1:.1f},{y1:.1f}")
        x0, y0 = x1, y1
    return " ".join(d)


def _node_svg(node: dict, box: Box, palette: str) -> str:
    colors = PALETTES[palette].get(node["tier"], PALETTES[palette][None])
    shape = shape_of(node["tier"])
    paint = f'class="dj-shape" fill="{colors.fill}" stroke="{colors.stroke}" stroke-width="1.2"'
    title = node["definition"] or (("\n".join(node["tables"])) if node["collapsed"] else node["label"])
    text_x, anchor, size = box.x, "middle", 10 if shape == "part" else 12
    if shape == "ellipse":
        drawn = f'<ellipse {paint} cx="{box.x:.1f}" cy="{box.y:.1f}" rx="{box.width / 2:.1f}" ry="{box.height / 2:.1f}"/>'
    elif shape == "circle":
        drawn = f'<circle {paint} cx="{box.left + 8:.1f}" cy="{box.y:.1f}" r="6"/>'
        text_x, anchor = box.left + 18, "start"
    elif shape == "box3d":
        back = (f'<rect class="dj-shape" fill="{colors.fill}" stroke="{colors.stroke}" x="{box.left + 4:.1f}" '
                f'y="{box.top - 2:.1f}" width="{box.width - 6:.1f}" height="{box.height - 4:.1f}"/>')
        drawn = back + _rect(paint, box, dx=-2, dy=2, radius=0)
    else:
        drawn = _rect(paint, box, radius=5 if shape == "part" else 8)
    underline = ' text-decoration="underline"' if node["introduces_key"] else ""
    return (f'<g class="dj-node {css_class(node["tier"])}" data-table={quoteattr(node["id"])}>'
            f"<title>{escape(title)}</title>{drawn}"
            f'<text class="dj-label" x="{text_x:.1f}" y="{box.y:.1f}" text-anchor="{anchor}" dy="0.35em" '
            f'font-size="{size}" fill="{colors.text}"{underline}>{escape(node["label"])}</text></g>')


def _rect(paint: str, box: Box, *, dx: float = 0.0, dy: float = 0.0, radius: float = 8) -> str:
    inset = 2 if dx or dy else 0  # the front face of a 3-D box leaves room for its back face
    return (f'<rect {paint} x="{box.left + dx:.1f}" y="{box.top + dy:.1f}" width="{box.width - inset * 2:.1f}" '
            f'height="{box.height - inset * 2:.1f}" rx="{radius}"/>')


def _dark_css() -> str:
    rules = []
    for tier, c in PALETTES["dark"].items():
        cls = css_class(tier)
        rules.append(f".{cls} .dj-shape{{fill:{c.fill};stroke:{c.stroke}}} .{cls} .dj-label{{fill:{c.text}}}")
    e = EDGE["dark"]
    rules += [f".dj-edge path{{stroke:{e['edge']}}}", f".dj-edge.dj-renamed path{{stroke:{e['renamed']}}}",
              f".dj-cluster-box{{stroke:{e['cluster']}}}", f".dj-cluster-label{{fill:{e['cluster_text']}}}",
              f".dj-group{{fill:{e['group']}}}"]
    return "@media (prefers-color-scheme: dark) {" + " ".join(rules) + "}"


# --------------------------------------------------------------------------- Diagram methods


class DiagramRendering:
    """Rendering methods of ``dj.Diagram`` (DataJoint names); ``graph_data()`` comes from the diagram."""

    def graph_data(self, *, direction: str | None = None, definitions: bool = True) -> dict:  # pragma: no cover
        raise NotImplementedError

    def layout(self, *, direction: str | None = None) -> Layout:
        """Positions of the shown tables, their edges and schema clusters."""
        return layout_of(self.graph_data(direction=direction, definitions=False))

    def svg_string(self, *, theme: str | None = None, direction: str | None = None) -> str:
        """The diagram as standalone SVG text (no Graphviz needed).

        Parameters
        ----------
        theme : {"auto", "light", "dark"}, optional
            Defaults to ``dj.config["display.diagram_theme"]``.
        direction : {"LR", "TB"}, optional
            Defaults to ``dj.config["display.diagram_direction"]``.
        """
        return svg_from_data(self.graph_data(direction=direction), theme=theme or _theme())

    def make_svg(self, *, theme: str | None = None, direction: str | None = None) -> SVG:
        """The diagram as an :class:`SVG` object that notebooks display."""
        return SVG(self.svg_string(theme=theme, direction=direction))

    def _repr_svg_(self) -> str:
        return self.svg_string()

    def make_mermaid(self, *, direction: str | None = None) -> str:
        """The diagram as Mermaid ``flowchart`` text (renders on GitHub and in Markdown)."""
        return mermaid_from_data(self.graph_data(direction=direction, definitions=False))

    def save(self, filename: str | Path, format: str | None = None) -> None:
        """Write the diagram to ``filename``: ``.svg``, or ``.mmd`` / ``.mermaid`` for Mermaid text.

        ``format`` ("svg", "mermaid") overrides the extension.
        """
        kind = (format or Path(filename).suffix.lstrip(".")).lower()
        if kind in ("mmd", "mermaid"):
            Path(filename).write_text(self.make_mermaid(), encoding="utf-8")
        elif kind == "svg":
            Path(filename).write_text(self.svg_string(), encoding="utf-8")
        elif kind == "png":
            self.make_png()
        else:
            raise DataJointError(
                f"Cannot save a diagram as {kind or 'a file without extension'!r} ({filename}): use a .svg, .mmd or "
                ".mermaid file name, or format='svg' / 'mermaid'.")

    def make_png(self):
        """Not available: dj_jupyter draws diagrams without Graphviz; use SVG."""
        raise UnsupportedError(
            "PNG diagrams are not available: dj_jupyter draws diagrams without Graphviz. Use d.svg_string(), "
            "d.save('pipeline.svg') or d.make_mermaid() instead (browsers and Jupyter display SVG directly).")

    def make_image(self):
        """Not available (see :meth:`make_png`)."""
        return self.make_png()

    def draw(self):
        """Not available (see :meth:`make_png`): display the diagram itself, or its SVG."""
        return self.make_png()

    def make_dot(self, theme: str | None = None):
        """Not available: dj_jupyter needs no pydot/Graphviz; use :meth:`svg_string` or :meth:`make_mermaid`."""
        raise UnsupportedError("make_dot needs pydot and Graphviz, which dj_jupyter does not use; "
                               "use d.svg_string() or d.make_mermaid().")


def _theme() -> str:
    return str(config["display.diagram_theme"]).lower()
