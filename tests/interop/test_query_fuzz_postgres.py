"""The differential fuzz cases of tests/interop/test_query_fuzz.py on PostgreSQL.

DataJoint 2.3.5 with ``database.backend = "postgresql"`` declares and fills the fuzz schema; both libraries
run the same expressions.  PostgreSQL adds one reference defect (``pg_backquotes``) and lacks MariaDB's
(``group_by`` errors come from PostgreSQL's own grouping rules).
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

import dj_jupyter as dj
from tests.interop import fuzz_schema
from tests.interop.fuzz_compare import EXPLANATIONS, assert_covers_the_algebra, check_case

SEED = int(os.environ.get("DJ_FUZZ_SEED", "20261128"))
CASES = int(os.environ.get("DJ_FUZZ_CASES", "500"))


@pytest.fixture(scope="module")
def pg_world(djref, pg):
    name = pg.new_schema()
    rows = fuzz_schema.rows_of()
    ref = fuzz_schema.declare(djref, djref.Schema(name, connection=pg.ref_conn))
    fuzz_schema.fill(ref, rows)
    ours = fuzz_schema.declare(dj, dj.Schema(name, connection=pg.conn))
    return SimpleNamespace(ref=ref, ours=ours, rows=rows, conn=pg.conn, backend="postgresql")


@pytest.mark.parametrize("case", range(CASES), ids=lambda i: f"case_{i:03d}")
def test_query_agrees_with_datajoint_on_postgres(pg_world, case):
    found, explained, description = check_case(pg_world, SEED, case)
    assert not found, description + "\n".join(found)
    if explained:
        pytest.xfail("; ".join(EXPLANATIONS[name] for name in sorted(explained)))


def test_generator_covers_the_algebra(pg_world):
    assert_covers_the_algebra(pg_world, SEED, CASES)
