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
