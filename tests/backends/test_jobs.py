"""Jobs tables on every backend: layout, lazy creation, refresh, reservation, errors, ignore, interrupts,
recovery of reservations whose worker is gone."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

import dj_jupyter as dj
from dj_jupyter.populate.job_layout import unpack_text
from tests.backends.conftest import (
    drop_schema,
    fresh_schema_name,
    make_connection,
    require_backend,
)
from tests.backends.reference_schema import declare_reference

REFERENCE_DDL = Path("/work/shared/spec/reference-ddl-mariadb.sql")
N_KEYS = 8
FAILING = {3, 5}


@pytest.fixture
def p(connection, schema_name):
    """Source (uint16 key) -> Out (Computed, part Out.Piece); keys in ``state.failing`` raise in make."""
    schema = dj.Schema(schema_name, connection=connection)
    state = SimpleNamespace(failing=set(FAILING), interrupt=None, calls=[], hook=None)

    @schema
    class Source(dj.Manual):
        definition = """
        source_id : uint16
        ---
        value : int32
        """

    @schema
    class Out(dj.Computed):
        definition = """
        -> Source
        ---
        doubled : int32
        """

        class Piece(dj.Part):
            definition = """
            -> master
            piece : uint8
            """

        def make(self, key):
            state.calls.append(key["source_id"])
            self.insert1(dict(key, doubled=2 * key["source_id"]))
            self.Piece.insert1(dict(key, piece=0))
            if state.hook is not None:
                state.hook(key)
            if key["source_id"] == state.interrupt:
                raise KeyboardInterrupt  # after master and part rows were written
            if key["source_id"] in state.failing:
                raise ValueError(f"cannot make {key['source_id']}")
            self.Piece.insert1(dict(key, piece=1))

    Source.insert([{"source_id": i, "value": i} for i in range(N_KEYS)])
    return SimpleNamespace(schema=schema, Source=Source, Out=Out, state=state, connection=connection)


def _ids(rows) -> list[int]:
    return sorted(r["source_id"] for r in rows)


def test_jobs_table_is_created_lazily_as_a_service_table(p):
    conn, db = p.connection, p.schema.database
    assert "~~out" not in conn.catalog.table_infos(db)
    jobs = p.Out.jobs
    assert isinstance(jobs, dj.Job)
    assert jobs.table_name == "~~out" and "~~out" in conn.catalog.table_infos(db)
    assert jobs.heading.primary_key == ["source_id"]
    assert jobs.progress() == {"pending": 0, "reserved": 0, "success": 0, "error": 0, "ignore": 0, "total": 0}
    assert "~~out" not in p.schema.list_tables()
    assert jobs.target.table_name == "__out"
    assert p.Out.jobs.table_name == "~~out"  # second access: the existing table


def test_refresh_adds_each_missing_key_once(p):
    p.Out.populate({"source_id": 0})
    jobs = p.Out.jobs
    assert jobs.refresh({"source_id": 1}) == {"added": 1, "removed": 0, "orphaned": 0, "re_pended": 0}
    assert jobs.refresh()["added"] == N_KEYS - 2  # not key 0 (computed) nor key 1 (already pending)
    assert jobs.refresh()["added"] == 0
    rows = jobs.pending.to_dicts()
    assert _ids(rows) == list(range(1, N_KEYS))
    assert {r["priority"] for r in rows} == {dj.config["jobs.default_priority"]}
    assert all(r["reserved_time"] is None and r["error_message"] == "" for r in rows)


def test_delay_and_priority_decide_what_is_due(p):
    jobs = p.Out.jobs
    jobs.refresh({"source_id": 1}, priority=1)
    jobs.refresh({"source_id": 2}, priority=9)
    jobs.refresh({"source_id": 4}, delay=3600)  # due in an hour
    assert [k["source_id"] for k in jobs.due_keys()] == [1, 2]
    assert [k["source_id"] for k in jobs.due_keys(spread=True)] == [1, 2]  # shuffled only within a priority
    assert [k["source_id"] for k in jobs.due_keys(priority=5)] == [1]
    assert jobs.reserve({"source_id": 4}) is False  # not due yet
    result = p.Out.populate(reserve_jobs=True, refresh=False)
    assert result == {"success_count": 2, "error_list": []}
    assert _ids(p.Out.keys()) == [1, 2]
    assert _ids(jobs.to_dicts()) == [4]  # completed jobs are deleted


def test_reserve_exactly_once_then_complete(p):
    jobs = p.Out.jobs
    jobs.refresh()
    key = {"source_id": 2}
    assert jobs.reserve(key) is True
    assert jobs.reserve(key) is False  # someone (here: we) already has it
    row = (jobs & key).fetch1()
    assert row["status"] == "reserved" and row["pid"] > 0 and row["host"] and row["reserved_time"] is not None
    assert row["connection_id"] == p.connection.connection_id
    assert jobs.progress()["reserved"] == 1
    jobs.complete(key, duration=1.5)
    assert not (jobs & key)
    with dj.config.override(jobs__keep_completed=True):
        jobs.refresh()
        assert jobs.reserve({"source_id": 3})
        jobs.complete({"source_id": 3}, duration=2.5)
    row = (jobs & {"source_id": 3}).fetch1()
    assert row["status"] == "success" and row["duration"] == 2.5 and row["completed_time"] is not None
    assert _ids(jobs.completed.to_dicts()) == [3]


def test_keep_completed_repends_keys_missing_from_the_target(p):
    with dj.config.override(jobs__keep_completed=True):
        p.Out.populate({"source_id": 0}, reserve_jobs=True)
        assert (p.Out.jobs & {"source_id": 0}).fetch1("status") == "success"
        (p.Out & {"source_id": 0}).delete(prompt=False)
        assert p.Out.jobs.refresh({"source_id": 0})["re_pended"] == 1
        assert (p.Out.jobs & {"source_id": 0}).fetch1("status") == "pending"


def test_failing_keys_record_message_and_stack_then_retry(p):
    result = p.Out.populate(reserve_jobs=True, suppress_errors=True)
    assert result["success_count"] == N_KEYS - len(FAILING)
    assert sorted(k["source_id"] for k, _ in result["error_list"]) == sorted(FAILING)
    assert {m for _, m in result["error_list"]} == {f"ValueError: cannot make {i}" for i in FAILING}
    errors = p.Out.jobs.errors.to_dicts()
    assert _ids(errors) == sorted(FAILING)
    for row in errors:
        assert row["error_message"] == f"ValueError: cannot make {row['source_id']}"
        stack = unpack_text(row["error_stack"])
        assert stack.startswith("Traceback") and "in make" in stack and stack.rstrip().endswith(row["error_message"])
        assert row["completed_time"] is not None
    # no partial rows of the failed keys; the others complete
    assert not (p.Out & [{"source_id": i} for i in FAILING])
    assert not (p.Out.Piece & [{"source_id": i} for i in FAILING])
    assert len(p.Out.Piece()) == 2 * (N_KEYS - len(FAILING))
    # errors are not retried by themselves
    assert p.Out.populate(reserve_jobs=True, suppress_errors=True) == {"success_count": 0, "error_list": []}
    p.state.failing.clear()
    assert p.Out.jobs.errors.delete() == len(FAILING)
    assert p.Out.populate(reserve_jobs=True) == {"success_count": len(FAILING), "error_list": []}
    assert len(p.Out()) == N_KEYS and p.Out.jobs.progress()["total"] == 0


def test_error_without_suppress_is_recorded_and_raised(p):
    with pytest.raises(ValueError, match="cannot make 3"):
        p.Out.populate({"source_id": 3}, reserve_jobs=True)
    assert (p.Out.jobs & {"source_id": 3}).fetch1("status") == "error"


def test_long_error_message_is_truncated(p):
    jobs = p.Out.jobs
    jobs.error({"source_id": 6}, "x" * 5000, "stack text")
    row = (jobs & {"source_id": 6}).fetch1()
    assert len(row["error_message"]) == 2047 and row["error_message"].endswith("...truncated")
    assert unpack_text(row["error_stack"]) == "stack text"
    assert row["status"] == "error"


def test_ignored_keys_are_skipped(p):
    p.Out.jobs.ignore({"source_id": 1})
    p.Out.jobs.ignore({"source_id": 2})
    result = p.Out.populate(reserve_jobs=True, suppress_errors=True)
    assert result["success_count"] == N_KEYS - 2 - len(FAILING)
    assert 1 not in _ids(p.Out.keys()) and _ids(p.Out.jobs.ignored.to_dicts()) == [1, 2]
    assert p.Out.jobs.progress()["ignore"] == 2


def test_keyboard_interrupt_releases_the_reservation(p):
    p.state.interrupt = 4
    p.state.failing.clear()
    with pytest.raises(KeyboardInterrupt):
        p.Out.populate(reserve_jobs=True, suppress_errors=True)
    assert not (p.Out & {"source_id": 4}) and not (p.Out.Piece & {"source_id": 4})
    row = (p.Out.jobs & {"source_id": 4}).fetch1()
    assert row["status"] == "pending" and row["pid"] == 0 and row["reserved_time"] is None
    assert p.Out.jobs.progress()["reserved"] == 0
    p.state.interrupt = None
    done_before = len(p.Out())
    assert done_before < N_KEYS
    assert p.Out.populate(reserve_jobs=True)["success_count"] == N_KEYS - done_before
    assert (p.Out & {"source_id": 4}).fetch1("doubled") == 8


def test_refresh_removes_jobs_whose_key_left(p):
    p.Out.populate(reserve_jobs=True, suppress_errors=True)
    (p.Source & {"source_id": 3}).delete(prompt=False)
    assert p.Out.jobs.refresh()["removed"] == 1
    assert _ids(p.Out.jobs.errors.to_dicts()) == [5]


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_refresh_recovers_reservations_of_gone_workers_only(p):
    jobs = p.Out.jobs
    jobs.refresh()
    assert jobs.reserve({"source_id": 1}) and jobs.reserve({"source_id": 2})
    # key 2's holder is gone: a session id the server does not know, a process that exited
    d = p.connection.dialect
    p.connection.query(
        f"UPDATE {jobs.full_table_name} SET {d.quote('connection_id')} = 987654321, {d.quote('pid')} = {_dead_pid()} "
        f"WHERE {d.quote('source_id')} = 2")
    assert jobs.refresh()["orphaned"] == 1
    assert (jobs & {"source_id": 2}).fetch1("status") == "pending"
    assert (jobs & {"source_id": 1}).fetch1("status") == "reserved"  # its holder (this session) is alive
    time.sleep(0.02)
    assert jobs.refresh(orphan_timeout=0)["orphaned"] == 1  # by age, as DataJoint does
    assert jobs.reserved.to_dicts() == []


def test_populate_recovers_dead_reservations_by_itself(p):
    jobs = p.Out.jobs
    jobs.refresh()
    assert jobs.reserve({"source_id": 0})
    d = p.connection.dialect
    p.connection.query(f"UPDATE {jobs.full_table_name} SET {d.quote('connection_id')} = 987654321, "
                       f"{d.quote('pid')} = {_dead_pid()}")
    p.state.failing.clear()
    assert p.Out.populate(reserve_jobs=True)["success_count"] == N_KEYS


def test_jobs_drop_and_recreate(p):
    p.Out.jobs.refresh()
    p.Out.jobs.drop()
    assert "~~out" not in p.connection.catalog.table_infos(p.schema.database)
    assert p.Out.jobs.progress()["total"] == 0  # created again, empty


def _reference_lines(table: str) -> list[str]:
    """The SHOW CREATE TABLE lines DataJoint 2.3.5 wrote for ``table`` on MariaDB."""
    block = REFERENCE_DDL.read_text().split(f"CREATE TABLE `{table}` (")[1]
    return [f"`{table}` ("] + block.split(";\n")[0].splitlines()[1:]


def test_jobs_table_layout_matches_datajoint_on_mariadb(tmp_path):
    require_backend("mysql")
    conn = make_connection("mysql", tmp_path)
    name = fresh_schema_name()
    try:
        ref = declare_reference(dj.Schema(name, connection=conn))
        assert ref.ProcessedEMG.jobs.table_name == "~~processed_e_m_g"
        ours = conn.query(f"SHOW CREATE TABLE `{name}`.`~~processed_e_m_g`").fetchone()[1].splitlines()
        expected = [line.replace("interop_reference", name) for line in _reference_lines("~~processed_e_m_g")]
        ours[0] = ours[0].replace("CREATE TABLE ", "")
        assert ours == expected
    finally:
        drop_schema(conn, name)
        conn.close_all()


def test_job_metadata_columns_are_filled(p):
    Source = p.Source  # noqa: F841 - in scope for '-> Source'
    with dj.config.override(jobs__add_job_metadata=True):

        @p.schema
        class Timed(dj.Computed):
            definition = """
            -> Source
            ---
            value : int32
            """

            def make(self, key):
                self.insert1(dict(key, value=1))

    assert Timed.populate({"source_id": 1}, reserve_jobs=True)["success_count"] == 1
    q = p.connection.dialect.quote
    start, duration, version = p.connection.query(
        f"SELECT {q('_job_start_time')}, {q('_job_duration')}, {q('_job_version')} FROM {Timed.full_table_name}"
    ).fetchone()
    assert start is not None and 0 <= duration < 60 and version == ""


def test_sigterm_inside_make_releases_the_key_and_restores_the_handler(p):
    p.state.failing.clear()
    previous = signal.getsignal(signal.SIGTERM)
    def terminate_in_make(key):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)  # the handler raises SystemExit during this sleep

    p.state.hook = terminate_in_make
    with pytest.raises(SystemExit):
        p.Out.populate(reserve_jobs=True, max_calls=1)
    assert signal.getsignal(signal.SIGTERM) is previous
    assert len(p.Out()) == 0 and len(p.Out.Piece()) == 0
    assert p.Out.jobs.progress()["reserved"] == 0 and p.Out.jobs.progress()["pending"] == N_KEYS


def test_sigterm_outside_make_stops_after_the_current_key(p):
    p.state.failing.clear()

    def terminate_between_keys(progress):
        os.kill(os.getpid(), signal.SIGTERM)  # arrives while populate updates the jobs table

    with pytest.raises(SystemExit):
        p.Out.populate(reserve_jobs=True, callback=terminate_between_keys)
    assert len(p.Out()) == 1 and len(p.Out.Piece()) == 2
    assert p.Out.jobs.progress() == {"pending": N_KEYS - 1, "reserved": 0, "success": 0, "error": 0, "ignore": 0,
                                         "total": N_KEYS - 1}


def test_schema_jobs_lists_existing_jobs_tables_with_their_classes(p):
    assert p.schema.jobs == []  # no jobs table before the first reserve_jobs populate
    p.Out.populate(reserve_jobs=True, suppress_errors=True)
    (jobs,) = p.schema.jobs
    assert jobs.table_name == "~~out" and jobs.target.__class__ is p.Out
    assert jobs.progress()["error"] == len(FAILING)
    # a new Schema object on the same database makes the class from the catalog
    (again,) = dj.Schema(p.schema.database, connection=p.connection).jobs
    assert again.table_name == "~~out" and again.target.table_name == p.Out.table_name
    assert sorted(again.errors.to_dicts(), key=lambda r: r["source_id"])[0]["error_message"].startswith("ValueError")
