"""Errors and progress recorded in the jobs tables are shared: each library sees the other's."""

from __future__ import annotations

import pytest

import dj_jupyter as dj

ITEM = """
item : int16
---
value : float64
"""

SQUARE = """
-> Item
---
square : float64
"""


def declare(lib, schema, fail: set[int]):
    @schema
    class Item(lib.Lookup):
        definition = ITEM
        contents = [dict(item=i, value=i / 2) for i in range(1, 6)]

    @schema
    class Square(lib.Computed):
        definition = SQUARE

        def make(self, key):
            if key["item"] in fail:
                raise ValueError(f"item {key['item']} is broken")
            self.insert1(dict(key, square=(Item & key).fetch1("value") ** 2))

    return Square


@pytest.mark.parametrize("failing", ["datajoint", "dj_jupyter"])
def test_errors_seen_and_retried_across_libraries(djref, ref_conn, conn, new_schema, failing):
    name = new_schema()
    libs = {"datajoint": (djref, djref.Schema(name, connection=ref_conn)), "dj_jupyter": (dj, dj.Schema(name, connection=conn))}
    other = "dj_jupyter" if failing == "datajoint" else "datajoint"
    broken = declare(*libs[failing], fail={3})
    healthy = declare(*libs[other], fail=set())

    broken.populate(reserve_jobs=True, suppress_errors=True)
    assert len(healthy()) == 4
    errors = healthy.jobs.errors.to_dicts()
    assert [e["item"] for e in errors] == [3] and "item 3 is broken" in errors[0]["error_message"]
    assert "ValueError" in errors[0]["error_stack"]
    healthy.populate(reserve_jobs=True)
    assert len(healthy()) == 4, "a key in error must not be retried before its error is deleted"
    healthy.jobs.errors.delete()
    healthy.populate(reserve_jobs=True)
    assert broken().to_dicts(order_by="item") == [dict(item=i, square=(i / 2) ** 2) for i in range(1, 6)]
    assert not healthy.jobs.errors and not broken.jobs.errors


@pytest.mark.parametrize("worker", ["datajoint", "dj_jupyter"])
def test_job_metadata_and_kept_records_match(djref, ref_conn, conn, new_schema, worker):
    """``jobs.add_job_metadata`` declares the same hidden columns; ``jobs.keep_completed`` keeps 'success' rows.

    Each library declares the tables in its own schema; ``worker`` populates the other library's table.
    """
    libs = {"datajoint": (djref, ref_conn), "dj_jupyter": (dj, conn)}
    names = {lib: new_schema() for lib in libs}
    target = names["dj_jupyter" if worker == "datajoint" else "datajoint"]
    with djref.config.override(jobs__add_job_metadata=True, jobs__keep_completed=True), \
            dj.config.override(jobs__add_job_metadata=True, jobs__keep_completed=True):
        for lib, (module, connection) in libs.items():
            declare(module, module.Schema(names[lib], connection=connection), fail=set())
        module, connection = libs[worker]
        declare(module, module.Schema(target, connection=connection), fail=set()).populate(reserve_jobs=True)
    create = {lib: conn.query(f"SHOW CREATE TABLE `{name}`.`__square`").fetchone()[1] for lib, name in names.items()}
    assert "`_job_start_time` datetime(3)" in create["datajoint"]
    assert create["dj_jupyter"] == create["datajoint"]
    rows = conn.query(f"SELECT _job_start_time, _job_duration FROM `{target}`.`__square`").fetchall()
    assert len(rows) == 5 and all(start is not None and duration is not None for start, duration in rows)
    for lib, (module, connection) in libs.items():  # both see the kept records
        done = declare(module, module.Schema(target, connection=connection), fail=set()).jobs.completed.to_dicts()
        assert sorted(r["item"] for r in done) == [1, 2, 3, 4, 5], lib


def test_reservations_are_recorded_alike(djref, ref_conn, conn, new_schema):
    """A reservation names the same things whichever library made it: user, host, pid, the server connection."""
    name = new_schema()
    ref = declare(djref, djref.Schema(name, connection=ref_conn), fail=set())
    ours = declare(dj, dj.Schema(name, connection=conn), fail=set())
    ref.jobs.refresh()
    assert ref.jobs.reserve({"item": 1}) and ours.jobs.reserve({"item": 2})
    assert not ours.jobs.reserve({"item": 1}) and not ref.jobs.reserve({"item": 2})
    columns = "status, user, host, pid, connection_id, version, reserved_time IS NOT NULL"
    rows = conn.query(f"SELECT {columns} FROM `{name}`.`~~square` WHERE item IN (1, 2) ORDER BY item").fetchall()
    ours_id = conn.query("SELECT connection_id()").fetchone()[0]
    assert rows[0][:4] == rows[1][:4] == ("reserved", ref_conn.get_user(), rows[0][2], rows[0][3])
    assert (rows[0][4], rows[1][4]) == (ref_conn.connection_id, ours_id)
    assert rows[0][5:] == rows[1][5:] == ("", 1)
