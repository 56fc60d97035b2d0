"""``LeanAnyWidget`` sends the front end what ``anywidget.AnyWidget`` sends, without its per-instance work.

No database: small widgets declared here, compared with the same widget built on
``anywidget.AnyWidget``.  The messages are those a kernel would publish
(:mod:`tests.jupyter.widget_comms`).
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import anywidget
import ipywidgets
import pytest
import traitlets as t
from ipywidgets import Layout

from dj_jupyter.jupyter.widgets.lean import LeanAnyWidget, asset
from tests.jupyter.widget_comms import published  # noqa: F401  (fixture)

FILES = Path(__file__).parents[2] / "dj_jupyter" / "jupyter" / "widgets"
ESM, CSS = FILES / "preview.js", FILES / "preview.css"


class Counter(LeanAnyWidget):
    _esm = asset(ESM)
    _css = asset(CSS)
    value = t.Int(0).tag(sync=True)
    label = t.Unicode("").tag(sync=True)


def reference_class() -> type:
    """``Counter`` as a plain AnyWidget, with the same module and name (so the same ``_anywidget_id``)."""
    return type("Counter", (anywidget.AnyWidget,), {
        "__module__": Counter.__module__, "_esm": ESM, "_css": CSS,
        "value": t.Int(0).tag(sync=True), "label": t.Unicode("").tag(sync=True)})


def opened(log: list) -> list[dict]:
    return [data["state"] for kind, _, data in log if kind == "comm_open"]


def test_state_sent_at_construction_is_anywidgets_with_no_layout_yet(published):  # noqa: F811
    reference = reference_class()(value=3, label="x")
    expected = opened(published)
    assert len(expected) == 2 and expected[0]["_model_name"] == "LayoutModel"  # anywidget: a Layout, then the widget
    published.clear()
    w = Counter(value=3, label="x")
    (state,) = opened(published)  # one comm, no Layout widget
    assert type(w) is Counter  # no subclass per instance
    assert state["layout"] is None and expected[1]["layout"].startswith("IPY_MODEL_")
    del state["layout"], expected[1]["layout"]
    assert state == expected[1]
    assert state["_esm"] == ESM.read_text(encoding="utf-8") and state["_css"] == CSS.read_text(encoding="utf-8")
    assert state["_anywidget_id"] == f"{Counter.__module__}.Counter"
    assert sorted(w.keys) == sorted(set(reference.keys))  # each once (anywidget lists its own three twice)
    assert [kind for kind, _, _ in published] == ["comm_open"]  # nothing else at construction
    w.close()
    reference.close()


def test_layout_is_made_and_sent_on_first_use(published):  # noqa: F811
    w = Counter()
    assert not w.trait_has_value("layout") and w.get_state("layout") == {"layout": None}
    published.clear()
    w.layout.width = "50%"  # as users style any widget
    assert isinstance(w.layout, Layout) and w.layout.width == "50%"
    model = f"IPY_MODEL_{w.layout.model_id}"
    assert w.get_state()["layout"] == model
    kinds = [(kind, data.get("state", {}).get("_model_name") or data.get("state")) for kind, _, data in published]
    assert kinds[0] == ("comm_open", "LayoutModel")
    assert ("comm_msg", {"layout": model}) in [(k, d.get("state")) for k, _, d in published]
    assert any(d.get("state") == {"width": "50%"} for _, comm_id, d in published if comm_id == w.layout.model_id)
    w.close()


def test_showing_sends_the_layout_before_the_bundle(published):  # noqa: F811
    """anywidget's views take the layout the model has when they are drawn: it must be there before the display."""
    w = Counter()
    published.clear()
    data, _ = w._repr_mimebundle_()
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == w.model_id
    (open_kind, layout_id, layout_open), (update_kind, widget_id, update) = published
    assert open_kind == "comm_open" and layout_open["state"]["_model_name"] == "LayoutModel"
    assert update_kind == "comm_msg" and widget_id == w.model_id and layout_id == w.layout.model_id
    assert update["state"] == {"layout": f"IPY_MODEL_{layout_id}"}
    w._repr_mimebundle_()
    assert len(published) == 2  # shown again: the same layout


