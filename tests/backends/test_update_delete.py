"""update1, delete (cascade, part integrity, prompt, transactions), delete_quick and drop
on every backend.  Every test mutates, so each gets a fresh schema with the pipeline."""

from __future__ import annotations

import types

import pytest

import dj_jupyter as dj
from dj_jupyter.errors import DataJointError, IntegrityError, ValidationError
from tests.backends.pipeline import declare_pipeline, fill_pipeline, table_state


@pytest.fixture
def p(connection, schema_name):
    pipeline = declare_pipeline(dj.Schema(schema_name, connection=connection))
    fill_pipeline(pipeline)
    return pipeline


def counts(p) -> dict[str, int]:
    return {name: len(getattr(p, name)()) for name in ("Subject", "Session", "Analysis", "Review")} | {
        "Item": len(p.Analysis.Item())}


FULL = dict(Subject=3, Session=5, Analysis=5, Review=2, Item=7)


# ------------------------------------------------------------------------------ update1
def test_update1_sets_a_value(p):
    p.Subject.update1(dict(subject_id=1, name="Anna", weight=21.0))
    assert (p.Subject & dict(subject_id=1)).fetch1() == dict(subject_id=1, name="Anna", sex="F", weight=21.0)
    assert (p.Subject & dict(subject_id=2)).fetch1("name") == "Bob"  # other rows untouched


def test_update1_none_sets_null_or_default(p):
    p.Subject.update1(dict(subject_id=1, weight=None, sex=None))
    assert (p.Subject & dict(subject_id=1)).fetch1("weight", "sex") == (None, "U")


def test_update1_validates_values(p):
    before = table_state(p.Subject)
    with pytest.raises(ValidationError, match="`sex`"):
        p.Subject.update1(dict(subject_id=1, sex="X"))
    with pytest.raises(ValidationError, match="`name`"):
        p.Subject.update1(dict(subject_id=1, name=None))
    assert table_state(p.Subject) == before


@pytest.mark.parametrize("row,match", [
    (dict(name="x"), "primary key"),
    (dict(subject_id=1, height=2.0), "height"),
    (dict(subject_id=99, name="x"), "exactly one row"),
])
def test_update1_errors(p, row, match):
    before = table_state(p.Subject)
    with pytest.raises(DataJointError, match=match):
        p.Subject.update1(row)
    assert table_state(p.Subject) == before


def test_update1_on_restricted_table_refused(p):
    with pytest.raises(DataJointError, match="restricted"):
        (p.Subject & dict(subject_id=1)).update1(dict(subject_id=1, name="x"))
    assert (p.Subject & dict(subject_id=1)).fetch1("name") == "Ann"


# ------------------------------------------------------------------------------ delete_quick
def test_delete_quick_leaf(p):
    assert (p.Review & dict(subject_id=1)).delete_quick(get_count=True) == 1
    assert counts(p) == dict(FULL, Review=1)


def test_delete_quick_of_parent_with_children_is_refused_whole(p):
    with pytest.raises(IntegrityError):
        p.Subject.delete_quick()
    assert counts(p) == FULL


# ------------------------------------------------------------------------------ cascade
def test_delete_cascades_through_all_levels(p):
    n = (p.Subject & dict(subject_id=1)).delete(prompt=False)
    assert n == 1
    # subject 1: 2 sessions, 2 analyses with 1 + 2 items, 1 review; subject 2's session 0 named
    # subject 1 nowhere, but subject 1's session 0 named subject 2 (renamed FK) and goes with subject 1
    assert counts(p) == dict(Subject=2, Session=3, Analysis=3, Review=1, Item=4)
    assert not (p.Session & dict(subject_id=1))


def test_delete_cascades_through_renamed_foreign_key(p):
    (p.Subject & dict(subject_id=2)).delete(prompt=False)
    # subject 2's own sessions (2) and subject 1's session 0, whose buddy was subject 2
    assert p.Session.keys(order_by="KEY") == [dict(subject_id=1, session=1), dict(subject_id=3, session=0)]
    assert p.Analysis.keys(order_by="KEY") == p.Session.keys(order_by="KEY")
    assert p.Review.keys() == [dict(subject_id=1, session=1, reviewer="eve")]


