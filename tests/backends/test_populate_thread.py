"""populate in a background thread on its own connection while the main thread inserts and queries;
cancel stops after the current key with no partial rows; progress callbacks are monotonic and true."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

import dj_jupyter as dj
from tests.source_out import declare_source_out

N_KEYS = 40


@pytest.fixture
def p(connection, schema_name):
    schema = dj.Schema(schema_name, connection=connection)

    Source, Out = declare_source_out(schema, n_keys=N_KEYS, factor=3)
    return SimpleNamespace(Source=Source, Out=Out, connection=connection)


def _assert_whole(out) -> None:
    """Every computed key has all of its part rows (no partial keys)."""
    assert len(out.Piece()) == 3 * len(out())
    assert not (out.Piece - out.proj())


@pytest.mark.parametrize("reserve_jobs", [False, True])
def test_background_populate_with_cancel_while_main_thread_works(p, reserve_jobs):
    seen: list[dict] = []
    cancel = threading.Event()
    threads: set[int] = set()

    def callback(progress):
        seen.append(dict(progress))
        threads.add(threading.get_ident())
        if progress["done"] >= N_KEYS // 2:
            cancel.set()

    results: list = []
    worker = threading.Thread(target=lambda: results.append(
        p.Out.populate(reserve_jobs=reserve_jobs, callback=callback, cancel=cancel)))
    worker.start()
    inserted, counts = 0, []
    while worker.is_alive():  # the main thread goes on inserting upstream rows and querying
        p.Source.insert1({"source_id": 1000 + inserted})
        inserted += 1
        counts.append(len(p.Out()))
        time.sleep(0.005)
    worker.join()
    assert inserted > 0 and counts == sorted(counts)
    assert threads == {worker.ident}
    result = results[0]
    done = [s["done"] for s in seen]
    assert done == sorted(done) and [s["elapsed"] for s in seen] == sorted(s["elapsed"] for s in seen)
    assert done[-1] == result["success_count"] == len(p.Out()) == N_KEYS // 2  # stopped after the current key
    # total: the keys pending when populate started (rows the main thread inserted first may count)
    assert len({s["total"] for s in seen}) == 1 and N_KEYS <= seen[0]["total"] <= N_KEYS + inserted
    assert all(s["failed"] == 0 for s in seen)
    assert {s["key"]["source_id"] for s in seen} == {k["source_id"] for k in p.Out}
    _assert_whole(p.Out)
    # the rest, and the rows the main thread added meanwhile
    rest = p.Out.populate(reserve_jobs=reserve_jobs)
    assert rest["success_count"] == N_KEYS + inserted - N_KEYS // 2
    assert len(p.Out()) == N_KEYS + inserted
    _assert_whole(p.Out)


def test_background_threads_use_their_own_connection(p):
    ids: list[int] = []
    worker = threading.Thread(target=lambda: ids.append(p.connection.connection_id))
    worker.start()
    worker.join()
    assert ids and ids[0] != p.connection.connection_id


def test_cancel_set_before_start_computes_nothing(p):
    cancel = threading.Event()
    cancel.set()
    assert p.Out.populate(cancel=cancel) == {"success_count": 0, "error_list": []}
    assert len(p.Out()) == 0
