"""The visual grammar of diagrams: shape and colours per tier, edge colours (spec §9.2).

Light colours are DataJoint's (fill / stroke / text); the dark palette keeps each
tier's hue on a dark background.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EDGE", "PALETTES", "SHAPES", "Colors", "css_class", "shape_of"]


@dataclass(frozen=True)
class Colors:
    fill: str
    stroke: str
    text: str


# shape per tier: box = rounded box, ellipse, part = small rounded box, circle, box3d
SHAPES = {"Manual": "box", "Lookup": "box", "Imported": "ellipse", "Computed": "ellipse", "Part": "part",
          "collapsed": "box3d", None: "circle"}

PALETTES: dict[str, dict[str | None, Colors]] = {
    "light": {
        "Manual": Colors("#E8F0E9", "#3E7A52", "#28513A"),
        "Lookup": Colors("#F0F0F1", "#808285", "#5A5C5F"),
        "Computed": Colors("#FFEDE5", "#FF5113", "#B23200"),
        "Imported": Colors("#E0F4FC", "#00A0DF", "#00537A"),
        "Part": Colors("#FFFFFF", "#A0A2A5", "#4A4C4F"),
        "collapsed": Colors("#F7F7F8", "#6D6F72", "#3C3E41"),
        None: Colors("#FFFFFF", "#9A9A9A", "#555555"),
    },
    "dark": {
        "Manual": Colors("#1E3327", "#6FBF8A", "#CDE8D5"),
        "Lookup": Colors("#2B2C2E", "#A3A5A8", "#DADBDD"),
        "Computed": Colors("#3B1E12", "#FF7A45", "#FFD3C0"),
        "Imported": Colors("#0F2B37", "#3FC3F2", "#C2EBFA"),
        "Part": Colors("#222326", "#85878B", "#D2D3D6"),
        "collapsed": Colors("#26272A", "#9C9EA2", "#E0E1E3"),
        None: Colors("#222222", "#8A8A8A", "#CCCCCC"),
    },
}

# edges: ordinary, renamed foreign key (amber), cluster border and label
EDGE = {
    "light": {"edge": "#6B6D70", "renamed": "#E69F00", "cluster": "#A9ABAE", "cluster_text": "#6B6D70",
              "group": "#F2F2F3", "background": "#FFFFFF"},
    "dark": {"edge": "#A6A8AB", "renamed": "#FFB52E", "cluster": "#5E6064", "cluster_text": "#A6A8AB",
             "group": "#2A2B2E", "background": "#1B1C1E"},
}


def shape_of(tier: str | None) -> str:
    """Node shape of a tier (``circle`` for unknown tiers)."""
    return SHAPES.get(tier, "circle")


def css_class(tier: str | None) -> str:
    """CSS class of a tier's nodes: ``dj-manual``, ``dj-part``, ``dj-unknown``..."""
    return f"dj-{(tier or 'unknown').lower()}"
