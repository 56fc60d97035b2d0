"""KeyCheck (populate's compiled-once ``key in table``) answers exactly as ``key in table`` does."""

from __future__ import annotations

import dj_jupyter as dj
from dj_jupyter.populate.key_check import KeyCheck


def test_key_check_agrees_with_contains(connection, schema_name):
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Animal(dj.Manual):
        definition = """
        animal : int32
        """

    @schema
    class Day(dj.Manual):
        definition = """
        day : int32
        ---
        note : varchar(16)
        """

    @schema
    class Visit(dj.Computed):
        definition = """
        -> Animal
        -> Day
        ---
        value : int32
        """

        def make(self, key):
            self.insert1(dict(key, value=1))

    Animal.insert([{"animal": a} for a in (1, 2, 3)])
    Day.insert([{"day": d, "note": f"d{d}"} for d in (1, 2, 3)])
    Visit.populate({"animal": 1, "day": 2})
    Visit.populate({"animal": 2, "day": 2})
    check = KeyCheck(Visit())
    # (1, 1): equal values first, so the statement is not reused before its parameter order is proven
    keys = [{"animal": a, "day": d} for a in (1, 2, 3) for d in (1, 2, 3)]
    answers = [check(k) for k in keys]
    assert answers == [k in Visit() for k in keys]
    assert sum(answers) == 2
    assert len(check._sql) == 1  # compiled once for this key shape, then reused
    # names the table does not have are ignored, as restriction by a dict ignores them
    assert check({"animal": 1, "day": 2, "note": "x"}) is True
    assert check({"day": 2, "animal": 2}) is True  # another order of the same names: its own statement
    assert check({"day": 3, "animal": 2}) is False
    assert check({"animal": 3}) is False and check({"animal": 2}) is True  # a partial key
