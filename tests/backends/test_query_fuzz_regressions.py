"""Defects the differential fuzzer (tests/interop/test_query_fuzz.py) found, each pinned on every backend.

The fuzz schema (tests/interop/fuzz_schema.py) is declared and filled once per backend and never changed.
"""

from __future__ import annotations

import pytest

import dj_jupyter as dj
from dj_jupyter.errors import DataJointError
from tests.backends.conftest import BACKENDS
from tests.backends.pipeline import module_database
from tests.interop import fuzz_schema

ROWS = fuzz_schema.rows_of()


@pytest.fixture(scope="module", params=BACKENDS)
def m(request, tmp_path_factory):
    for conn, name in module_database(request, tmp_path_factory):
        ns = fuzz_schema.declare(dj, dj.Schema(name, connection=conn))
        fuzz_schema.fill(ns, ROWS)
        ns.backend = request.param
        yield ns


def keyset(rows, *names):
    return sorted(tuple(row[n] for n in names) for row in rows)


# ----------------------------------------------------------------------------- projection order
def test_projection_keeps_the_source_order_renames_in_place_computed_last(m):
    """As DataJoint: attributes in the source's order, each followed by its renames then its duplicates
    (new='(old)'), computed ones last, whatever the order of the arguments."""
    q = m.Pairing().proj(c="strength * 2", strength_1="(strength)", strength_2="strength", partner_2="partner")
    assert q.heading.names == ["lab_id", "animal_id", "partner_2", "strength_2", "strength_1", "c"]
    assert q.primary_key == ["lab_id", "animal_id", "partner_2"]
    kept = m.Session().proj("note", "started", "-task")
    assert kept.heading.names == ["lab_id", "animal_id", "rig", "session", "started", "note"]


def test_renaming_the_first_key_attribute_keeps_the_key_order(m):
    """The key order decides keys() and order_by='KEY': a renamed first attribute stays first."""
    q = m.Animal().proj("sex", lab="lab_id")
    assert q.primary_key == ["lab", "animal_id"]
    assert list(q.keys(limit=1)[0]) == ["lab", "animal_id"]
    expected = sorted((r["lab_id"], r["animal_id"]) for r in ROWS["Animal"])[::-1][:3]
    assert [(k["lab"], k["animal_id"]) for k in q.keys(order_by="KEY DESC", limit=3)] == expected


# ----------------------------------------------------------------------------- unary minus
def test_unary_minus_is_the_negated_restriction(m):
    assert isinstance(-m.Session(), dj.Not)
    with_sessions = {(r["lab_id"], r["animal_id"]) for r in ROWS["Session"]}
    without = sorted((r["lab_id"], r["animal_id"]) for r in ROWS["Animal"] if (r["lab_id"], r["animal_id"]) not in with_sessions)
    assert without, "the fixture has an animal without sessions"
    assert keyset((m.Animal() & -m.Session()).to_dicts(), "lab_id", "animal_id") == without
    assert keyset((m.Animal() - m.Session()).to_dicts(), "lab_id", "animal_id") == without
    assert keyset((m.Animal & -m.Session).to_dicts(), "lab_id", "animal_id") == without  # on classes too


# ----------------------------------------------------------------------------- semantic check
def test_a_universal_set_of_a_native_attribute_is_checked(m):
    """dj.U('label') & Task is keyed by a native attribute: its tables have lineage, so matching its `label`
    with Rig's (also native) is refused, not waved through as if the schema had no lineage."""
    labels = dj.U("label") & m.Task()
    with pytest.raises(DataJointError, match="label"):
        labels.aggr(m.Rig(), n="count(*)")
    with pytest.raises(DataJointError, match="label"):
        m.Rig() * labels
    with pytest.raises(DataJointError, match="label"):
        m.Rig() & labels


