"""Malformed definitions are refused with a located, actionable error and leave the database unchanged.

Every case runs on every backend; after each refusal the schema's tables and its
``~lineage`` rows are exactly what they were before.
"""

from __future__ import annotations

import pytest

import dj_jupyter as dj
from dj_jupyter.errors import DataJointError, DefinitionError, QueryError
from tests.backends.conftest import BACKENDS
from tests.backends.pipeline import module_database


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory):
    yield from module_database(request, tmp_path_factory)


@pytest.fixture(scope="module")
def base(db):
    """A schema holding one valid table, ``Parent``, that bad definitions may reference."""
    conn, name = db
    schema = dj.Schema(name, connection=conn)

    @schema
    class Parent(dj.Manual):
        definition = """
        parent_id : int32
        ---
        label : varchar(20)
        """

    return schema, Parent


def _snapshot(schema) -> tuple:
    """The schema's tables and lineage rows, read from the database (not from caches)."""
    conn = schema.connection
    infos = conn.catalog.table_infos(schema.database)
    rows = conn.query(f"SELECT table_name, attribute_name, lineage FROM {conn.dialect.full_name(schema.database, '~lineage')}")
    return infos, sorted(tuple(r) for r in rows.fetchall())


def _declare(schema, Parent, definition: str, *, tier=dj.Manual, name: str = "Bad"):
    cls = type(name, (tier,), {"definition": definition})
    return schema(cls, context={"Parent": Parent})


# (definition, tier, line, column, words the message must contain)
LOCATED = {
    "unknown type": ("id : int32\n---\nx : int33", dj.Manual, 3, 5, "unknown type 'int33'"),
    "missing colon": ("id : int32\n---\nx int32", dj.Manual, 3, 3, "expected ':'"),
    "non-numeric default": ("id : int32\n---\nx = abc : int32", dj.Manual, 3, 5, "whole number"),
    "fraction for an integer": ("id : int32\n---\nx = 1.5 : int16", dj.Manual, 3, 5, "whole number"),
    "default out of range": ("id : int32\n---\n  x = 300 : int8", dj.Manual, 3, 7, "from -128 to 127"),
    "default outside the enum": ("id : int32\n---\nx = 'c' : enum('a', 'b')", dj.Manual, 3, 5, "enum values"),
    "default of a json attribute": ("id : int32\n---\nx = '{}' : json", dj.Manual, 3, 5, "only `= null`"),
    "bad date default": ("id : int32\n---\nd = 'soon' : date", dj.Manual, 3, 5, "YYYY-MM-DD"),
    "null in the primary key": ("id = null : int32\n---\nx : int32", dj.Manual, 1, 6, "cannot be nullable"),
    "unresolvable reference": ("-> Nope\n---\nx : int32", dj.Manual, 1, 1, "`Nope` is not defined"),
    "nullable reference in the key": ("-> [nullable] Parent\n---\nx : int32", dj.Manual, 1, 5, "cannot be nullable"),
    "unknown reference option": ("id : int32\n---\n-> [optional] Parent", dj.Manual, 3, 5, "optional"),
    "rename of a non-key attribute": ("-> Parent.proj(p='label')\n---", dj.Manual, 1, 1, "not a primary-key attribute"),
    "json in the primary key": ("j : json\n---\nx : int32", dj.Manual, 1, 1, "primary key"),
    "bytes in the primary key": ("id : int32\nb : bytes\n---", dj.Manual, 2, 1, "primary key"),
    "unregistered codec": ("id : int32\n---\nb : <nosuchcodec>", dj.Manual, 3, 1, "<nosuchcodec>"),
    "attribute defined twice": ("-> Parent\nparent_id : int16\n---", dj.Manual, 2, 1, "already defined"),
    "computed with its own key": ("-> Parent\nextra : int16\n---\nx : int32", dj.Computed, 2, 1, "from foreign keys"),
    "comment starting with a colon": ("id : int32\n---\nx : int32  # :no", dj.Manual, 3, 14, "cannot start with ':'"),
    "upper-case attribute name": ("Id : int32", dj.Manual, 1, 1, "lower-case"),
}


