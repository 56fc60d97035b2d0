"""Mermaid ``flowchart`` text of a diagram: renders on GitHub, in Markdown and in JupyterLab.

One ``classDef`` per tier (light palette), one ``subgraph`` per schema with each master
and its parts nested in an unlabeled sub-graph, and a ``linkStyle`` per edge (width for
one-to-one, amber for renamed foreign keys).  Secondary foreign keys are dotted links.
"""

from __future__ import annotations

from .palette import EDGE, PALETTES, shape_of

__all__ = ["mermaid_from_data"]

# Mermaid node shapes per diagram shape: (opening, closing)
_BRACKETS = {"box": ("(", ")"), "part": ("(", ")"), "ellipse": ("([", "])"), "circle": ("((", "))"),
             "box3d": ("[[", "]]")}


def mermaid_from_data(data: dict) -> str:
    """Mermaid flowchart text of graph data (from :meth:`Diagram.graph_data`).

    Examples
    --------
    >>> data = {"direction": "LR", "clusters": [], "edges": [], "nodes": []}
    >>> mermaid_from_data(data).splitlines()[0]
    'flowchart LR'
    """
    ids = {n["id"]: f"n{i}" for i, n in enumerate(data["nodes"])}
    nodes = {n["id"]: n for n in data["nodes"]}
    lines = [f"flowchart {data['direction']}"]
    lines += [f"    classDef {_class(tier)} fill:{c.fill},stroke:{c.stroke},color:{c.text}"
              for tier, c in PALETTES["light"].items()]
    for k, cluster in enumerate(data["clusters"]):
        lines.append(f'    subgraph s{k}["{_text(cluster["label"])}"]')
        grouped = {m for group in cluster["groups"] for m in group}
        for g, group in enumerate(cluster["groups"]):
            lines.append(f'        subgraph s{k}g{g}[" "]')
            lines += [f"            {_node(nodes[m], ids[m])}" for m in group]
            lines.append("        end")
        lines += [f"        {_node(nodes[m], ids[m])}" for m in cluster["nodes"] if m not in grouped]
        lines.append("    end")
    styles = []
    for i, e in enumerate(data["edges"]):
        link = "-.-" if not e["primary"] and not e["bundle"] else "---"
        lines.append(f"    {ids[e['parent']]} {link} {ids[e['child']]}")
        color = EDGE["light"]["renamed" if e["renamed"] else "edge"]
        width = 2 if e["one_to_one"] else 1
        styles.append(f"    linkStyle {i} stroke:{color},stroke-width:{width}px")
    return "\n".join(lines + styles) + "\n"


def _class(tier: str | None) -> str:
    return (tier or "unknown").lower()


def _node(node: dict, mid: str) -> str:
    opening, closing = _BRACKETS[shape_of(node["tier"])]
    label = _text(node["label"])
    if node["introduces_key"]:
        label = f"<u>{label}</u>"
    return f'{mid}{opening}"{label}"{closing}:::{_class(node["tier"])}'


def _text(text: str) -> str:
    """Escape what would end a quoted Mermaid label or open HTML."""
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
