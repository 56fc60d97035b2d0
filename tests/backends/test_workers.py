"""Many workers on every backend: separate worker processes sharing the jobs table compute every key
exactly once; a worker killed inside make leaves nothing and its key is recovered; populate(processes=N);
the worker command line (``python -m dj_jupyter worker``), including a clean stop on SIGTERM."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

import dj_jupyter as dj
from tests.backends.conftest import (
    SERVERS,
    drop_schema,
    fresh_schema_name,
    make_connection,
    require_backend,
)

N_KEYS = 2000
FORK = multiprocessing.get_context("fork")


def _declare(schema: dj.Schema, gate: Path | None = None, log: Path | None = None) -> SimpleNamespace:
    """Source -> Out (with part Out.Piece).

    Every make inserts its key into Calls (in its transaction: a key made twice raises a
    duplicate error) and, when ``log`` is given, appends it to a file of its process
    (outside any transaction: every call is counted, even one that is rolled back).
    """

    @schema
    class Source(dj.Manual):
        definition = """
        source_id : int32
        """

    @schema
    class Calls(dj.Manual):
        definition = """
        # one row per make call: a key computed twice raises a duplicate error
        source_id : int32
        ---
        pid : int32
        """

    @schema
    class Out(dj.Computed):
        definition = """
        -> Source
        ---
        square : int64
        """

        class Piece(dj.Part):
            definition = """
            -> master
            piece : uint8
            """

        def make(self, key):
            if log is not None:
                with open(log / f"{os.getpid()}.txt", "a") as f:
                    f.write(f"{key['source_id']}\n")
            Calls.insert1(dict(key, pid=os.getpid()))
            self.insert1(dict(key, square=key["source_id"] ** 2))
            self.Piece.insert([dict(key, piece=0), dict(key, piece=1)])
            if gate is not None:
                (gate / "inside").touch()
                while not (gate / "go").exists():  # wait here, inside the transaction, until killed
                    time.sleep(0.05)

    return SimpleNamespace(Source=Source, Calls=Calls, Out=Out)


@pytest.fixture
def p(connection, schema_name, tmp_path):
    log = tmp_path / "calls"
    log.mkdir()
    pipeline = _declare(dj.Schema(schema_name, connection=connection), log=log)
    pipeline.connection, pipeline.log = connection, log
    return pipeline


def _logged_calls(log: Path) -> list[int]:
    return sorted(int(line) for f in log.iterdir() for line in f.read_text().split())


def _populate_in_child(out, queue) -> None:
    result = out.populate(reserve_jobs=True, suppress_errors=True)
    queue.put((os.getpid(), result["success_count"], len(result["error_list"])))


def test_four_workers_compute_every_key_exactly_once(p):
    p.Source.insert([{"source_id": i} for i in range(N_KEYS)])
    p.Out.jobs.refresh()  # one refresh up front; the workers' own auto-refresh then adds nothing
    queue = FORK.Queue()
    workers = [FORK.Process(target=_populate_in_child, args=(p.Out, queue)) for _ in range(4)]
    for w in workers:
        w.start()
    results = [queue.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(timeout=30)
        assert w.exitcode == 0
    assert sum(r[1] for r in results) == N_KEYS and sum(r[2] for r in results) == 0
    assert _logged_calls(p.log) == list(range(N_KEYS))  # make ran once per key, in whichever process
    assert len(p.Calls()) == N_KEYS == len(p.Out()) and len(p.Out.Piece()) == 2 * N_KEYS
    assert p.Out.jobs.progress()["total"] == 0
    busy = [r for r in results if r[1] > 0]
    assert len(busy) >= 2, f"the work was not shared: {results}"


def _populate_gated(out, source_id) -> None:
    out.populate({"source_id": source_id}, reserve_jobs=True)


def test_killed_worker_leaves_no_rows_and_its_key_is_recovered(p, tmp_path):
    gate = tmp_path / "gate"
    gate.mkdir()
    gated = _declare(dj.Schema(p.Out.database, connection=p.connection), gate)  # the same tables, waiting make
    p.Source.insert([{"source_id": i} for i in range(3)])
    worker = FORK.Process(target=_populate_gated, args=(gated.Out, 1))
    worker.start()
    deadline = time.monotonic() + 30
    while not (gate / "inside").exists():
        assert time.monotonic() < deadline and worker.is_alive(), "the worker never reached make"
        time.sleep(0.02)
    os.kill(worker.pid, signal.SIGKILL)  # inside make: master and part rows written, not committed
    worker.join(timeout=10)
    assert worker.exitcode == -signal.SIGKILL
    key = {"source_id": 1}
    assert not (p.Out & key) and not (p.Out.Piece & key)
    assert (p.Out.jobs & key).fetch1("status") == "reserved"
    recovered = 0
    deadline = time.monotonic() + 20  # the server notices the closed socket within moments
    while not recovered and time.monotonic() < deadline:
        recovered = p.Out.jobs.refresh()["orphaned"]
        time.sleep(0.1)
    assert recovered == 1
    assert (p.Out.jobs & key).fetch1("status") == "pending"
    assert p.Out.populate(reserve_jobs=True) == {"success_count": 3, "error_list": []}
    assert (p.Out & key).fetch1("square") == 1 and len(p.Out.Piece & key) == 2


@pytest.mark.parametrize("reserve_jobs", [True, False])
def test_populate_with_processes(p, reserve_jobs):
    p.Source.insert([{"source_id": i} for i in range(60)])
    result = p.Out.populate(reserve_jobs=reserve_jobs, processes=2)
    assert result == {"success_count": 60, "error_list": []}
    assert len(p.Calls()) == 60 == len(p.Out()) and _logged_calls(p.log) == list(range(60))
    assert len({r["pid"] for r in p.Calls.to_dicts()} - {os.getpid()}) >= 1  # computed in child processes


# --------------------------------------------------------------------------------- the worker command

PIPELINE = '''
import os, time
import dj_jupyter as dj

schema = dj.Schema({schema!r}{connection})

@schema
class Source(dj.Manual):
    definition = """
    source_id : int32
    """

@schema
class Calls(dj.Manual):
    definition = """
    source_id : int32
    stage : varchar(8)
    """

@schema
class First(dj.Computed):
    definition = """
    -> Source
    ---
    value : int32
    """
    def make(self, key):
        Calls.insert1(dict(key, stage="first"))
        time.sleep(float(os.environ.get("DJTEST_MAKE_SECONDS", "0")))
        self.insert1(dict(key, value=key["source_id"] + 1))

@schema
class Second(dj.Computed):
    definition = """
    -> First
    ---
    value : int32
    """
    def make(self, key):
        Calls.insert1(dict(key, stage="second"))
        self.insert1(dict(key, value=(First & key).fetch1("value") * 10))
'''


def _environment(backend: str, folder: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH", "")])
    if backend == "sqlite":
        env.update(DJ_BACKEND="sqlite", DJ_DATABASE_NAME=str(folder / "test.db"))
    else:
        server = SERVERS[backend]
        env.update(DJ_BACKEND=backend, DJ_HOST=server["host"], DJ_USER=server["user"], DJ_PASS=server["password"] or "")
    return env


@pytest.fixture(params=["sqlite", "mysql"])
def cli(request, tmp_path):
    require_backend(request.param)
    conn = make_connection(request.param, tmp_path)
    name = fresh_schema_name()
    source = tmp_path / "pipeline.py"
    source.write_text(PIPELINE.format(schema=name, connection=""))  # the workers connect as dj.config says
    context: dict = {"test_connection": conn}  # this process declares the same tables on its own connection
    text = PIPELINE.format(schema=name, connection=", connection=test_connection")
    exec(compile(text, str(source), "exec"), context)  # noqa: S102 - the test's own pipeline text
    yield SimpleNamespace(conn=conn, name=name, file=source, env=_environment(request.param, tmp_path),
                          folder=tmp_path, **{k: context[k] for k in ("Source", "Calls", "First", "Second")})
    drop_schema(conn, name)
    conn.close_all()


def _start(cli, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dj_jupyter", "worker", str(cli.file), *args],
                            cwd=cli.folder, env={**cli.env, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_two_worker_commands_finish_all_keys_once(cli):
    cli.Source.insert([{"source_id": i} for i in range(40)])
    workers = [_start(cli), _start(cli)]
    outputs = [w.communicate(timeout=120) for w in workers]
    for w, (out, err) in zip(workers, outputs):
        assert w.returncode == 0, err
        assert "worker done" in out
    calls = cli.Calls.to_dicts()
    assert len(calls) == 80 and {(c["source_id"], c["stage"]) for c in calls} == \
        {(i, s) for i in range(40) for s in ("first", "second")}
    assert len(cli.Second()) == 40 and (cli.Second & {"source_id": 7}).fetch1("value") == 80


def test_worker_command_stops_cleanly_on_sigterm(cli):
    cli.Source.insert([{"source_id": i} for i in range(30)])
    worker = _start(cli, DJTEST_MAKE_SECONDS="0.2")
    deadline = time.monotonic() + 60
    while len(cli.First()) < 2:
        assert time.monotonic() < deadline and worker.poll() is None, worker.communicate()[1]
        time.sleep(0.05)
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert "stopped by SIGTERM" in out
    done = len(cli.First())
    assert 2 <= done < 30
    jobs = cli.First.jobs
    assert jobs.progress()["reserved"] == 0  # the key being computed went back to pending
    assert len(cli.Calls & "stage = 'first'") == done  # the released key's rows were rolled back
    # another worker finishes the rest: First for the remaining keys, then Second for all
    rest = _start(cli, "--restrict", '{"source_id": 3}')
    assert rest.wait(timeout=60) == 0
    assert (cli.Second & {"source_id": 3}).fetch1("value") == 40
    finisher = _start(cli)
    assert finisher.wait(timeout=120) == 0
    assert len(cli.First()) == 30 == len(cli.Second())


def test_worker_command_usage_errors(cli):
    bad = subprocess.run([sys.executable, "-m", "dj_jupyter", "worker", f"{cli.file}:Nope"], check=False, cwd=cli.folder,
                         env=cli.env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "'Nope' is not an auto-populated table" in bad.stderr
    assert "First" in bad.stderr and "Second" in bad.stderr
    missing = subprocess.run([sys.executable, "-m", "dj_jupyter", "worker", "no_such_file.py"], check=False, cwd=cli.folder,
                             env=cli.env, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "not found" in missing.stderr
