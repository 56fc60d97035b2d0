"""Kernel-side tests of the notebook widgets, with real queries on SQLite and MariaDB.

These drive each widget the way its front end does, by calling the handler of its
custom messages (``widget._handle_custom_msg(content, buffers)``, which anywidget's
comm calls for every ``model.send(...)``), and then assert on the widget's traits.
No browser is involved: what the ESM draws from those traits is checked by the
browser tests.  Servers come from ``tests/backends/conftest.py`` (an unreachable
server is skipped locally and fails in CI).
"""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path
from types import SimpleNamespace

import ipywidgets
import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

import dj_jupyter as dj
from dj_jupyter.jupyter.display import register_display, unregister_display
from dj_jupyter.jupyter.widgets import (
    DiagramWidget,
    JobsView,
    PipelineView,
    PopulateWidget,
    PreviewWidget,
    populate_in_background,
)
from tests.jupyter.anywidget_parity import assert_opened_as_by_anywidget, released
from tests.jupyter.widget_comms import published  # noqa: F401  (fixture)
from tests.source_out import declare_source_out

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
N_SUBJECTS = 37
N_BIG = 1500
PAGE = 5


def _load_matrix():
    path = Path(__file__).parents[1] / "backends" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_dj_backend_matrix_widgets", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_matrix = _load_matrix()


def send(widget, content: dict) -> None:
    """What the front end's ``model.send(content)`` does on the kernel side."""
    widget._handle_custom_msg(content, [])


def as_text(rows: list[dict], drop: tuple[str, ...] = ()) -> list[dict]:
    return [{k: str(v) for k, v in row.items() if k not in drop} for row in rows]