def test_restricted_delete_removes_only_dependents_of_matching_rows(p):
    n = (p.Session & dict(subject_id=2, session=1)).delete(prompt=False)
    assert n == 1
    assert counts(p) == dict(Subject=3, Session=4, Analysis=4, Review=2, Item=5)
    assert dict(subject_id=2, session=1) not in [k for k in p.Analysis.keys()]


def test_delete_restricted_by_a_descendant(p):
    """The seed's rows are chosen before Review (which decides them) loses its rows."""
    assert (p.Subject & p.Review).delete(prompt=False) == 2
    assert counts(p) == dict(Subject=1, Session=1, Analysis=1, Review=0, Item=1)


def test_delete_restricted_by_top(p):
    assert (p.Subject & dj.Top(1, order_by="subject_id DESC")).delete(prompt=False) == 1
    assert p.Subject.keys(order_by="KEY") == [dict(subject_id=1), dict(subject_id=2)]
    assert (p.Review & dj.Top(1)).delete_quick(get_count=True) == 1
    assert p.Review.keys() == [dict(subject_id=2, session=0, reviewer="eve")]


def test_delete_with_nothing_matching_returns_zero(p):
    assert (p.Subject & dict(subject_id=42)).delete(prompt=False) == 0
    assert counts(p) == FULL


def test_delete_returns_seed_count(p):
    assert p.Analysis.delete(prompt=False) == 5
    assert counts(p) == dict(Subject=3, Session=5, Analysis=0, Review=0, Item=0)


def test_invalid_part_integrity(p):
    with pytest.raises(ValueError, match="part_integrity"):
        p.Subject.delete(prompt=False, part_integrity="sometimes")


# ------------------------------------------------------------------------------ parts
def test_part_delete_refused_when_enforced(p):
    with pytest.raises(DataJointError, match="master"):
        (p.Analysis.Item & dict(subject_id=1, session=1, item=0)).delete(prompt=False)
    assert counts(p) == FULL


def test_part_delete_with_ignore(p):
    assert (p.Analysis.Item & dict(subject_id=1, session=1, item=0)).delete(prompt=False, part_integrity="ignore") == 1
    assert counts(p) == dict(FULL, Item=6)


def test_part_delete_with_cascade_deletes_master_and_its_other_parts(p):
    (p.Analysis.Item & dict(subject_id=1, session=1, item=0)).delete(prompt=False, part_integrity="cascade")
    # the master row (1, 1) goes, with both of its items and its review
    assert counts(p) == dict(FULL, Analysis=4, Item=5, Review=1)
    assert not (p.Analysis.Item & dict(subject_id=1, session=1))


def test_part_delete_with_cascade_returns_the_parts_count(p):
    """The count is the rows deleted from the part delete() was called on: both items of the master (1, 1)."""
    assert (p.Analysis.Item & dict(subject_id=1, session=1, item=0)).delete(prompt=False,
                                                                           part_integrity="cascade") == 2
    assert counts(p) == dict(FULL, Analysis=4, Item=5, Review=1)


@pytest.fixture
def runs(connection, schema_name):
    """A master whose part references another table: deleting that table's rows reaches the part."""
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Method(dj.Lookup):
        definition = """
        method : varchar(8)
        """
        contents = [dict(method="a"), dict(method="b")]

    @schema
    class Batch(dj.Manual):
        definition = """
        batch : int32
        """

        class Run(dj.Part):
            definition = """
            -> master
            run : int16
            ---
            -> Method
            """

    Batch.insert([dict(batch=b) for b in (1, 2, 3)])
    Batch.Run.insert([dict(batch=b, run=r, method=m) for b, r, m in ((1, 1, "a"), (1, 2, "b"), (2, 1, "b"),
                                                                     (3, 1, "a"), (3, 2, "a"))])
    return types.SimpleNamespace(Method=Method, Batch=Batch)


