"""populate() in direct mode on every backend: exactly the missing keys, restrictions,
max_calls, one transaction per key, error collection, progress, key_source, tripartite make."""

from __future__ import annotations

import pytest

import dj_jupyter as dj
from dj_jupyter.errors import DataJointError
from tests.backends.pipeline import declare_pipeline


@pytest.fixture
def p(connection, schema_name):
    schema = dj.Schema(schema_name, connection=connection)
    pipeline = declare_pipeline(schema)
    calls: list[dict] = []
    Subject, Session = pipeline.Subject, pipeline.Session  # in scope for the '-> Parent' lines below

    @schema
    class Fragile(dj.Computed):
        definition = """
        -> Session
        ---
        value : int32
        """

        class Piece(dj.Part):
            definition = """
            -> master
            piece : uint8
            """

        def make(self, key):
            calls.append(dict(key))
            self.insert1(dict(key, value=key["session"]))
            self.Piece.insert1(dict(key, piece=0))
            if key["subject_id"] == 2:
                # fails after master and part rows were written: none of them may remain
                raise ValueError(f"bad subject {key['subject_id']}")
            self.Piece.insert1(dict(key, piece=1))

    @schema
    class OnlyFirst(dj.Computed):
        definition = """
        -> Session
        ---
        doubled : int32
        """

        @property
        def key_source(self):
            return Session & "session = 0"

        def make(self, key):
            self.insert1(dict(key, doubled=2 * key["subject_id"]))

    phases: list[str] = []

    @schema
    class ThreeStep(dj.Computed):
        definition = """
        -> Subject
        ---
        n_sessions : int32
        """

        def make_fetch(self, key):
            phases.append("fetch")
            return (len(Session & key),)

        def make_compute(self, key, n):
            phases.append("compute")
            return (n * 10,)

        def make_insert(self, key, value):
            phases.append("insert")
            self.insert1(dict(key, n_sessions=value))

    pipeline.Fragile, pipeline.OnlyFirst, pipeline.ThreeStep = Fragile, OnlyFirst, ThreeStep
    pipeline.calls, pipeline.phases = calls, phases
    # the pipeline's data without populating Analysis (fill_pipeline populates it, and reviews need it)
    pipeline.Subject.insert([dict(subject_id=i, name=f"s{i}") for i in (1, 2, 3)])
    pipeline.Session.insert([dict(subject_id=s, session=n, session_date="2024-01-01")
                             for s in (1, 2, 3) for n in (0, 1) if (s, n) != (3, 1)])
    return pipeline


def test_populate_computes_exactly_the_missing_keys(p):
    p.Analysis.insert1(dict(subject_id=1, session=0, total=-1.0), allow_direct_insert=True)
    result = p.Analysis.populate()
    assert result == {"success_count": 4, "error_list": []}
    assert len(p.Analysis()) == 5 and len(p.Analysis.Item()) == 1 + 2 + 1 + 2 + 1 - 1
    assert (p.Analysis & dict(subject_id=1, session=0)).fetch1("total") == -1.0  # existing row untouched
    assert p.Analysis.populate() == {"success_count": 0, "error_list": []}


def test_populate_with_restrictions_and_max_calls(p):
    assert p.Analysis.populate(dict(subject_id=2))["success_count"] == 2
    assert sorted({k["subject_id"] for k in p.Analysis.keys()}) == [2]
    assert p.Analysis.populate("session = 1", dj.AndList([dict(subject_id=1)]))["success_count"] == 1
    assert p.Analysis.populate(max_calls=1)["success_count"] == 1
    assert len(p.Analysis()) == 4
    assert p.Analysis.progress() == (1, 5)


def test_populate_on_restricted_table_refused(p):
    with pytest.raises(DataJointError, match="restricted"):
        (p.Analysis & dict(subject_id=1)).populate()
    assert len(p.Analysis()) == 0


