"""The same definitions declared by DataJoint 2.3.5 and by dj_jupyter give identical tables on MariaDB.

Every table of the two schemas (the pipeline's, the hidden lineage table, the jobs tables made by
``populate(reserve_jobs=True)``) is compared through ``SHOW CREATE TABLE`` with the schema name masked.
"""

from __future__ import annotations

import re

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
        schema(type("CoreTypes", (lib.Lookup,), {"definition": CORE_TYPES}))
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
