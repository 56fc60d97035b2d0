"""Restricting by long lists of keys: one IN list per set of attributes, on every backend.

An OR chain of equalities fails on SQLite past 1,000 terms ("Expression tree is too large"),
is planned slowly by MariaDB (minutes for 70,000 keys) and, on PostgreSQL, a query with more
than 65,535 parameters cannot be sent: these tests pin that long lists work and select
exactly the listed rows.
"""

from __future__ import annotations

import numpy as np
import pytest

import dj_jupyter as dj
from tests.backends.conftest import BACKENDS, drop_schema, fresh_schema_name, make_connection, require_backend

N_ROWS = 3_000


@pytest.fixture(scope="module", params=BACKENDS)
def t(request, tmp_path_factory):
    require_backend(request.param)
    conn = make_connection(request.param, tmp_path_factory.mktemp("keys"))
    name = fresh_schema_name()
    schema = dj.Schema(name, connection=conn)

    @schema
    class Trial(dj.Manual):
        definition = """
        trial_id : uint32
        hand : enum('left', 'right')
        ---
        score : float64
        label : varchar(16)
        """

    rng = np.random.default_rng(7)
    Trial.insert([dict(trial_id=i // 2, hand=("left", "right")[i % 2], score=float(rng.random()), label=f"t{i}")
                  for i in range(N_ROWS)])
    yield Trial
    drop_schema(conn, name)
    conn.close_all()


def test_a_long_list_of_full_keys_selects_exactly_those_rows(t):
    keys = t.keys(order_by="KEY")
    chosen = keys[::3]  # 1,000 keys of two attributes, one of them an enum
    assert len(t & chosen) == len(chosen)
    got = {(r["trial_id"], r["hand"]) for r in (t & chosen).to_dicts()}
    assert got == {(k["trial_id"], k["hand"]) for k in chosen}
    assert len(t - chosen) == N_ROWS - len(chosen)


def test_a_long_list_of_single_values_and_nulls_mixed_in(t):
    ids = [{"trial_id": i} for i in range(0, N_ROWS // 2, 2)]  # 750 values -> 1,500 rows
    assert len(t & ids) == 2 * len(ids)
    assert len(t & (ids + [{"label": None}])) == 2 * len(ids)  # the IS NULL term matches nothing
    assert len(t & (ids + [{"hand": "left", "trial_id": 1}])) == 2 * len(ids) + 1


def test_lists_of_keys_with_different_attribute_sets_are_or_ed(t):
    mixed = [{"trial_id": 3}] * 2 + [{"trial_id": 5, "hand": "left"}, {"label": "t20"}, {"label": "t21", "score": -1.0}]
    assert sorted((r["trial_id"], r["hand"]) for r in (t & mixed).to_dicts()) == [(3, "left"), (3, "right"),
                                                                                 (5, "left"), (10, "left")]


def test_more_keys_than_a_statement_can_bind(t):
    """34,000 two-attribute keys: 68,000 values, past PostgreSQL's 65,535 parameters."""
    keys = [{"trial_id": i, "hand": "right"} for i in range(34_000)]
    assert len(t & keys) == N_ROWS // 2
    assert len(t - keys) == N_ROWS // 2
