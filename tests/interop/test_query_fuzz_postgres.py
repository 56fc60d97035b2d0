"""The differential fuzz cases of tests/interop/test_query_fuzz.py on PostgreSQL.

DataJoint 2.3.5 with ``database.backend = "postgresql"`` declares and fills the fuzz schema; both libraries
run the same expressions.  PostgreSQL adds one reference defect (``pg_backquotes``) and lacks MariaDB's
(``group_by`` errors come from PostgreSQL's own grouping rules).
"""

from __future__ import annotations

import pytest

from tests.interop.fuzz_compare import CASES, SEED, assert_case_agrees, assert_covers_the_algebra, open_world


@pytest.fixture(scope="module")
def pg_world(djref, pg):
    return open_world(djref, pg.ref_conn, pg.conn, pg.new_schema(), "postgresql")


@pytest.mark.parametrize("case", range(CASES), ids=lambda i: f"case_{i:03d}")
def test_query_agrees_with_datajoint_on_postgres(pg_world, case):
    assert_case_agrees(pg_world, case)


def test_generator_covers_the_algebra(pg_world):
    assert_covers_the_algebra(pg_world, SEED, CASES)
