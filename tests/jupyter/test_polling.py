"""Live status from other processes: PipelineView and JobsView poll the database from a daemon thread.

A worker in another process (forked, with its own database connection) reserves keys
through the jobs table while the views poll; the tests assert that its reservation,
its host and pid, and then its results show up without any call from the test, and
that polling stops by itself once nothing runs or changes, or when the widget closes.
SQLite and MariaDB (an unreachable server is skipped locally and fails in CI).
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import socket
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

import dj_jupyter as dj
from dj_jupyter.jupyter.widgets import JobsView, PipelineView
from dj_jupyter.jupyter.widgets.polling import StatusPoller

N_KEYS = 8
HELD = 3  # the worker holds this key until the test releases it


def _load_matrix():
    path = Path(__file__).parents[1] / "backends" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_dj_backend_matrix_polling", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_matrix = _load_matrix()
_fork = multiprocessing.get_context("fork")


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the view"
        time.sleep(0.02)


@pytest.fixture(params=["sqlite", "mysql"])
def work(request, tmp_path):
    _matrix.require_backend(request.param)
    conn = _matrix.make_connection(request.param, tmp_path)
    name = _matrix.fresh_schema_name()
    schema = dj.Schema(name, connection=conn)
    release = _fork.Event()

    @schema
    class Source(dj.Manual):
        definition = """
        source_id : int32
        """

    @schema
    class Out(dj.Computed):
        definition = """
        -> Source
        ---
        value : int32
        """

        def make(self, key):
            if key["source_id"] == HELD:
                release.wait(60)
            self.insert1(dict(key, value=key["source_id"]))

    Source.insert([{"source_id": i} for i in range(N_KEYS)])
    yield SimpleNamespace(schema=schema, Source=Source, Out=Out, release=release, context=locals(), conn=conn)
    release.set()
    _matrix.drop_schema(conn, name)
    conn.close_all()


def _worker(out: type) -> None:
    """Another process: its own connection (the Connection notices the new pid), keys reserved in the jobs table."""
    out.populate(reserve_jobs=True)


def test_views_show_a_worker_in_another_process_while_they_poll(work):
    node = f"{work.Out().database}.{work.Out.table_name}"
    jobs = JobsView(work.Out, interval=0.05, idle_rounds=5)
    view = PipelineView(dj.Diagram(work.schema, context=work.context), interval=0.05, idle_rounds=5)
    assert view.refresh_status()[node]["state"] == "pending"
    jobs.poll()
    view.poll()
    worker = _fork.Process(target=_worker, args=(work.Out,))
    worker.start()
    try:
        # nothing but the polling threads reads the database here
        wait_until(lambda: [r["key"] for r in jobs.rows] == [f"source_id={HELD}"])
        assert jobs.rows[0]["pid"] == str(worker.pid) and jobs.rows[0]["host"] == socket.gethostname()
        wait_until(lambda: view.diagram_widget.status.get(node, {}).get("running"))
        assert view.diagram_widget.status[node]["state"] == "running"
        assert jobs.poller.running and view.poller.running
    finally:
        work.release.set()
    worker.join(60)
    assert worker.exitcode == 0
    wait_until(lambda: view.diagram_widget.status[node]["state"] == "complete")
    assert view.diagram_widget.status[node] == {"state": "complete", "done": N_KEYS, "total": N_KEYS, "pending": 0,
                                                "errors": 0, "running": False}
    wait_until(lambda: jobs.counts.get("reserved") == 0 and jobs.rows == [])
    # nothing runs and nothing changes: both stop by themselves
    assert jobs.poller.join(10) and view.poller.join(10)


def test_displaying_starts_polling_and_closing_stops_it(work):
    jobs = JobsView(work.Out, interval=0.05, idle_rounds=1000)
    view = PipelineView(dj.Diagram(work.schema, context=work.context), interval=0.05, idle_rounds=1000)
    assert not jobs.poller.running and not view.poller.running  # a view never shown does not poll
    jobs._repr_mimebundle_()
    view._repr_mimebundle_()
    assert jobs.poller.running and view.poller.running
    rounds = view.poller.rounds
    wait_until(lambda: view.poller.rounds > rounds + 2)
    jobs.close()
    view.close()
    assert jobs.poller.join(10) and view.poller.join(10)
    done = view.poller.rounds
    time.sleep(0.2)
    assert view.poller.rounds == done


def test_a_background_populate_of_the_view_is_shown_running_until_it_ends(work):
    node = f"{work.Out().database}.{work.Out.table_name}"
    view = PipelineView(dj.Diagram(work.schema, context=work.context), interval=0.05, idle_rounds=3)
    states: list[str] = []
    view.diagram_widget.observe(lambda change: states.append(change["new"].get(node, {}).get("state")), names="status")
    run = view.populate_in_background(work.Out)  # direct mode: nothing in the jobs table
    assert view.poller.running
    wait_until(lambda: "running" in states)
    time.sleep(0.3)  # several polls while the held key blocks the run
    # polls before the run thread started may say pending; from the first "running" on, nothing else
    assert run.running and set(states[states.index("running"):]) == {"running"}
    work.release.set()
    run.wait(60)
    wait_until(lambda: view.diagram_widget.status[node]["state"] == "complete")
    assert view.poller.join(10)


# ---------------------------------------------------------------------- the poller alone (no database)
def test_poller_stops_when_idle_and_when_told():
    seen: list[int] = []
    values = iter([1, 2, 2, 2, 2, 2, 2, 2, 2])
    poller = StatusPoller(lambda: (seen.append(1) or next(values), False), None, interval=0.01, idle_rounds=3)
    poller.start()
    assert poller.join(10) and len(seen) == 5  # 1, 2 changed; then three unchanged rounds
    busy = StatusPoller(lambda: (0, True), None, interval=0.01, idle_rounds=1).start()
    time.sleep(0.1)
    assert busy.running and busy.rounds > 2  # busy rounds never count as idle
    busy.stop()
    assert not busy.running
    stop_now = StatusPoller(lambda: None, None, interval=0.01).start()
    assert stop_now.join(10) and stop_now.rounds == 1
    failing = StatusPoller(lambda: 1 / 0, None, interval=0.01).start()
    assert failing.join(10) and failing.rounds == 0
    with pytest.raises(dj.DataJointError, match="interval > 0"):
        StatusPoller(lambda: None, None, interval=0)


def test_follow_stops_after_the_run_ends(work):
    thread = threading.Thread(target=lambda: work.Out.populate(reserve_jobs=True))
    jobs = JobsView(work.Out, interval=0.05, idle_rounds=1000)
    thread.start()
    jobs.follow(thread)
    wait_until(lambda: jobs.counts.get("reserved") == 1)
    work.release.set()
    thread.join(60)
    assert jobs.poller.join(10)  # one refresh after the end, then it stops despite idle_rounds
    assert jobs.counts["reserved"] == 0 and jobs.rows == [] and len(work.Out()) == N_KEYS
