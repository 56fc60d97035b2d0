"""The same definitions declared by DataJoint 2.3.5 and by dj_jupyter give identical tables on MariaDB.

Every table of the two schemas (the pipeline's, the hidden lineage table, the jobs tables made by
``populate(reserve_jobs=True)``) is compared through ``SHOW CREATE TABLE`` with the schema name masked.
"""

from __future__ import annotations

import datetime
import decimal
import re
import uuid

import pytest

import dj_jupyter as dj
from tests.interop import pipeline

CORE_TYPES = """
# one column per core type, with defaults, comments and indexes
row_id : int16                 # row number
tag : varchar(16)
---
v_int8 : int8
v_int16 : int16
v_int32 : int32
v_int64 : int64
v_float32 : float32
v_float64 : float64
v_bool : bool
v_uuid : uuid
v_json : json
v_date : date
v_datetime : datetime
v_datetime3 : datetime(3)
v_char : char(4)
v_varchar : varchar(100)       # free "text" with 'quotes'
v_enum : enum('alpha', 'beta', 'gamma')
v_decimal : decimal(10,4)
v_bytes : bytes
n_int32 = null : int32
n_varchar = null : varchar(10)
d_int = 42 : int32
d_str = "dflt" : varchar(16)
d_dec = 1.50 : decimal(4,2)
d_enum = 'beta' : enum('alpha', 'beta')
created = CURRENT_TIMESTAMP : datetime
unique index(v_varchar)
index(v_date, v_int16)
"""


@pytest.fixture(scope="module")
def schemas(djref, ref_conn, conn, stores, new_schema, tmp_path_factory):
    """``{library: schema name}``: the pipeline (and a table of core types) declared and populated by each."""
    names = {}
    for lib, connection in ((djref, ref_conn), (dj, conn)):
        names[lib.__name__] = new_schema()
        schema = lib.Schema(names[lib.__name__], connection=connection)
        p = pipeline.declare(lib, schema, tmp_path_factory.mktemp(lib.__name__))
        schema(type("CoreTypes", (lib.Manual,), {"definition": CORE_TYPES}))
        pipeline.fill_manual(p)
        p.Recording.populate(reserve_jobs=True)
    return names


def tables_of(conn, schema: str) -> list[str]:
    rows = conn.query("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)).fetchall()
    return sorted(row[0] for row in rows)


def create_table(conn, schema: str, table: str) -> str:
    text = conn.query(f"SHOW CREATE TABLE `{schema}`.`{table}`").fetchone()[1]
    return re.sub(r" AUTO_INCREMENT=\d+", "", text.replace(f"`{schema}`", "`S`"))


def test_same_tables(schemas, conn):
    ref_tables = tables_of(conn, schemas["datajoint"])
    assert {"#species", "subject", "_recording", "__analysis", "__analysis__channel", "~~recording", "~lineage"} <= set(ref_tables)
    assert tables_of(conn, schemas["dj_jupyter"]) == ref_tables


def test_same_create_table(schemas, conn):
    for table in tables_of(conn, schemas["datajoint"]):
        expected = create_table(conn, schemas["datajoint"], table)
        assert create_table(conn, schemas["dj_jupyter"], table) == expected, table


def test_same_lineage(schemas, conn):
    """The hidden ``~lineage`` table (semantic matching of joins) holds the same rows."""
    def lineage(schema: str) -> list[tuple]:
        rows = conn.query(f"SELECT * FROM `{schema}`.`~lineage`").fetchall()
        return sorted(tuple(str(v).replace(schema, "S") for v in row) for row in rows)

    expected = lineage(schemas["datajoint"])
    assert ("session", "experimenter", "S.experimenter.experimenter") in expected
    assert lineage(schemas["dj_jupyter"]) == expected


ROWS = [
    dict(row_id=1, tag="a", v_int8=-128, v_int16=32767, v_int32=-2**31, v_int64=2**63 - 1, v_float32=1.5,
         v_float64=-2.25e-300, v_bool=True, v_uuid=uuid.UUID(int=2**128 - 1), v_json={"a": [1, None, "x"], "b": {}},
         v_date=datetime.date(1999, 12, 31), v_datetime=datetime.datetime(2026, 2, 3, 4, 5, 6),
         v_datetime3=datetime.datetime(2026, 2, 3, 4, 5, 6, 789000), v_char="abcd", v_varchar="it's \\ 100% \"ok\"",
         v_enum="gamma", v_decimal=decimal.Decimal("-123456.0001"), v_bytes=bytes(range(256)),
         n_int32=None, n_varchar=None),
    dict(row_id=2, tag="b", v_int8=0, v_int16=0, v_int32=0, v_int64=0, v_float32=0.0, v_float64=0.0, v_bool=False,
         v_uuid=uuid.UUID(int=0), v_json=[1, 2], v_date=datetime.date(2026, 1, 1),
         v_datetime=datetime.datetime(2026, 1, 1), v_datetime3=datetime.datetime(2026, 1, 1), v_char="",
         v_varchar="", v_enum="alpha", v_decimal=decimal.Decimal("0"), v_bytes=b"", n_int32=7, n_varchar="x",
         d_int=1, d_str="s", d_dec=decimal.Decimal("2.50"), d_enum="alpha"),
]


@pytest.mark.parametrize("writer", ["datajoint", "dj_jupyter"])
def test_core_type_values_cross_over(schemas, djref, ref_conn, conn, writer):
    """Rows written by one library are fetched equal (values and Python types) by both."""
    name = schemas[writer]
    tables = {"datajoint": djref.Schema(name, connection=ref_conn), "dj_jupyter": dj.Schema(name, connection=conn)}
    libs = {"datajoint": djref, "dj_jupyter": dj}
    classes = {k: tables[k](type("CoreTypes", (libs[k].Manual,), {"definition": CORE_TYPES})) for k in libs}
    (classes[writer] & "row_id < 100").delete_quick()
    for row in ROWS:  # the second row sets every default; the first relies on them
        classes[writer].insert1(row)
    fetched = {k: [{a: v for a, v in r.items() if a != "created"} for r in c.to_dicts(order_by="row_id")]
               for k, c in classes.items()}
    assert fetched["dj_jupyter"] == fetched["datajoint"]
    assert [{k: type(v) for k, v in r.items()} for r in fetched["dj_jupyter"]] == [
        {k: type(v) for k, v in r.items()} for r in fetched["datajoint"]]
    assert fetched["datajoint"][0]["v_varchar"] == ROWS[0]["v_varchar"] and fetched["datajoint"][0]["d_dec"] == decimal.Decimal("1.50")
