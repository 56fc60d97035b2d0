"""Pipeline diagrams: which tables to show (graph), where to draw them (layout), SVG and Mermaid (render).

``dj.Diagram`` is imported lazily by ``dj_jupyter``; networkx is imported only by
``Diagram.to_networkx()``.
"""

from __future__ import annotations

from .graph import Diagram
from .layout import Layout, layered_layout
from .render import SVG

__all__ = ["SVG", "Diagram", "Layout", "layered_layout"]
