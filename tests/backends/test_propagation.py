"""Propagation: one call populates every auto-populated table of a schema (or below a table) in
dependency order, so new upstream rows reach every result."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import dj_jupyter as dj
from dj_jupyter.populate.pipeline import auto_populated_classes, populate_order


@pytest.fixture
def p(connection, schema_name):
    """Subject -> Session -> Trace (Imported) -> Filtered (Computed, part) -> Stats (Computed from Filtered
    and Session), and a side branch Subject -> Summary (Computed)."""
    schema = dj.Schema(schema_name, connection=connection)
    order: list[str] = []

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        """

    @schema
    class Trace(dj.Imported):
        definition = """
        -> Session
        ---
        n : int32
        """

        def make(self, key):
            order.append("Trace")
            self.insert1(dict(key, n=key["subject_id"] + key["session"]))

    @schema
    class Filtered(dj.Computed):
        definition = """
        -> Trace
        ---
        total : int64
        """

        class Sample(dj.Part):
            definition = """
            -> master
            i : int32
            """

        def make(self, key):
            order.append("Filtered")
            n = (Trace & key).fetch1("n")
            self.insert1(dict(key, total=sum(range(n + 1))))
            self.Sample.insert([dict(key, i=i) for i in range(n + 1)])

    @schema
    class Stats(dj.Computed):
        definition = """
        -> Filtered
        ---
        doubled : int64
        """

        def make(self, key):
            order.append("Stats")
            self.insert1(dict(key, doubled=2 * (Filtered & key).fetch1("total")))

    @schema
    class Summary(dj.Computed):
        definition = """
        -> Subject
        ---
        n_sessions : int32
        """

        def make(self, key):
            order.append("Summary")
            self.insert1(dict(key, n_sessions=len(Session & key)))

    ns = SimpleNamespace(schema=schema, Subject=Subject, Session=Session, Trace=Trace, Filtered=Filtered,
                         Stats=Stats, Summary=Summary, order=order)
    _add(ns, subjects=(1, 2), sessions=(0, 1))
    return ns


def _add(p, subjects, sessions) -> None:
    p.Subject.insert([{"subject_id": s} for s in subjects])
    p.Session.insert([{"subject_id": s, "session": n} for s in subjects for n in sessions])


def _complete(p) -> None:
    sessions = len(p.Session())
    assert len(p.Trace()) == len(p.Filtered()) == len(p.Stats()) == sessions
    assert len(p.Summary()) == len(p.Subject())
    assert len(p.Filtered.Sample()) == sum(t["n"] + 1 for t in p.Trace.to_dicts())


def test_one_call_populates_the_whole_schema_parents_first(p):
    result = dj.populate_all(p.schema)
    assert list(result) == [c.__name__ for c in populate_order(p.schema)]
    assert {name: r["success_count"] for name, r in result.items()} == {"Trace": 4, "Filtered": 4, "Stats": 4, "Summary": 2}
    _complete(p)
    # every Filtered came after all Traces, every Stats after all Filtered
    assert p.order.index("Filtered") > max(i for i, t in enumerate(p.order) if t == "Trace")
    assert p.order.index("Stats") > max(i for i, t in enumerate(p.order) if t == "Filtered")
    assert (p.Stats & {"subject_id": 2, "session": 1}).fetch1("doubled") == 2 * sum(range(4))


def test_new_upstream_rows_flow_down(p):
    dj.populate_all(p.schema)
    _add(p, subjects=(3,), sessions=(0, 1, 2))
    p.Session.insert1({"subject_id": 1, "session": 5})
    result = dj.populate_all(p.schema, reserve_jobs=True)
    assert {name: r["success_count"] for name, r in result.items()} == {"Trace": 4, "Filtered": 4, "Stats": 4, "Summary": 1}
    _complete(p)
    assert (p.Summary & {"subject_id": 3}).fetch1("n_sessions") == 3
    assert dj.populate_all(p.schema) == {name: {"success_count": 0, "error_list": []} for name in result}


def test_populate_below_a_table_only(p):
    assert [c.__name__ for c in populate_order(p.Filtered)] == ["Filtered", "Stats"]
    assert [c.__name__ for c in populate_order(p.Session)] == ["Trace", "Filtered", "Stats"]
    p.Trace.populate()
    result = dj.populate_all(p.Filtered)
    assert list(result) == ["Filtered", "Stats"]
    assert len(p.Stats()) == 4 and len(p.Summary()) == 0  # the side branch was not touched


def test_restrictions_reach_every_table(p):
    dj.populate_all(p.schema, {"subject_id": 1})
    assert {k["subject_id"] for k in p.Stats} == {1} and len(p.Stats()) == 2
    assert [k["subject_id"] for k in p.Summary] == [1]


def test_classes_found_for_the_connection_latest_definition_wins(p, connection):
    found = auto_populated_classes(connection)
    db = p.schema.database
    assert found[(db, "__stats")] is p.Stats and found[(db, "_trace")] is p.Trace
    Filtered = p.Filtered  # noqa: F841 - in scope for the definition's '-> Filtered'

    @p.schema
    class Stats(dj.Computed):  # a notebook cell run again: the same table, a new class
        definition = p.Stats.definition

        def make(self, key):
            self.insert1(dict(key, doubled=-1))

    assert auto_populated_classes(connection)[(db, "__stats")] is Stats
    order = populate_order(p.schema)
    assert Stats in order and p.Stats not in order
    assert dj.populate_all(p.schema)["Stats"]["success_count"] == 4
    assert set(p.Stats.to_arrays("doubled")) == {-1}


def test_populate_all_refuses_other_objects():
    with pytest.raises(dj.DataJointError, match="needs a dj.Schema or a table"):
        dj.populate_all(42)