@pytest.mark.parametrize("case", list(LOCATED), ids=list(LOCATED))
def test_malformed_definition_is_located_and_changes_nothing(base, case):
    schema, Parent = base
    definition, tier, line, column, words = LOCATED[case]
    before = _snapshot(schema)
    with pytest.raises(DefinitionError) as info:
        _declare(schema, Parent, definition, tier=tier)
    error = info.value
    assert isinstance(error, DataJointError)
    assert (error.line, error.column) == (line, column), str(error)
    assert words in str(error)
    assert str(error).startswith(f"Bad: line {line}")
    assert _snapshot(schema) == before


def test_table_name_too_long(base):
    schema, Parent = base
    before = _snapshot(schema)
    with pytest.raises(DataJointError, match="at most 6[34]"):
        _declare(schema, Parent, "id : int32", name="A" + "b" * 70)
    assert _snapshot(schema) == before


def test_part_name_too_long_names_the_master(base):
    schema, _ = base
    before = _snapshot(schema)
    part = type("Detail" + "x" * 40, (dj.Part,), {"definition": "-> master\nk : int16"})
    master = type("Measurement" + "y" * 20, (dj.Manual,), {"definition": "m : int32", part.__name__: part})
    with pytest.raises(DataJointError, match="master's name"):
        schema(master, context={})
    after = _snapshot(schema)
    # the master itself was fine and stays declared; the part is refused
    assert set(after[0]) - set(before[0]) == {master.table_name}
    master.drop(prompt=False)
    assert _snapshot(schema) == before


def test_declaring_inside_a_transaction_is_refused(base):
    schema, Parent = base
    before = _snapshot(schema)
    conn = schema.connection
    with pytest.raises(DataJointError, match="inside a transaction"), conn.transaction:
        _declare(schema, Parent, "id : int32")
    assert not conn.in_transaction
    assert _snapshot(schema) == before


def test_missing_definition(base):
    schema, _ = base
    before = _snapshot(schema)
    with pytest.raises(DataJointError, match="definition"):
        schema(type("Empty", (dj.Manual,), {}), context={})
    assert _snapshot(schema) == before


def test_not_a_tier(base):
    schema, _ = base
    with pytest.raises(DataJointError, match="dj.Manual"):
        schema(type("Plain", (dj.Table,), {"definition": "id : int32"}), context={})


# --------------------------------------------------------------------------- failures the server reports


_SERVER_REFUSES = "id : int32\n---\nx : int32\nmood : enum('calm', 'odd')\nindex((no_such_function(x)))"


def _enum_types(conn, schema: str) -> list[str]:
    """PostgreSQL enum types of a schema (a failed declaration must not leave one behind)."""
    if conn.backend != "postgresql":
        return []
    sql = ("SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
           "WHERE n.nspname = %s AND t.typtype = 'e' ORDER BY 1")
    return [r[0] for r in conn.query(sql, (schema,)).fetchall()]


def test_server_refusal_leaves_nothing_in_a_new_schema(connection, schema_name):
    """The first table of a schema fails on the server: not even ``~lineage`` is left."""
    schema = dj.Schema(schema_name, connection=connection)
    with pytest.raises(QueryError):
        schema(type("Broken", (dj.Manual,), {"definition": _SERVER_REFUSES}), context={})
    assert connection.catalog.table_infos(schema_name) == {}
    assert _enum_types(connection, schema_name) == []


def test_server_refusal_leaves_existing_tables_and_lineage(base):
    schema, Parent = base
    before = _snapshot(schema)
    enums = _enum_types(schema.connection, schema.database)
    with pytest.raises(QueryError):
        _declare(schema, Parent, _SERVER_REFUSES)
    assert _snapshot(schema) == before
    assert _enum_types(schema.connection, schema.database) == enums
    assert Parent.heading.names == ["parent_id", "label"]  # the caches were refreshed, still usable
