"""DDL compilation without a database: per-dialect snapshots and the type/default contracts.

Snapshots live in tests/unit/snapshots/ddl/<dialect>/<table>.sql.  After an intended change,
rewrite them with ``DJ_UPDATE_SNAPSHOTS=1 python -m pytest tests/unit/test_ddl.py`` and review
the diff by eye before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dj_jupyter.definition.syntax import Default, TypeSpec
from dj_jupyter.errors import DataJointError, UnsupportedError
from dj_jupyter.heading.spec import ColumnSpec, ForeignKeySpec, IndexSpec, TableSpec
from dj_jupyter.sql.ddl import (
    compile_bootstrap,
    compile_create_schema,
    compile_create_table,
    compile_drop_enum_types,
    compile_drop_schema,
    compile_drop_table,
)
from dj_jupyter.sql.dialect import MYSQL, POSTGRESQL, SQLITE
from dj_jupyter.sql.types import check_constraint, column_type, core_type_from_sql, default_sql, enum_type_name
from tests.unit.ddl_reference_specs import SCHEMA, reference_tables

SNAPSHOTS = Path(__file__).parent / "snapshots" / "ddl"
DIALECTS = {"mysql": MYSQL, "postgresql": POSTGRESQL, "sqlite": SQLITE}
TABLES = {t.name: t for t in reference_tables()}


def _check_snapshot(path: Path, statements: list[str]) -> None:
    text = "".join(s + ";\n" for s in statements)
    if os.environ.get("DJ_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if not path.exists():
        pytest.fail(f"missing snapshot {path}: run with DJ_UPDATE_SNAPSHOTS=1 and review the file")
    assert text == path.read_text()


@pytest.mark.parametrize("table", list(TABLES))
@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_create_table_snapshot(dialect, table):
    statements = compile_create_table(DIALECTS[dialect], TABLES[table])
    _check_snapshot(SNAPSHOTS / dialect / f"{table}.sql", statements)


@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_schema_statements_snapshot(dialect):
    d = DIALECTS[dialect]
    statements = (
        compile_bootstrap(d)
        + compile_create_schema(d, SCHEMA)
        + compile_drop_table(d, SCHEMA, "session")
        + compile_drop_enum_types(d, SCHEMA)
        + compile_drop_schema(d, SCHEMA, ["session", "subject"])
    )
    _check_snapshot(SNAPSHOTS / dialect / "_schema.sql", statements)


# --------------------------------------------------------------------------------------------- types


def core(name, *args, text=None):
    return TypeSpec(text or (f"{name}({','.join(map(str, args))})" if args else name), "core", name, tuple(args))


ENUM_FMU = TypeSpec("enum('F', 'M', 'U')", "core", "enum", ("F", "M", "U"))


@pytest.mark.parametrize(
    "spec, mysql, postgresql, sqlite",
    [
        (core("uint8"), "tinyint unsigned", "smallint", "smallint"),
        (core("uint16"), "smallint unsigned", "integer", "int"),
        (core("uint32"), "int unsigned", "bigint", "bigint"),
        (core("uint64"), "bigint unsigned", "numeric(20,0)", "bigint"),
        (core("int8"), "tinyint", "smallint", "tinyint"),
        (core("float64"), "double", "double precision", "double"),
        (core("bool"), "tinyint", "boolean", "boolean"),
        (core("uuid"), "binary(16)", "uuid", "binary(16)"),
        (core("json"), "json", "jsonb", "text"),
        (core("bytes"), "longblob", "bytea", "blob"),
        (core("datetime"), "datetime", "timestamp", "datetime"),
        (core("datetime", 3), "datetime(3)", "timestamp(3)", "datetime(3)"),
        (core("decimal", 6, 2), "decimal(6,2)", "numeric(6,2)", "decimal(6,2)"),
        (core("varchar", 32), "varchar(32)", "varchar(32)", "varchar(32)"),
        (ENUM_FMU, "enum('F','M','U')", '"lab"."enum_e54fc739"', "text"),
        (TypeSpec("int unsigned", "native", "int unsigned"), "int unsigned", "bigint", "int unsigned"),
        (TypeSpec("longblob", "native", "longblob"), "longblob", "bytea", "longblob"),
        (TypeSpec("datetime(6)", "native", "datetime(6)"), "datetime(6)", "timestamp(6)", "datetime(6)"),
        (TypeSpec("time", "native", "time"), "time", "time", "time"),
    ],
    ids=lambda v: v.text if isinstance(v, TypeSpec) else None,
)
def test_column_type_tables(spec, mysql, postgresql, sqlite):
    assert column_type(MYSQL, spec, schema="lab") == mysql
    assert column_type(POSTGRESQL, spec, schema="lab") == postgresql
    assert column_type(SQLITE, spec, schema="lab") == sqlite


def test_enum_values_are_escaped_string_literals():
    spec = TypeSpec("enum('it''s', '5%')", "core", "enum", ("it's", "5%"))
    assert column_type(MYSQL, spec) == "enum('it''s','5%%')"
    assert check_constraint(SQLITE, "x", spec) == "CHECK (\"x\" IN ('it''s', '5%'))"


def test_enum_type_name_ignores_value_order():
    assert enum_type_name(("b", "a")) == enum_type_name(("a", "b"))
    assert enum_type_name(("a", "b")) != enum_type_name(("a", "c"))
    assert enum_type_name(("F", "M", "U")) == "enum_e54fc739"


def test_codec_type_is_refused():
    with pytest.raises(DataJointError, match="Resolve the codec"):
        column_type(MYSQL, TypeSpec("<blob>", "codec", "blob"))


def test_unknown_core_type_lists_the_known_ones():
    with pytest.raises(DataJointError, match="expected one of int8, int16"):
        column_type(SQLITE, core("int128"))


def test_auto_increment():
    spec = TypeSpec("int auto_increment", "native", "int auto_increment")
    assert column_type(MYSQL, spec) == "int auto_increment"
    assert column_type(POSTGRESQL, spec) == "integer GENERATED BY DEFAULT AS IDENTITY"
    with pytest.raises(UnsupportedError, match="auto_increment is not supported on sqlite"):
        column_type(SQLITE, spec)


def test_check_constraints():
    assert check_constraint(MYSQL, "n", core("uint8")) is None
    assert check_constraint(POSTGRESQL, "n", core("uint64")) == 'CHECK ("n" BETWEEN 0 AND 18446744073709551615)'
    assert check_constraint(POSTGRESQL, "n", core("int32")) is None
    assert check_constraint(POSTGRESQL, "n", TypeSpec("int unsigned", "native", "int unsigned")) == (
        'CHECK ("n" BETWEEN 0 AND 4294967295)'
    )
    assert check_constraint(SQLITE, "n", core("uint64")) == 'CHECK ("n" >= 0)'
    assert check_constraint(SQLITE, "b", core("bool")) == 'CHECK ("b" IN (0, 1))'
    assert check_constraint(SQLITE, "s", core("varchar", 5)) == 'CHECK (length("s") <= 5)'
    assert check_constraint(SQLITE, "f", core("float32")) is None


# --------------------------------------------------------------------------------------------- defaults


def lit(value, quoted=False):
    return Default("literal", value, quoted)


@pytest.mark.parametrize(
    "spec, default, mysql, postgresql, sqlite",
    [
        (core("int32"), lit("42"), "'42'", "'42'", "42"),
        (core("decimal", 4, 2), lit("1.50"), "'1.50'", "'1.50'", "1.50"),
        (core("float32"), lit("-2e-3"), "'-2e-3'", "'-2e-3'", "-2e-3"),
        (core("bool"), lit("true"), "'1'", "TRUE", "1"),
        (core("bool"), lit("0"), "'0'", "FALSE", "0"),
        (core("varchar", 8), lit("it's 5%", True), "'it''s 5%%'", "'it''s 5%%'", "'it''s 5%'"),
        (core("varchar", 8), lit("a\\b", True), "'a\\\\b'", "'a\\b'", "'a\\b'"),
        (ENUM_FMU, lit("M"), "'M'", "'M'", "'M'"),
        (core("date"), lit("2024-01-02"), "'2024-01-02'", "'2024-01-02'", "'2024-01-02'"),
        (core("datetime", 3), lit("2024-01-02 03:04:05.678"), "'2024-01-02 03:04:05.678'", "'2024-01-02 03:04:05.678'", "'2024-01-02 03:04:05.678'"),
        (core("datetime"), Default("sql", "current_timestamp"), "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"),
        (
            core("datetime", 3),
            Default("sql", "CURRENT_TIMESTAMP(3)"),
            "CURRENT_TIMESTAMP(3)",
            "CURRENT_TIMESTAMP(3)",
            "(strftime('%Y-%m-%d %H:%M:%f', 'now'))",
        ),
        (core("json"), Default("null"), None, None, None),
        (core("int32"), None, None, None, None),
    ],
)
def test_default_rendering(spec, default, mysql, postgresql, sqlite):
    assert default_sql(MYSQL, "a", spec, default) == mysql
    assert default_sql(POSTGRESQL, "a", spec, default) == postgresql
    assert default_sql(SQLITE, "a", spec, default) == sqlite


@pytest.mark.parametrize(
    "spec, default, message",
    [
        (core("bytes"), lit("x"), "only `= null` is allowed"),
        (core("json"), lit("{}"), "only `= null` is allowed"),
        (core("uuid"), lit("00000000-0000-0000-0000-000000000000"), "only `= null` is allowed"),
        (TypeSpec("longblob", "native", "longblob"), lit(""), "only `= null` is allowed"),
        (ENUM_FMU, lit("X"), r"one of the enum values \('F', 'M', 'U'\)"),
        (core("int32"), lit("4.5"), "a whole number from -2147483648 to 2147483647"),
        (core("uint8"), lit("256"), "a whole number from 0 to 255"),
        (core("int16"), lit("1); DROP TABLE x; --"), "a whole number"),
        (core("float64"), lit("NaN"), "a number such as"),
        (core("decimal", 4, 2), lit("123.4"), "at most 2 digits before the point"),
        (core("decimal", 4, 2), lit("abc"), "at most 2 digits before the point"),
        (core("bool"), lit("yes"), "one of 0, 1, true, false"),
        (core("date"), lit("01/02/2024"), "a date written YYYY-MM-DD"),
        (core("datetime", 3), lit("2024-01-02 3pm"), "a datetime written"),
        (core("varchar", 3), lit("abcd"), "at most 3 characters long"),
        (core("datetime"), Default("sql", "now(); DROP TABLE x"), "CURRENT_TIMESTAMP"),
        (core("int32"), Default("sql", "CURRENT_TIMESTAMP"), "CURRENT_TIMESTAMP"),
    ],
)
def test_bad_defaults_are_refused_naming_the_attribute(spec, default, message):
    for dialect in DIALECTS.values():
        with pytest.raises(DataJointError, match=message) as info:
            default_sql(dialect, "weight", spec, default)
        assert "'weight'" in str(info.value)


def test_bad_default_is_refused_by_compile_create_table():
    bad = ColumnSpec("v", core("bytes"), core("bytes"), default=lit("abc"))
    spec = TableSpec("s", "t", "", (ColumnSpec("k", core("int32"), core("int32"), in_key=True), bad), ("k",))
    with pytest.raises(DataJointError, match="Attribute 'v'"):
        compile_create_table(MYSQL, spec)


# --------------------------------------------------------------------------------------------- table checks


def _table(name="t", *, columns=None, pk=("k",), fks=(), indexes=()):
    key = ColumnSpec("k", core("int32"), core("int32"), in_key=True)
    return TableSpec("djtest_s", name, "", tuple(columns or (key,)), tuple(pk), tuple(fks), tuple(indexes))


def test_column_name_length_is_checked():
    long = ColumnSpec("a" * 65, core("int32"), core("int32"))
    with pytest.raises(DataJointError, match="has 65 characters; at most 64"):
        compile_create_table(SQLITE, _table(columns=(ColumnSpec("k", core("int32"), core("int32"), in_key=True), long)))


def test_table_name_length_is_checked_per_dialect():
    name = "x" * 64
    assert compile_create_table(MYSQL, _table(name))
    with pytest.raises(DataJointError, match=r"has 64 characters; postgresql allows at most 63"):
        compile_create_table(POSTGRESQL, _table(name))
    with pytest.raises(DataJointError, match="at most 64"):
        compile_create_table(MYSQL, _table(name + "y"))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"pk": ()}, "has no primary key"),
        ({"pk": ("nope",)}, "the primary key names 'nope'"),
        ({"fks": (ForeignKeySpec(("p",), "djtest_s", "parent", ("p",)),)}, "the foreign key to 'parent' names 'p'"),
        ({"indexes": (IndexSpec(("ghost",)),)}, "an index names 'ghost'"),
        (
            {"columns": (ColumnSpec("k", core("json"), core("json"), in_key=True),)},
            "blob and json attributes are not allowed in the primary key",
        ),
    ],
)
def test_inconsistent_specs_are_refused(kwargs, message):
    with pytest.raises(DataJointError, match=message):
        compile_create_table(SQLITE, _table(**kwargs))


def test_every_statement_is_single_and_percent_safe():
    for dialect in (MYSQL, POSTGRESQL):
        for spec in reference_tables():
            for statement in compile_create_table(dialect, spec):
                # the driver turns %% into % when parameters are passed: no lone % may remain
                assert "%" not in statement.replace("%%", "")
                assert not statement.rstrip().endswith(";")


def test_postgres_foreign_key_support_indexes_follow_prefix_rule():
    cols = [ColumnSpec(n, core("int32"), core("int32"), in_key=n in ("a", "b")) for n in ("a", "b", "c", "d")]
    fks = (
        ForeignKeySpec(("a",), "djtest_s", "p1", ("a",)),  # left prefix of the primary key: no index
        ForeignKeySpec(("b",), "djtest_s", "p2", ("b",)),  # not a left prefix: index
        ForeignKeySpec(("c", "d"), "djtest_s", "p3", ("c", "d")),  # longest first: index
        ForeignKeySpec(("c",), "djtest_s", "p4", ("c",)),  # prefix of (c, d) already added: no index
    )
    statements = compile_create_table(POSTGRESQL, _table(columns=cols, pk=("a", "b"), fks=fks))
    indexes = [s for s in statements if s.startswith("CREATE INDEX")]
    assert indexes == [
        'CREATE INDEX "idx_t_c_d" ON "djtest_s"."t" ("c", "d")',
        'CREATE INDEX "idx_t_b" ON "djtest_s"."t" ("b")',
    ]


def test_long_index_names_are_shortened_with_a_hash():
    cols = [ColumnSpec("k", core("int32"), core("int32"), in_key=True)] + [
        ColumnSpec(f"attribute_number_{i}", core("int32"), core("int32")) for i in range(4)
    ]
    items = tuple(c.name for c in cols[1:])
    statements = compile_create_table(POSTGRESQL, _table("measurement", columns=cols, indexes=(IndexSpec(items),)))
    name = statements[-1].split('"')[1]
    assert len(name) == 63 and name.startswith("idx_measurement_attribute_number_0")


def test_sqlite_stores_comments_in_catalog_rows():
    statements = compile_create_table(SQLITE, TABLES["#species"])
    assert statements[-1] == (
        'INSERT OR REPLACE INTO "~comments" (schema_name, table_name, column_name, comment) VALUES '
        "('djtest_ddl', '#species', '', 'species lookup with contents'), "
        "('djtest_ddl', '#species', 'species_id', ':int16:species number'), "
        "('djtest_ddl', '#species', 'name', ':varchar(32):common name'), "
        "('djtest_ddl', '#species', 'latin', ':varchar(64):')"
    )


def test_bootstrap_only_on_sqlite():
    assert compile_bootstrap(MYSQL) == [] and compile_bootstrap(POSTGRESQL) == []
    assert [s.split("(")[0] for s in compile_bootstrap(SQLITE)] == [
        'CREATE TABLE IF NOT EXISTS "~schemas" ',
        'CREATE TABLE IF NOT EXISTS "~comments" ',
    ]


# --------------------------------------------------------------------------------------------- reverse


@pytest.mark.parametrize(
    "dialect, sql_type, expected",
    [
        (MYSQL, "int", core("int32")),
        (MYSQL, "int(11)", core("int32")),
        (MYSQL, "smallint unsigned", core("uint16")),
        (MYSQL, "tinyint", core("int8")),
        (MYSQL, "varchar(32)", core("varchar", 32)),
        (MYSQL, "decimal(6,2)", core("decimal", 6, 2)),
        (MYSQL, "datetime(3)", core("datetime", 3)),
        (MYSQL, "longblob", core("bytes")),
        (MYSQL, "enum('a','it''s')", TypeSpec("enum('a', 'it''s')", "core", "enum", ("a", "it's"))),
        (MYSQL, "binary(16)", TypeSpec("binary(16)", "native", "binary(16)")),
        (MYSQL, "longtext", TypeSpec("longtext", "native", "longtext")),
        (POSTGRESQL, "integer", core("int32")),
        (POSTGRESQL, "character varying(32)", core("varchar", 32)),
        (POSTGRESQL, "character(4)", core("char", 4)),
        (POSTGRESQL, "numeric(6,2)", core("decimal", 6, 2)),
        (POSTGRESQL, "numeric(20,0)", core("uint64")),
        (POSTGRESQL, "timestamp(3) without time zone", core("datetime", 3)),
        (POSTGRESQL, "timestamp without time zone", core("datetime")),
        (POSTGRESQL, "double precision", core("float64")),
        (POSTGRESQL, "bytea", core("bytes")),
        (POSTGRESQL, "jsonb", core("json")),
        (POSTGRESQL, "uuid", core("uuid")),
        (POSTGRESQL, "boolean", core("bool")),
        (POSTGRESQL, "djtest.enum_e54fc739", TypeSpec("djtest.enum_e54fc739", "native", "djtest.enum_e54fc739")),
        (POSTGRESQL, "text", TypeSpec("text", "native", "text")),
        (SQLITE, "smallint", core("int16")),
        (SQLITE, "boolean", core("bool")),
        (SQLITE, "blob", core("bytes")),
        (SQLITE, "datetime(6)", core("datetime", 6)),
        (SQLITE, "text", TypeSpec("text", "native", "text")),
    ],
)
def test_core_type_from_sql(dialect, sql_type, expected):
    assert core_type_from_sql(dialect, sql_type) == expected


@pytest.mark.parametrize("dialect", list(DIALECTS.values()), ids=list(DIALECTS))
def test_core_types_round_trip(dialect):
    """Every core type except those sharing a storage type comes back as itself."""
    shared = {
        "mysql": {"bool", "uuid"},
        "postgresql": {"int8", "uint8", "uint16", "uint32"},
        "sqlite": {"uint8", "uint16", "uint32", "uint64", "uuid", "json"},
    }
    specs = [core(n) for n in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")]
    specs += [core(n) for n in ("float32", "float64", "bool", "uuid", "json", "bytes", "date", "datetime")]
    specs += [core("datetime", 6), core("char", 3), core("varchar", 9), core("decimal", 8, 3)]
    for spec in specs:
        if spec.name in shared[dialect.name]:
            continue
        assert core_type_from_sql(dialect, column_type(dialect, spec, schema="lab")) == spec