def test_layout_given_or_assigned_is_sent_as_usual(published):  # noqa: F811
    given = Layout(height="10em")
    w = Counter(layout=given)
    assert opened(published)[-1]["layout"] == f"IPY_MODEL_{given.model_id}"
    other = Layout(width="1px")
    w.layout = other
    assert published[-1][2]["state"] == {"layout": f"IPY_MODEL_{other.model_id}"}
    with w.hold_sync():  # several keys at once, as a set
        w.value, w.label = 5, "five"
    assert published[-1][2]["state"] == {"value": 5, "label": "five"}


def test_get_state_keys_and_defaults():
    w = Counter(value=2)
    assert w.get_state(["value", "layout"]) == {"value": 2, "layout": None}
    assert "layout" not in w.get_state(drop_defaults=True) and w.get_state(drop_defaults=True)["value"] == 2
    with pytest.raises(ValueError, match="key must be"):
        w.get_state(3)
    assert not w.trait_has_value("layout")  # none of that made a layout


def test_whole_state_is_what_ipywidgets_computes():
    w = Counter(value=7, label="seven")
    own = ipywidgets.DOMWidget.get_state(w, [k for k in w.keys if k != "layout"])  # ipywidgets' code
    assert w.get_state() == {**own, "layout": None}
    w.layout.width = "2px"
    assert w.get_state() == ipywidgets.DOMWidget.get_state(w)
    assert w.get_state()["layout"] == f"IPY_MODEL_{w.layout.model_id}"


def test_other_traits_are_still_added_per_instance(published):  # noqa: F811
    w = Counter()
    w.add_traits(extra=t.Unicode("e").tag(sync=True))
    assert w.extra == "e" and "extra" in w.keys and isinstance(w, Counter)
    w.extra = "f"
    assert published[-1][2]["state"] == {"extra": "f"}


class Echo(Counter):
    def _on_front_end_message(self, content, buffers):
        self.label = content["say"]


def test_front_end_messages_reach_the_widget_and_on_msg_callbacks():
    w = Echo()
    w._handle_custom_msg({"say": "hi"}, [])  # what ipywidgets calls for each model.send(...) of the front end
    assert w.label == "hi" and not w.trait_has_value("_msg_callbacks")  # no dispatcher made for that
    heard = []
    w.on_msg(lambda widget, content, buffers: heard.append((widget, content)))
    w._handle_custom_msg({"say": "again"}, [])
    assert w.label == "again" and heard == [(w, {"say": "again"})]


def test_a_closed_widget_is_released():
    w = Counter(value=1)
    ref = weakref.ref(w)
    w.close()
    del w
    gc.collect()
    assert ref() is None  # anywidget's file-watch signal holds on to every AnyWidget of a class with file assets


def test_close_closes_the_layout_it_made_but_not_a_given_one():
    made = Counter()
    own = made.layout
    model_id = own.model_id
    assert own.comm is not None and model_id in ipywidgets.Widget.widgets
    made.close()
    assert own.comm is None and model_id not in ipywidgets.Widget.widgets

    shared = Layout(width="10px")
    first, second = Counter(layout=shared), Counter()
    second.layout = shared
    first.close()
    second.close()
    assert shared.comm is not None and shared.width == "10px"  # others may still show it
    shared.close()


def test_asset_is_a_synced_trait_or_the_path_under_hot_reload(monkeypatch):
    trait = asset(ESM)
    assert isinstance(trait, t.Unicode) and trait.metadata["sync"] and trait.default_value.startswith("//")
    monkeypatch.setenv("ANYWIDGET_HMR", "1")
    assert asset(ESM) == ESM  # anywidget then watches the file
