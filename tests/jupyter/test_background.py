"""``T.populate(..., background=True)``: the core run handle, and its display as the live PopulateWidget.

The handle (``dj_jupyter.populate.background.BackgroundPopulate``) is core API: it works
without any Jupyter package (checked in a subprocess); ``%load_ext dj_jupyter`` makes a
notebook display it as its widget.  Real databases: SQLite and MariaDB (an unreachable
server is skipped locally and fails in CI).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

import dj_jupyter as dj
from dj_jupyter.jupyter.display import register_display, unregister_display
from dj_jupyter.jupyter.widgets import PopulateWidget, populate_in_background
from dj_jupyter.populate.background import BackgroundPopulate, RunStatus
from tests.source_out import declare_source_out

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
N_KEYS = 24


def _load_matrix():
    path = Path(__file__).parents[1] / "backends" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_dj_backend_matrix_background", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_matrix = _load_matrix()


@pytest.fixture(scope="module", params=["sqlite", "mysql"])
def backend(request, tmp_path_factory):
    _matrix.require_backend(request.param)
    conn = _matrix.make_connection(request.param, tmp_path_factory.mktemp(request.param))
    yield request.param, conn
    conn.close_all()


@pytest.fixture
def work(backend):
    _, conn = backend
    name = _matrix.fresh_schema_name()
    schema = dj.Schema(name, connection=conn)
    failing: set[int] = set()
    gate = threading.Event()
    gate.set()  # make waits on the gate: clear it to hold the run

    Source, Out = declare_source_out(schema, n_keys=N_KEYS, pieces=2, before=lambda key: gate.wait(30),
                                     failing=failing)
    yield SimpleNamespace(schema=schema, Source=Source, Out=Out, failing=failing, gate=gate)
    gate.set()
    _matrix.drop_schema(conn, name)


def assert_whole(out) -> None:
    assert len(out.Piece()) == 2 * len(out())


# ---------------------------------------------------------------------- the core handle
def test_populate_background_returns_at_once_and_finishes_at_the_true_count(work):
    work.gate.clear()
    snapshots: list[RunStatus] = []
    run = work.Out.populate(background=True)
    assert isinstance(run, BackgroundPopulate) and run.running  # returned while make is held
    run.subscribe(snapshots.append)
    assert run.state == "running" and run.done == 0
    assert len(work.Source()) == N_KEYS  # the caller's connection is free meanwhile
    work.gate.set()
    result = run.wait(60)
    assert result == {"success_count": N_KEYS, "error_list": []}
    status = run.status()
    assert status.state == "done" and status.finished and status.done == N_KEYS == len(work.Out())
    assert status.total == N_KEYS and status.failed == 0 and status.eta == 0.0 and status.rate > 0
    dones = [s.done for s in snapshots]
    assert dones == sorted(dones) and dones[-1] == N_KEYS and len(set(dones)) >= N_KEYS // 2
    assert repr(run) == f"<BackgroundPopulate Out: {N_KEYS}/{N_KEYS} done, 0 failed (done)>"
    assert_whole(work.Out)


def test_cancel_stops_after_the_current_key(work):
    run = BackgroundPopulate(work.Out)
    run.subscribe(lambda s: s.done >= 4 and run.cancel())
    run.start()
    result = run.wait(60)
    assert run.state == "cancelled" and run.cancel_requested and run.eta is None
    assert 4 <= result["success_count"] == len(work.Out()) < N_KEYS
    assert_whole(work.Out)  # no partial key
    rest = work.Out.populate(background=True).wait(60)
    assert rest["success_count"] == N_KEYS - result["success_count"]


def test_failures_are_listed_with_messages_and_tracebacks(work):
    work.failing.update({2, 9})
    run = work.Out.populate(background=True, suppress_errors=True, max_calls=12)
    result = run.wait(60)
    assert result["success_count"] == 10 and run.failed == 2
    assert result["error_list"] == [({"source_id": 2}, "ValueError: source 2 is broken"),
                                    ({"source_id": 9}, "ValueError: source 9 is broken")]
    assert [e["key"] for e in run.errors] == [{"source_id": 2}, {"source_id": 9}]
    assert all("Traceback" in e["traceback"] and "in make" in e["traceback"] for e in run.errors)
    objects = work.Out.populate(background=True, suppress_errors=True, return_exception_objects=True).wait(60)
    assert [type(e) for _, e in objects["error_list"]] == [ValueError, ValueError]


def test_wait_raises_what_populate_raised(work):
    work.failing.add(0)
    run = work.Out.populate(background=True)  # suppress_errors=False, as in the foreground
    with pytest.raises(ValueError, match="source 0 is broken"):
        run.wait(60)
    assert run.state == "error" and "source 0 is broken" in run.message and isinstance(run.exception, ValueError)
    assert len(work.Out()) == 0


def test_options_the_run_owns_are_refused(work):
    for kwargs in ({"callback": print}, {"cancel": threading.Event()}, {"processes": 2}):
        with pytest.raises(dj.DataJointError, match=r"populate\(background=True\) does not take"):
            work.Out.populate(background=True, **kwargs)
    with pytest.raises(dj.DataJointError, match="already started"):
        work.Out.populate(background=True).start()
    with pytest.raises(AttributeError, match="nope"):
        BackgroundPopulate(work.Out).nope


def test_a_broken_listener_does_not_stop_the_run(work):
    run = BackgroundPopulate(work.Out)
    run.subscribe(lambda s: 1 / 0)
    unsubscribe = run.subscribe(lambda s: None)
    unsubscribe()
    assert run.start().wait(60)["success_count"] == N_KEYS


# ---------------------------------------------------------------------- the widget shares the handle
@pytest.fixture
def shell():
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    sh = InteractiveShell.instance(config=config)
    register_display(sh)
    yield sh
    unregister_display(sh)


def test_a_displayed_run_is_its_live_widget(work, shell):
    work.gate.clear()
    run = work.Out.populate(background=True, reserve_jobs=True)
    data, _ = shell.display_formatter.format(run)
    assert WIDGET_MIME in data and data["text/plain"] == "Out: 0/0 done, 0 failed (running)"
    live = PopulateWidget(run)  # what the formatter builds: a widget following this run
    assert live.run is run and live.state == "running" and live.table_name == "Out"
    seen: list[int] = []
    live.observe(lambda change: seen.append(change["new"]), names="done")
    work.gate.set()
    run.wait(60)
    assert live.state == "done" and live.done == N_KEYS == live.total and seen[-1] == N_KEYS
    late = PopulateWidget(run)  # shown after the end: the final state at once
    assert (late.state, late.done, late.failed) == ("done", N_KEYS, 0)


def test_cancel_button_cancels_the_shared_run(work):
    work.gate.clear()
    run = work.Out.populate(background=True)
    widget = PopulateWidget(run)
    widget._handle_custom_msg({"type": "cancel"}, [])
    assert run.cancel_requested and widget.cancel_requested
    work.gate.set()
    run.wait(60)
    assert widget.state == run.state == "cancelled" and widget.done == run.done == len(work.Out()) <= 1


def test_populate_in_background_shares_the_handle(work):
    work.failing.add(5)
    widget = populate_in_background(work.Out)
    assert isinstance(widget.run, BackgroundPopulate)
    assert widget.wait(60) == widget.run.result and widget.run.failed == 1  # suppress_errors is on here
    assert widget.errors[0]["key"] == {"source_id": "5"} and widget.errors[0]["message"].startswith("ValueError")
    widget.close()  # stops following; the run is unaffected
    assert widget.run.state == "done"


# ---------------------------------------------------------------------- outside a notebook
def test_the_handle_works_without_jupyter_packages(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        import dj_jupyter as dj
        conn = dj.Connection(backend="sqlite", path={str(tmp_path / "x.db")!r})
        schema = dj.Schema("djtest_bg", connection=conn)

        @schema
        class A(dj.Manual):
            definition = "a : int32"

        @schema
        class B(dj.Computed):
            definition = "-> A"
            def make(self, key):
                self.insert1(key)

        A.insert([{{"a": i}} for i in range(5)])
        run = B.populate(background=True)
        print(run.wait(30)["success_count"], run.state, len(B()))
        print(sorted(m for m in ("IPython", "ipywidgets", "anywidget") if m in sys.modules))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["5 done 5", "[]"]
