"""Checks shared by the widget tests: a lean widget opens its comm as anywidget would, and is released when closed.

The comm messages come from :mod:`tests.jupyter.widget_comms` (``published``); the
reference is the same widget's synced traits on a plain ``anywidget.AnyWidget``.
"""

from __future__ import annotations

import copy
import gc
import weakref
from pathlib import Path

import anywidget

from tests.jupyter.test_lean_widget import opened

__all__ = ["WIDGET_FILES", "anywidget_twin", "assert_opened_as_by_anywidget", "released"]

WIDGET_FILES = Path(__file__).parents[2] / "dj_jupyter" / "jupyter" / "widgets"


def anywidget_twin(cls: type, esm: Path, css: Path) -> type:
    """A plain ``anywidget.AnyWidget`` class with ``cls``'s own synced traits and the front end ``esm``/``css``.

    Same module and name as ``cls`` (so the same ``_anywidget_id``), none of its methods:
    constructed with the values of a ``cls`` widget, it sends what anywidget would send for it.
    """
    protocol = set(anywidget.AnyWidget.class_traits()) | {"_esm", "_css", "_anywidget_id"}
    own = {name: copy.deepcopy(trait) for name, trait in cls.class_traits(sync=True).items() if name not in protocol}
    return type(cls.__name__, (anywidget.AnyWidget,), {"__module__": cls.__module__, "_esm": esm, "_css": css, **own})


def assert_opened_as_by_anywidget(log: list, widget: anywidget.AnyWidget, esm: str, css: str) -> None:
    """``widget`` opened its comm with the state anywidget sends for the same values and files, but no layout yet.

    ``log`` is the ``published`` fixture's; ``esm`` and ``css`` name the front-end files beside the widgets.
    """
    (state,) = opened([m for m in log if m[1] == widget.model_id])
    twin_class = anywidget_twin(type(widget), WIDGET_FILES / esm, WIDGET_FILES / css)
    twin = twin_class(**{name: state[name] for name in twin_class.class_own_traits(sync=True)})
    (expected,) = opened([m for m in log if m[1] == twin.model_id])
    twin.close()
    assert state["layout"] is None and expected.pop("layout").startswith("IPY_MODEL_")
    assert {k: v for k, v in state.items() if k != "layout"} == expected
    assert state["_esm"] == (WIDGET_FILES / esm).read_text(encoding="utf-8")


def released(ref: weakref.ref) -> bool:
    """Whether the object behind ``ref`` is gone once the garbage is collected."""
    gc.collect()
    return ref() is None