def wait_until(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the widget"
        time.sleep(0.01)


# ---------------------------------------------------------------------- one read-only pipeline per backend
@pytest.fixture(scope="module", params=["sqlite", "mysql"])
def backend(request, tmp_path_factory):
    _matrix.require_backend(request.param)
    conn = _matrix.make_connection(request.param, tmp_path_factory.mktemp(request.param))
    yield request.param, conn
    conn.close_all()


@pytest.fixture(scope="module")
def pipe(backend):
    backend_name, conn = backend
    name = _matrix.fresh_schema_name()
    schema = dj.Schema(name, connection=conn)

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32        # animal
        ---
        name : varchar(20)        # given name
        weight = null : float64
        notes = null : <blob>
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session_idx : uint8
        ---
        note = '' : varchar(40)
        """

    @schema
    class Tally(dj.Computed):
        definition = """
        -> Session
        ---
        n : int32
        """

        def make(self, key):
            self.insert1(dict(key, n=1))

    @schema
    class Big(dj.Manual):
        definition = """
        big_id : int32
        """

    Subject.insert([{"subject_id": i, "name": f"m{(i * 7) % 11:02d}", "weight": float(i % 5), "notes": [i] * 3}
                    for i in range(N_SUBJECTS)])
    Session.insert([{"subject_id": i, "session_idx": s, "note": f"s{s}"} for i in range(4) for s in range(3)])
    Big.insert([{"big_id": i} for i in range(N_BIG)])
    yield SimpleNamespace(schema=schema, Subject=Subject, Session=Session, Tally=Tally, Big=Big, conn=conn, name=name,
                          backend=backend_name, context=locals())
    _matrix.drop_schema(conn, name)


# ---------------------------------------------------------------------- PreviewWidget
def test_first_page_is_the_databases_first_page_without_blobs(pipe):
    w = PreviewWidget(pipe.Subject, page_size=PAGE)
    assert w.rows == as_text(pipe.Subject.to_dicts(limit=PAGE), drop=("notes",))
    assert [c["name"] for c in w.columns] == ["subject_id", "name", "weight", "notes"]
    by_name = {c["name"]: c for c in w.columns}
    assert by_name["notes"]["placeholder"] == "<blob>" and by_name["name"]["placeholder"] is None
    assert by_name["subject_id"]["is_key"] and not by_name["name"]["is_key"]
    assert by_name["name"]["comment"] == "given name"
    assert w.page == 1 and w.has_next and w.error == ""


def test_page_message_fetches_that_page(pipe):
    w = PreviewWidget(pipe.Subject, page_size=PAGE)
    send(w, {"type": "page", "page": 2})
    assert w.page == 2
    assert w.rows == as_text(pipe.Subject.to_dicts(limit=PAGE, offset=PAGE), drop=("notes",))
    assert w.wait_for_total(20) == N_SUBJECTS
    send(w, {"type": "page", "page": 99})  # beyond the end: the last page
    last = -(-N_SUBJECTS // PAGE)
    assert w.page == last and not w.has_next
    assert w.rows == as_text(pipe.Subject.to_dicts(limit=PAGE, offset=(last - 1) * PAGE), drop=("notes",))


def test_sort_message_orders_in_the_database(pipe):
    w = PreviewWidget(pipe.Subject, page_size=PAGE)
    send(w, {"type": "page", "page": 3})
    send(w, {"type": "sort", "column": "name", "descending": True})
    expected = pipe.Subject.to_dicts(order_by=["name DESC", "subject_id"], limit=PAGE)
    assert w.page == 1 and w.sort_column == "name" and w.sort_descending
    assert w.rows == as_text(expected, drop=("notes",))
    assert [r["name"] for r in w.rows] == sorted((r["name"] for r in w.rows), reverse=True)
    send(w, {"type": "page", "page": 2})  # paging keeps the order
    assert w.rows == as_text(pipe.Subject.to_dicts(order_by=["name DESC", "subject_id"], limit=PAGE, offset=PAGE),
                             drop=("notes",))
    send(w, {"type": "sort", "column": "weight", "descending": False})
    assert w.rows == as_text(pipe.Subject.to_dicts(order_by=["weight", "subject_id"], limit=PAGE), drop=("notes",))
    send(w, {"type": "sort", "column": "", "descending": False})  # back to the primary key
    assert w.rows == as_text(pipe.Subject.to_dicts(limit=PAGE), drop=("notes",))


def test_total_arrives_in_the_background(pipe):
    q = pipe.Subject & "subject_id > 10"
    w = PreviewWidget(q, page_size=PAGE)
    wait_until(lambda: w.total is not None)
    assert w.total == len(q) == N_SUBJECTS - 11 and not w.total_capped
    assert w.rows == as_text(q.to_dicts(limit=PAGE), drop=("notes",))


def test_total_is_capped_on_a_big_table(pipe):
    w = PreviewWidget(pipe.Big, page_size=PAGE, count_cap=1000)
    assert w.rows == as_text(pipe.Big.to_dicts(limit=PAGE))
    assert w.wait_for_total(20) == 1000 and w.total_capped
    send(w, {"type": "page", "page": 250})  # the total is only a lower bound: paging goes on past it
    assert w.page == 250 and w.rows == as_text(pipe.Big.to_dicts(limit=PAGE, offset=249 * PAGE))


def test_previews_of_query_results(pipe):
    q = (pipe.Subject * pipe.Session).proj("name", "note") & "session_idx < 2"
    w = PreviewWidget(q, page_size=4)
    assert w.rows == as_text(q.to_dicts(limit=4))
    assert w.wait_for_total(20) == len(q) == 8


def test_bad_messages_and_blob_sorting_are_reported_in_the_widget(pipe):
    w = PreviewWidget(pipe.Subject, page_size=PAGE)
    first = list(w.rows)
    send(w, {"type": "sort", "column": "notes"})
    assert "notes" in w.error and "<blob>" in w.error and w.rows == first
    send(w, {"type": "sort", "column": "nope"})
    assert "nope" in w.error and "subject_id" in w.error
    send(w, {"type": "page", "page": 0})
    assert "page" in w.error and ">= 1" in w.error
    send(w, {"type": "zoom"})
    assert "'page'" in w.error and "'sort'" in w.error
    send(w, {"type": "page", "page": 2})
    assert w.error == "" and w.page == 2


def test_preview_mimebundle_carries_static_html(pipe):
    w = PreviewWidget(pipe.Subject, page_size=PAGE)
    w.wait_for_total(20)
    data, _ = w._repr_mimebundle_()
    assert data[WIDGET_MIME]["model_id"] == w.model_id
    html = data["text/html"]
    assert html.count("<tr>") == PAGE + 1 + 1  # header, rows, "more" marker
    assert "&lt;blob&gt;" in html and f"Total: {N_SUBJECTS}" in html
    assert "*subject_id" in data["text/plain"]


def test_new_preview_opens_one_comm_with_its_first_page(pipe, published):
    w = PreviewWidget(pipe.Subject, page_size=PAGE)
    w.wait_for_total(20)
    # the widget's comm, then the count: no Layout widget (made when shown or .layout is used), no other update
    assert [(kind, comm_id) for kind, comm_id, _ in published] == [("comm_open", w.model_id), ("comm_msg", w.model_id)]
    state = published[0][2]["state"]
    assert type(w) is PreviewWidget
    assert state["rows"] == w.rows == as_text(pipe.Subject.to_dicts(limit=PAGE), drop=("notes",))
    assert state["columns"] == w.columns and state["order_by"] == ["subject_id"] and state["has_next"] is True
    assert state["page"] == 1 and state["page_size"] == PAGE and state["total"] is None and state["layout"] is None
    assert state["_model_module"] == "anywidget" and state["_view_name"] == "AnyView"
    assert state["_anywidget_id"] == "dj_jupyter.jupyter.widgets.preview.PreviewWidget"
    files = Path(dj.jupyter.widgets.preview.__file__).parent
    assert state["_esm"] == (files / "preview.js").read_text(encoding="utf-8")
    assert state["_css"] == (files / "preview.css").read_text(encoding="utf-8")
    assert published[-1][2]["state"] == {"total": N_SUBJECTS}
    assert w.get_state() == {**ipywidgets.DOMWidget.get_state(w, [k for k in w.keys if k != "layout"]), "layout": None}
    w.close()
    assert published[-1][0] == "comm_close" and w.comm is None


def test_closed_preview_is_released(pipe):
    w = PreviewWidget(pipe.Subject, page_size=PAGE)
    w.wait_for_total(20)
    ref = weakref.ref(w)
    w.close()
    del w
    gc.collect()
    assert ref() is None  # nothing (comm registry, file watcher, count thread) keeps its rows alive


# ---------------------------------------------------------------------- display registration
@pytest.fixture
def shell():
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    sh = InteractiveShell.instance(config=config)
    register_display(sh)
    yield sh
    unregister_display(sh)


def test_registered_display_shows_widgets_with_static_fallbacks(pipe, shell):
    data, _ = shell.display_formatter.format(pipe.Subject & "subject_id < 3")
    assert WIDGET_MIME in data and "<table" in data["text/html"] and "m00" in data["text/html"]
    data, _ = shell.display_formatter.format(pipe.Session)  # a table class, as DataJoint users write it
    assert WIDGET_MIME in data and "session_idx" in data["text/html"]
    data, _ = shell.display_formatter.format(dj.Diagram(pipe.schema))
    assert WIDGET_MIME in data and data["image/svg+xml"].startswith("<svg")
    data, _ = shell.display_formatter.format(dj.Manual)  # not a table: the ordinary display
    assert WIDGET_MIME not in data
    unregister_display(shell)
    data, _ = shell.display_formatter.format(pipe.Subject())
    assert WIDGET_MIME not in data and "<table" in data["text/html"]


# ---------------------------------------------------------------------- DiagramWidget and PipelineView
def node_of(table) -> str:
    return f"{table.database}.{table.table_name}"


def test_diagram_graph_has_every_table_with_coordinates(pipe):
    w = DiagramWidget(dj.Diagram(pipe.schema, context=pipe.context))
    tables = {node_of(t) for t in (pipe.Subject, pipe.Session, pipe.Tally, pipe.Big)}
    assert set(w.node_ids) == tables
    nodes = {n["id"]: n for n in w.graph["nodes"]}
    assert nodes[node_of(pipe.Tally)]["tier"] == "Computed" and nodes[node_of(pipe.Tally)]["shape"] == "ellipse"
    assert nodes[node_of(pipe.Subject)]["label"] == "Subject"
    assert "name" in nodes[node_of(pipe.Subject)]["definition"]  # the hover text
    assert all(n["width"] > 0 and n["height"] > 0 for n in nodes.values())
    assert nodes[node_of(pipe.Subject)]["x"] < nodes[node_of(pipe.Session)]["x"]  # LR: parents to the left
    pairs = {(e["parent"], e["child"]) for e in w.graph["edges"]}
    assert pairs == {(node_of(pipe.Subject), node_of(pipe.Session)), (node_of(pipe.Session), node_of(pipe.Tally))}
    assert all(len(e["points"]) >= 2 for e in w.graph["edges"])
    assert set(w.graph["palettes"]) == {"light", "dark"}
    assert w._repr_mimebundle_()[0]["image/svg+xml"].count('class="dj-node') == 4


def test_select_message_sets_selection_and_highlight(pipe):
    w = DiagramWidget(dj.Diagram(pipe.schema, context=pipe.context))
    send(w, {"type": "select", "node": node_of(pipe.Session)})
    assert w.selected == node_of(pipe.Session)
    assert w.highlight == {"ancestors": [node_of(pipe.Subject)], "descendants": [node_of(pipe.Tally)]}
    send(w, {"type": "select", "node": node_of(pipe.Subject)})
    assert w.highlight["descendants"] == [node_of(pipe.Session), node_of(pipe.Tally)] and not w.highlight["ancestors"]
    send(w, {"type": "select", "node": "nowhere.table"})
    assert "nowhere.table" in w.error and w.selected == node_of(pipe.Subject)
    send(w, {"type": "select", "node": None})
    assert w.selected == "" and w.highlight == {"ancestors": [], "descendants": []} and w.error == ""


def test_clicking_a_node_previews_that_table(pipe):
    view = PipelineView(dj.Diagram(pipe.schema, context=pipe.context), page_size=4)
    assert view.children == (view.diagram_widget,) and view.preview is None
    send(view.diagram_widget, {"type": "select", "node": node_of(pipe.Session)})
    assert view.children == (view.diagram_widget, view.preview)
    assert view.preview.rows == as_text(pipe.Session.to_dicts(limit=4))
    first = view.preview
    send(view.diagram_widget, {"type": "select", "node": node_of(pipe.Subject)})
    assert view.preview.rows == as_text(pipe.Subject.to_dicts(limit=4), drop=("notes",))
    assert first.comm is None  # the replaced preview is closed, not leaked
    second = view.preview
    send(view.diagram_widget, {"type": "select", "node": ""})
    assert view.preview is None and view.children == (view.diagram_widget,) and second.comm is None
    data, _ = view._repr_mimebundle_()
    assert WIDGET_MIME in data and "<svg" in data["image/svg+xml"]


def test_tables_without_a_class_preview_as_free_tables(pipe):
    view = PipelineView(dj.Diagram(pipe.schema, context={}), page_size=3)
    send(view.diagram_widget, {"type": "select", "node": node_of(pipe.Big)})
    assert view.preview.rows == as_text(pipe.Big.to_dicts(limit=3))


def test_status_of_auto_populated_tables(pipe):
    view = PipelineView(dj.Diagram(pipe.schema, context=pipe.context))
    status = view.refresh_status()
    assert set(status) == {node_of(pipe.Tally)}  # only auto-populated tables have a status
    assert status[node_of(pipe.Tally)] == {"state": "pending", "done": 0, "total": 12, "pending": 12, "errors": 0,
                                           "running": False}
    assert view.diagram_widget.status == status


def test_diagram_opens_its_comm_as_anywidget_would(pipe, published):
    w = DiagramWidget(dj.Diagram(pipe.schema, context=pipe.context))
    assert type(w) is DiagramWidget  # no class per instance
    assert_opened_as_by_anywidget(published, w, "diagram.js", "diagram.css")
    send(w, {"type": "select", "node": node_of(pipe.Session)})  # taken without on_msg's dispatcher
    assert w.selected == node_of(pipe.Session) and not w.trait_has_value("_msg_callbacks")
    w.close()


def test_closed_diagram_is_released(pipe):
    w = DiagramWidget(dj.Diagram(pipe.schema, context=pipe.context))
    w._repr_mimebundle_()
    ref = weakref.ref(w)
    w.close()
    del w
    assert released(ref)  # anywidget's file-watch signal kept every diagram (and its graph) alive


def test_pipeline_view_gives_its_widgets_a_layout_before_they_are_children(pipe, published):
    """Shown inside the box, the diagram and the preview are never shown themselves: their layouts come first."""
    view = PipelineView(dj.Diagram(pipe.schema, context=pipe.context), page_size=3)
    layout_of = {comm_id: data["state"]["layout"] for kind, comm_id, data in published
                 if kind in ("comm_open", "comm_msg") and "layout" in data.get("state", {})}
    box_open = next(i for i, (kind, comm_id, _) in enumerate(published) if comm_id == view.model_id)
    assert layout_of[view.diagram_widget.model_id] == f"IPY_MODEL_{view.diagram_widget.layout.model_id}"
    assert any(comm_id == view.diagram_widget.model_id and data.get("state", {}).get("layout")
               for _, comm_id, data in published[:box_open])
    published.clear()
    send(view.diagram_widget, {"type": "select", "node": node_of(pipe.Session)})
    preview = view.preview
    layout_sent = [i for i, (_, comm_id, data) in enumerate(published)
                   if comm_id == preview.model_id and data.get("state", {}).get("layout")]
    children_sent = [i for i, (_, comm_id, data) in enumerate(published)
                     if comm_id == view.model_id and "children" in data.get("state", {})]
    assert layout_sent and children_sent and layout_sent[0] < children_sent[0]
    assert published[layout_sent[0]][2]["state"]["layout"] == f"IPY_MODEL_{preview.layout.model_id}"
    preview.layout.width = "333px"  # styling it later reaches its view
    assert published[-1][1:] == (preview.layout.model_id, {"method": "update", "state": {"width": "333px"},
                                                           "buffer_paths": []})
    view.close()


def test_closed_pipeline_view_releases_its_widgets(pipe):
    view = PipelineView(dj.Diagram(pipe.schema, context=pipe.context), page_size=3, interval=0.05)
    send(view.diagram_widget, {"type": "select", "node": node_of(pipe.Subject)})
    view._repr_mimebundle_()  # starts polling
    thread = view.poller._thread
    refs = [weakref.ref(w) for w in (view, view.diagram_widget, view.preview)]
    view.close()
    assert view.diagram_widget.comm is None and view.preview.comm is None
    del view
    thread.join(10)
    assert not thread.is_alive()
    assert [released(ref) for ref in refs] == [True, True, True]


# ---------------------------------------------------------------------- background populate (a fresh schema per test)
N_KEYS = 30


@pytest.fixture
def work(backend):
    backend_name, conn = backend
    name = _matrix.fresh_schema_name()
    schema = dj.Schema(name, connection=conn)
    failing: set[int] = set()
    holds: dict[int, threading.Event] = {}  # make waits on these keys until the test releases them

    def hold(key: dict) -> None:
        if key["source_id"] in holds:
            holds[key["source_id"]].wait(30)

    Source, Out = declare_source_out(schema, n_keys=N_KEYS, pause=0.02, before=hold, failing=failing)
    yield SimpleNamespace(schema=schema, Source=Source, Out=Out, failing=failing, holds=holds,
                          context={"Source": Source, "Out": Out})
    _matrix.drop_schema(conn, name)


def assert_whole(out) -> None:
    assert len(out.Piece()) == 3 * len(out())


def test_background_populate_reports_progress_and_finishes_at_the_true_count(work):
    seen: list[int] = []
    w = PopulateWidget(work.Out)
    w.observe(lambda change: seen.append(change["new"]), names="done")
    w.start()
    assert w.running and w.state == "running"  # returned at once
    assert len(work.Source()) == N_KEYS  # the kernel is free for other queries meanwhile
    result = w.wait(60)
    assert result == {"success_count": N_KEYS, "error_list": []}
    assert w.state == "done" and w.done == len(work.Out()) == N_KEYS and w.total == N_KEYS and w.failed == 0
    assert seen == sorted(seen) and seen[-1] == N_KEYS and len(seen) >= N_KEYS // 2
    assert w.rate > 0 and w.eta == 0.0 and w.elapsed > 0
    assert "30/30 done" in w._repr_mimebundle_()[0]["text/plain"]
    assert_whole(work.Out)


def test_cancel_message_stops_after_the_current_key(work):
    w = PopulateWidget(work.Out)
    w.observe(lambda change: change["new"] >= 5 and send(w, {"type": "cancel"}), names="done")
    w.start()
    w.wait(60)
    assert w.state == "cancelled" and w.cancel_requested
    assert w.done == len(work.Out()) and 5 <= w.done < N_KEYS
    assert_whole(work.Out)  # no partial key
    rest = populate_in_background(work.Out)
    assert rest.wait(60)["success_count"] == N_KEYS - w.done and rest.state == "done"


def test_failed_keys_are_listed_with_their_tracebacks(work):
    work.failing.update({3, 17})
    w = populate_in_background(work.Out, max_calls=20)
    live: list[list] = []
    w.observe(lambda change: live.append(change["new"]), names="errors")
    w.wait(60)
    assert w.state == "done" and w.failed == 2 and w.done == 18 == len(work.Out())
    assert [e["key"] for e in w.errors] == [{"source_id": "3"}, {"source_id": "17"}]
    for error, n in zip(w.errors, (3, 17)):
        assert error["message"] == f"ValueError: source {n} is broken"
        assert "Traceback" in error["traceback"] and "in make" in error["traceback"]
        assert f"source {n} is broken" in error["traceback"]
    assert any(len(errors) == 1 and errors[0]["message"] for errors in live)  # listed while running
    assert w.result["error_list"] == [({"source_id": 3}, "ValueError: source 3 is broken"),
                                      ({"source_id": 17}, "ValueError: source 17 is broken")]


def test_populate_that_raises_ends_in_the_error_state(work):
    work.failing.add(0)
    w = populate_in_background(work.Out, suppress_errors=False)
    w.wait(60)
    assert w.state == "error" and "source 0 is broken" in w.message
    assert isinstance(w.exception, ValueError) and "Traceback" in w.errors[-1]["traceback"]
    assert len(work.Out()) == 0


def test_background_populate_refuses_options_the_widget_owns(work):
    for kwargs in ({"callback": print}, {"cancel": threading.Event()}, {"processes": 2}):
        with pytest.raises(dj.DataJointError, match="populate_in_background"):
            populate_in_background(work.Out, **kwargs)
    assert dj.jupyter.populate_in_background is populate_in_background


def test_jobs_view_lists_reserved_keys_by_host_and_pid(work):
    release = work.holds[4] = threading.Event()  # key 4 stays reserved until released
    w = populate_in_background(work.Out, reserve_jobs=True)
    try:
        view = JobsView(work.Out, interval=0.05)
        view.follow(w)
        # other keys come and go in 20 ms; key 4 stays, alone once the worker waits on it
        wait_until(lambda: [r["key"] for r in view.rows] == ["source_id=4"], timeout=30)
        assert view.rows[0]["host"] == socket.gethostname() and view.rows[0]["pid"] == str(os.getpid())
        assert view.counts["reserved"] == 1 and view.error == ""
        assert w.running
    finally:
        release.set()
    w.wait(60)
    view._timer.join(10)
    assert view.rows == [] and view.counts["reserved"] == 0 and view.error == ""
    assert w.done == N_KEYS


def test_populate_widget_opens_its_comm_as_anywidget_would_and_is_released(work, published):
    w = PopulateWidget(work.Out, (), {"max_calls": 3})
    assert type(w) is PopulateWidget
    assert_opened_as_by_anywidget(published, w, "populate.js", "populate.css")
    send(w, {"type": "nonsense"})
    assert "cancel" in w.message  # a bad message is reported, as before
    w.start().wait(60)
    assert w.state == "done" and w.done == 3
    ref = weakref.ref(w)
    w.close()
    del w
    assert released(ref)


def test_jobs_view_opens_its_comm_as_anywidget_would_and_is_released(work, published):
    view = JobsView(work.Out, interval=0.05)
    assert type(view) is JobsView
    assert_opened_as_by_anywidget(published, view, "jobs.js", "populate.css")
    view._repr_mimebundle_()  # displayed: polls
    thread = view._timer
    assert thread.is_alive()
    ref = weakref.ref(view)
    view.close()
    del view
    thread.join(10)
    assert not thread.is_alive() and released(ref)


def test_pipeline_view_paints_a_background_populate(work):
    view = PipelineView(dj.Diagram(work.schema, context=work.context))
    node = node_of(work.Out)
    states: list[dict] = []
    view.diagram_widget.observe(lambda change: states.append(change["new"].get(node)), names="status")
    run = view.populate_in_background(work.Out)
    run.wait(60)
    assert any(s and s["running"] for s in states)
    assert view.diagram_widget.status[node] == {"state": "complete", "done": N_KEYS, "total": N_KEYS, "pending": 0,
                                                "errors": 0, "running": False}


# ---------------------------------------------------------------------- front-end contract (no browser, no database)
def front_end_file(widget: type, name: str) -> str:
    """The text of a widget class's ``_esm``/``_css`` (a class trait's default: see ``lean.asset``)."""
    return widget.class_traits()[name].default_value


@pytest.mark.parametrize("widget, kinds", [(PreviewWidget, {"page", "sort"}), (DiagramWidget, {"select"}),
                                           (PopulateWidget, {"cancel"}), (JobsView, set())])
def test_front_ends_read_synced_traits_and_send_known_messages(widget, kinds):
    """Every ``model.get("x")`` in the ESM is a synced trait; every message type sent is one the kernel parses."""
    import re

    esm = front_end_file(widget, "_esm")
    assert "export default { render }" in esm
    synced = {name for name, trait in widget.class_traits().items() if trait.metadata.get("sync")}
    read = set(re.findall(r'model\.get\("(\w+)"\)', esm)) | set(re.findall(r'"change:(\w+)"', esm))
    read |= {n for names in re.findall(r"const names = \[([^\]]*)\]", esm) for n in re.findall(r'"(\w+)"', names)}
    assert read and read <= synced, f"the front end reads {sorted(read - synced)}, which the widget does not sync"
    assert set(re.findall(r'type: "(\w+)"', esm)) == kinds
    assert "prefers-color-scheme: dark" in front_end_file(widget, "_css")


def test_under_hot_reload_the_front_end_files_are_anywidgets_again():
    """With ``ANYWIDGET_HMR=1`` (editing the front end) ``asset()`` leaves each file to anywidget, which watches it."""
    script = """
import json
from anywidget._file_contents import FileContents
from dj_jupyter.jupyter import widgets as w
from tests.jupyter.anywidget_parity import WIDGET_FILES
files = {"DiagramWidget": ("diagram.js", "diagram.css"), "JobsView": ("jobs.js", "populate.css"),
         "ObjectView": ("objectview.js", "objectview.css"), "PopulateWidget": ("populate.js", "populate.css"),
         "PreviewWidget": ("preview.js", "preview.css")}
print(json.dumps({name: [isinstance(getattr(getattr(w, name), key), FileContents)
                         and str(getattr(getattr(w, name), key)) == (WIDGET_FILES / file).read_text(encoding="utf-8")
                         and key not in getattr(w, name).class_traits()
                         for key, file in zip(("_esm", "_css"), pair)] for name, pair in files.items()}))
"""
    env = {**os.environ, "ANYWIDGET_HMR": "1"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {name: [True, True] for name in
                                       ("DiagramWidget", "JobsView", "ObjectView", "PopulateWidget", "PreviewWidget")}