@pytest.mark.parametrize("restriction", [
    lambda m: dj.AndList([m.Task(), False]),
    lambda m: [True, m.Task()],
    lambda m: dj.Not(dj.AndList([[], m.Task()])),
], ids=["and-false", "or-true", "not-and-empty"])
def test_a_query_in_a_restriction_is_checked_even_when_the_restriction_simplifies(m, restriction):
    """Rig and Task share the native `label`: refused although AND False / OR True decide the result."""
    with pytest.raises(DataJointError, match="label"):
        m.Rig() & restriction(m)
    with pytest.raises(DataJointError, match="label"):
        m.Rig() - restriction(m)
    assert len(m.Rig().restrict(restriction(m), semantic_check=False)) in (0, len(ROWS["Rig"]))


# ----------------------------------------------------------------------------- Top inside IN (...)
def test_restricting_by_a_top_restricted_query(m):
    """MariaDB refuses LIMIT directly inside IN (SELECT ...): the Top is read from a derived table."""
    last_two = sorted((r["lab_id"], r["animal_id"]) for r in ROWS["Animal"])[-2:]
    q = m.Session() & (m.Animal() & dj.Top(2, "KEY DESC"))
    expected = sorted((r["lab_id"], r["animal_id"], r["rig"], r["session"]) for r in ROWS["Session"]
                      if (r["lab_id"], r["animal_id"]) in last_two)
    assert keyset(q.to_dicts(), "lab_id", "animal_id", "rig", "session") == expected
    u = m.Session() & (dj.U("animal_id") & m.Animal() & dj.Top(1, "animal_id DESC", offset=1))
    second_last = sorted({r["animal_id"] for r in ROWS["Animal"]})[-2]
    assert {row["animal_id"] for row in u.to_dicts()} == ({second_last} & {r["animal_id"] for r in ROWS["Session"]})


# ----------------------------------------------------------------------------- MySQL functions elsewhere
def test_concat_in_a_computed_attribute(m):
    """SQLite (before 3.44) has no concat(): it is written with `||`, NULL when an argument is NULL as in MySQL."""
    rows = {r["animal_id"]: r["c"] for r in m.Animal().proj(c="concat(tag, '!', animal_id)").to_dicts()}
    for row in ROWS["Animal"]:
        if row["tag"] is not None:
            assert rows[row["animal_id"]] == f"{row['tag']}!{row['animal_id']}"
        elif m.backend != "postgresql":  # PostgreSQL's concat() skips NULL arguments (not translated, as DataJoint)
            assert rows[row["animal_id"]] is None
    assert len(m.Animal() & "concat(tag, '!') = 't1!'") == sum(r["tag"] == "t1" for r in ROWS["Animal"])


# ----------------------------------------------------------------------------- a MariaDB optimiser defect
def test_antijoin_with_a_grouped_subquery(m):
    """A - B where B holds every session: nothing is left (A & B is all of A).

    MariaDB 10.11 answered wrongly when its split_materialized optimisation planned B (an aggregation
    of an aggregation, joined): MariaDB sessions now turn that optimisation off.
    """
    a = (m.Pairing() - [{"partner": 999}]) * m.Session().proj(task_1="task").aggr(m.Session.Trial(), a2="count(*)")
    b = (m.Session().aggr(m.Session.Trial(), a3="sum(lab_id)")).aggr(
        m.Session(), a4="max(rig)", a5="min(task)", a6="min(animal_id)", exclude_nonmatching=True)
    assert len(b) == len(ROWS["Session"])
    assert len(a & b) == len(a)
    assert len(a - b) == 0


def test_mariadb_sessions_plan_without_split_materialization(m):
    if m.backend != "mysql":
        pytest.skip("a MariaDB session setting")
    conn = m.Session().connection
    version = conn.query("SELECT VERSION()").fetchone()[0]
    switch = conn.query("SELECT @@SESSION.optimizer_switch").fetchone()[0]
    if "mariadb" in version.lower():
        assert "split_materialized=off" in switch
    else:  # MySQL has no such optimisation
        assert "split_materialized" not in switch