def test_cascade_reaching_a_part_deletes_its_masters_with_cascade(runs):
    """part_integrity='cascade' from a table the part references: the batches that used method a go, with all
    their runs (also run (1, 2), which used b); batch 2 never used a and stays."""
    assert (runs.Method & dict(method="a")).delete(prompt=False, part_integrity="cascade") == 1
    assert runs.Batch().keys(order_by="KEY") == [dict(batch=2)]
    assert runs.Batch.Run().to_dicts(order_by="KEY") == [dict(batch=2, run=1, method="b")]
    assert runs.Method().keys(order_by="KEY") == [dict(method="b")]


def test_cascade_reaching_a_part_is_refused_when_enforced_and_partial_when_ignored(runs):
    before = table_state(runs.Batch.Run), table_state(runs.Batch), table_state(runs.Method)
    with pytest.raises(DataJointError, match="part"):
        (runs.Method & dict(method="a")).delete(prompt=False)
    assert (table_state(runs.Batch.Run), table_state(runs.Batch), table_state(runs.Method)) == before
    assert (runs.Method & dict(method="a")).delete(prompt=False, part_integrity="ignore") == 1
    assert len(runs.Batch()) == 3 and [r["method"] for r in runs.Batch.Run().to_dicts()] == ["b", "b"]


# ------------------------------------------------------------------------------ prompt
def test_prompt_no_deletes_nothing(p, monkeypatch, capsys):
    answers = []
    monkeypatch.setattr("builtins.input", lambda question: answers.append(question) or "no")
    assert (p.Subject & dict(subject_id=3)).delete(prompt=True) == 0
    assert answers and "Commit" in answers[0]
    assert counts(p) == FULL
    assert "subject" in capsys.readouterr().out  # the affected tables were listed


def test_prompt_yes_deletes(p, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda question: "yes")
    assert (p.Subject & dict(subject_id=3)).delete(prompt=True) == 1
    assert counts(p) == dict(Subject=2, Session=4, Analysis=4, Review=2, Item=6)


def test_safemode_config_decides_when_prompt_is_none(p, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda question: "no")
    with dj.config.override(safemode=True):
        assert (p.Subject & dict(subject_id=3)).delete() == 0
    assert counts(p) == FULL
    with dj.config.override(safemode=False):
        assert (p.Subject & dict(subject_id=3)).delete() == 1


# ------------------------------------------------------------------------------ transactions
def test_delete_joins_user_transaction_and_rolls_back_with_it(p, connection):
    with pytest.raises(RuntimeError):
        with connection.transaction:
            assert (p.Subject & dict(subject_id=1)).delete(prompt=False) == 1
            assert not (p.Subject & dict(subject_id=1))
            raise RuntimeError("abort")
    assert counts(p) == FULL


def test_delete_with_prompt_inside_transaction_refused(p, connection):
    with connection.transaction:
        with pytest.raises(DataJointError, match="transaction"):
            p.Subject.delete(prompt=True)
    assert counts(p) == FULL


# ------------------------------------------------------------------------------ drop
def test_drop_with_dependents(p, connection, schema_name):
    p.Session.drop(prompt=False)
    remaining = set(dj.Schema(schema_name, connection=connection).list_tables())
    assert remaining == {"subject"}
    assert len(p.Subject()) == 3


def test_drop_prompt_no_keeps_tables(p, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda question: "no")
    p.Analysis.drop(prompt=True)
    assert counts(p) == FULL


def test_drop_part_alone_refused_and_restricted_drop_refused(p):
    with pytest.raises(DataJointError, match="master"):
        p.Analysis.Item.drop(prompt=False)
    with pytest.raises(DataJointError, match="restricted"):
        (p.Review & dict(subject_id=1)).drop(prompt=False)
    with pytest.raises(ValueError):
        p.Review.drop(prompt=False, part_integrity="cascade")
    assert counts(p) == FULL