def test_failing_make_leaves_nothing_of_its_key(p):
    with pytest.raises(ValueError, match="bad subject 2"):
        p.Fragile.populate()
    done = {k["subject_id"] for k in p.Fragile.keys()}
    assert 2 not in done
    assert not (p.Fragile.Piece & dict(subject_id=2))
    assert len(p.Fragile.Piece()) == 2 * len(p.Fragile())  # completed keys have both pieces


def test_suppress_errors_collects_messages(p):
    result = p.Fragile.populate(suppress_errors=True)
    assert result["success_count"] == 3
    assert sorted(k["subject_id"] for k, _ in result["error_list"]) == [2, 2]
    assert all(msg == "ValueError: bad subject 2" for _, msg in result["error_list"])
    assert not (p.Fragile & dict(subject_id=2)) and not (p.Fragile.Piece & dict(subject_id=2))
    assert len(p.Fragile.Piece()) == 6
    assert p.Fragile.progress() == (2, 5)


def test_return_exception_objects(p):
    result = p.Fragile.populate(suppress_errors=True, return_exception_objects=True)
    errors = [e for _, e in result["error_list"]]
    assert len(errors) == 2 and all(isinstance(e, ValueError) for e in errors)
    assert str(errors[0]) == "bad subject 2"


def test_progress(p):
    assert p.Analysis.progress() == (5, 5)
    assert p.Analysis.progress(dict(subject_id=1)) == (2, 2)
    p.Analysis.populate(dict(subject_id=1))
    assert p.Analysis.progress() == (3, 5)
    assert p.Analysis.progress(display=True) == (3, 5)


def test_populate_inside_transaction_refused(p, connection):
    with connection.transaction:
        with pytest.raises(DataJointError, match="transaction"):
            p.Analysis.populate()
    assert len(p.Analysis()) == 0


def test_key_source_override(p):
    assert len(p.OnlyFirst.key_source) == 3
    assert p.OnlyFirst.populate()["success_count"] == 3
    assert sorted((k["subject_id"], k["session"]) for k in p.OnlyFirst.keys()) == [(1, 0), (2, 0), (3, 0)]
    assert p.OnlyFirst.progress() == (0, 3)


def test_default_key_source_is_primary_parents(p):
    assert sorted(p.Analysis.key_source.keys(), key=lambda k: (k["subject_id"], k["session"])) == \
        sorted(p.Session.keys(), key=lambda k: (k["subject_id"], k["session"]))


def test_tripartite_make(p):
    result = p.ThreeStep.populate()
    assert result["success_count"] == 3
    assert p.ThreeStep.to_dicts(order_by="KEY") == [
        dict(subject_id=1, n_sessions=20), dict(subject_id=2, n_sessions=20), dict(subject_id=3, n_sessions=10)]
    # per key: fetch, compute, then (in the transaction) fetch again to check and insert
    assert p.phases == ["fetch", "compute", "fetch", "insert"] * 3


def test_make_may_insert_only_while_populating(p):
    with pytest.raises(DataJointError, match="make"):
        p.Analysis.insert1(dict(subject_id=1, session=0, total=0.0))
    p.Analysis.populate(max_calls=1)
    with pytest.raises(DataJointError, match="make"):  # permission was revoked afterwards
        p.Analysis.insert1(dict(subject_id=3, session=0, total=0.0))


def test_keys_list_attributes_in_the_order_of_the_table(connection, schema_name):
    schema = dj.Schema(schema_name, connection=connection)
    seen = []

    @schema
    class Zeta(dj.Manual):
        definition = """
        zeta_id : int32
        """

    @schema
    class Alpha(dj.Lookup):
        definition = """
        alpha_id : int32
        """
        contents = [{"alpha_id": 1}]

    @schema
    class Combined(dj.Computed):
        definition = """
        -> Zeta
        -> Alpha
        ---
        v : int32
        """

        def make(self, key):
            seen.append(list(key))
            self.insert1(dict(key, v=1))

    Zeta.insert1({"zeta_id": 5})
    assert Combined.key_source.primary_key == ["zeta_id", "alpha_id"] == Combined.primary_key
    Combined.populate()
    assert seen == [["zeta_id", "alpha_id"]]
