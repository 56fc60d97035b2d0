"""``LeanAnyWidget``: an anywidget whose construction does per class what anywidget and ipywidgets do per instance.

Constructing an ``anywidget.AnyWidget`` (anywidget 0.11, ipywidgets 8.1, traitlets 5.15) costs
0.6-1 ms beyond setting its own traits, most of it work that does not depend on the instance:

* anywidget adds its ``_esm``, ``_css`` and ``_anywidget_id`` traits to every instance with
  ``add_traits``, which makes a new subclass per instance (traitlets then sets that class up
  and anywidget scans it for commands), computes the state of each trait once more, and
  connects each instance to the class's file-watch signal, which keeps every instance (and
  the data it holds) alive after ``close()``;
* ipywidgets' ``DOMWidget`` gives every instance a ``Layout`` widget of its own (a second
  model and comm) whether or not anything styles it.

A ``LeanAnyWidget`` subclass declares its front end with :func:`asset` (synced traits on the
class, holding the files' text), so nothing is added per instance, and makes its ``layout``
when it is first shown (``_repr_mimebundle_``) or first read, whichever comes first.  Until
then the front end has ``layout: null``, which ipywidgets' views take as "no layout styles",
what a fresh ``Layout`` means too.  The layout must reach the front end before a view is
drawn (anywidget's views ignore a layout that arrives later), hence "when shown": a widget
shown only as a child of a container (``VBox([w])``) gets its layout when ``.layout`` is
first read, so read or set ``w.layout`` before showing the container if it is to be styled
later.  The whole synced state (the comm_open message) is computed from a per-class list of
the synced traits and their ``to_json``, and the front end's messages reach the subclass's
``_on_front_end_message`` without ``on_msg``'s per-instance dispatcher.  Everything else (colab setup, commands, the comm)
is still anywidget's and ipywidgets' own code; ``tests/jupyter/test_lean_widget.py`` checks
that the state sent is the one ``anywidget.AnyWidget`` sends.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

__all__ = ["LeanAnyWidget", "asset"]

# the traits AnyWidget.__init__ adds to every instance (anywidget's front-end protocol)
_ANYWIDGET_TRAITS = ("_esm", "_css", "_anywidget_id")


def _hot_reload() -> bool:
    return os.getenv("ANYWIDGET_HMR") == "1"


def asset(path: Path) -> Any:
    """A widget's front-end file (``_esm`` or ``_css``) as a class attribute.

    A synced ``Unicode`` trait whose default is the file's text, read once, when the class
    is defined.  With anywidget's hot reload on (``ANYWIDGET_HMR=1``, for working on the
    front end) it is the path itself, which anywidget then watches and reloads as usual
    (at anywidget's per-instance cost).
    """
    if _hot_reload():
        return path
    return t.Unicode(path.read_text(encoding="utf-8")).tag(sync=True)


class LeanAnyWidget(anywidget.AnyWidget):
    """An ``AnyWidget`` base class that is cheaper to construct (see the module docstring).

    Subclasses declare ``_esm = asset(path)`` and ``_css = asset(path)``; the rest is as for
    ``anywidget.AnyWidget``.  ``layout`` (ipywidgets' ``DOMWidget.layout``) reads, assigns and
    styles as usual; it is made when the widget is first shown or ``layout`` first read.
    """

    _anywidget_id = t.Unicode().tag(sync=True)
    # per class (reset by __init_subclass__): the synced trait names, and (name, to_json) of each for get_state
    _synced_keys: tuple[str, ...] = ()
    _state_plan: tuple[tuple[str, Any], ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._synced_keys = ()
        cls._state_plan = ()

    @t.default("_anywidget_id")
    def _default_anywidget_id(self) -> str:
        # what anywidget computes per instance: it names the class, so that the front end can swap its CSS
        return f"{type(self).__module__}.{type(self).__name__}"

    @t.default("keys")
    def _default_keys(self) -> list[str]:
        # ipywidgets lists the synced traits per instance; they are the same for every instance of a class
        cls = type(self)
        if not cls._synced_keys:
            cls._synced_keys = tuple(self.traits(sync=True))
        return list(cls._synced_keys)

    def add_traits(self, **traits: Any) -> None:
        """Add traits as ipywidgets does, except anywidget's own traits that this class already declares.

        ``AnyWidget.__init__`` adds ``_esm``, ``_css`` and ``_anywidget_id`` to each instance;
        where the class declares them, they only take the value anywidget gives them, so no
        subclass is made per instance.
        """
        cls = type(self)
        declared = {name: trait for name, trait in traits.items()
                    if name in _ANYWIDGET_TRAITS and isinstance(getattr(cls, name, None), t.Unicode)}
        for name, trait in declared.items():
            if getattr(self, name) != trait.default_value:
                setattr(self, name, trait.default_value)
        rest = {name: trait for name, trait in traits.items() if name not in declared}
        if rest:
            super().add_traits(**rest)

    # ------------------------------------------------------------------ messages from the front end
    def _handle_custom_msg(self, content: Any, buffers: Any) -> None:
        # ipywidgets calls this for each model.send(...) of the front end.  Subclasses take theirs in
        # _on_front_end_message, not through on_msg, which makes a CallbackDispatcher (a configurable object)
        # per instance; callbacks registered with on_msg still get every message.
        self._on_front_end_message(content, buffers)
        if self.trait_has_value("_msg_callbacks"):
            super()._handle_custom_msg(content, buffers)

    def _on_front_end_message(self, content: Any, buffers: Any) -> None:
        """Handle a custom message of the front end (``model.send(content)``); none by default."""

    # ------------------------------------------------------------------ a layout made on first use
    def get_state(self, key: Any = None, drop_defaults: bool = False) -> dict:
        """The synced state, as ipywidgets computes it; ``layout`` is None until the layout is made."""
        if key is None and not drop_defaults and tuple(self.keys) == type(self)._synced_keys:
            return self._whole_state()
        if self.trait_has_value("layout"):
            return super().get_state(key, drop_defaults)
        if key is None:
            keys = list(self.keys)
        elif isinstance(key, str):
            keys = [key]
        elif isinstance(key, Iterable):
            keys = list(key)
        else:
            return super().get_state(key, drop_defaults)  # ipywidgets' own error
        if "layout" not in keys:
            return super().get_state(keys, drop_defaults)
        state = super().get_state([k for k in keys if k != "layout"], drop_defaults)
        if not drop_defaults:
            state["layout"] = None
        return state

    def _whole_state(self) -> dict:
        # what ipywidgets' get_state() computes (each synced trait through its to_json), with the to_json of
        # each trait looked up once per class instead of once per trait per call: this is the comm_open state
        cls = type(self)
        if not cls._state_plan:
            cls._state_plan = tuple((name, self.trait_metadata(name, "to_json", self._trait_to_json))
                                    for name in cls._synced_keys)
        layout_made = self.trait_has_value("layout")
        return {name: to_json(getattr(self, name), self) if name != "layout" or layout_made else None
                for name, to_json in cls._state_plan}

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        # shown: the front end needs the layout in the model before the view exists (anywidget's views do not
        # take a layout that arrives after they are drawn, so a .layout first used later would style nothing)
        self.layout  # noqa: B018 - made by reading it
        return super()._repr_mimebundle_(**kwargs)

    @t.observe("layout", type="default")
    def _layout_made(self, change: dict) -> None:
        # the first read of .layout made it: the front end learns of it as of an assigned one
        self._own_layout = change["value"]
        self.send_state("layout")

    _own_layout: Any = None  # the layout this widget made itself (never one given to it, which others may share)

    def close(self) -> None:
        """Close the widget and the layout it made (ipywidgets leaves a widget's layout open, and registered)."""
        own, self._own_layout = self._own_layout, None
        super().close()
        if own is not None:
            own.close()
