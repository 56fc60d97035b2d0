"""parse_type: core, native and codec types, canonical text, and located errors."""

import pytest

from dj_jupyter.errors import DataJointError
from dj_jupyter.definition.types import (
    CORE_TYPES,
    TypeParseError,
    is_native_warning_needed,
    native_type_warning,
    parse_type,
    read_string_literal,
    recommended_core_type,
)
from dj_jupyter.definition.syntax import TypeSpec

BARE_CORE = [
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "bool", "uuid", "json", "bytes", "date", "datetime",
]  # fmt: skip


@pytest.mark.parametrize("name", BARE_CORE)
def test_bare_core_types(name):
    spec = parse_type(name)
    assert spec == TypeSpec(text=name, kind="core", name=name, args=(), store=None)


def test_core_types_catalogue_lists_every_core_name():
    assert set(BARE_CORE) | {"char", "varchar", "enum", "decimal"} == set(CORE_TYPES)
    assert len(CORE_TYPES) == 20


def test_jsonb_is_an_alias_of_json():
    spec = parse_type("jsonb")
    assert (spec.kind, spec.name, spec.text) == ("core", "json", "json")


@pytest.mark.parametrize(
    "text, name, args, canonical",
    [
        ("varchar(100)", "varchar", (100,), "varchar(100)"),
        ("varchar( 100 )", "varchar", (100,), "varchar(100)"),
        ("varchar (1)", "varchar", (1,), "varchar(1)"),
        ("varchar(65535)", "varchar", (65535,), "varchar(65535)"),
        ("char(4)", "char", (4,), "char(4)"),
        ("char(255)", "char", (255,), "char(255)"),
        ("decimal(10,4)", "decimal", (10, 4), "decimal(10,4)"),
        ("decimal( 6 , 2 )", "decimal", (6, 2), "decimal(6,2)"),
        ("decimal(5)", "decimal", (5, 0), "decimal(5,0)"),
        ("decimal(65,65)", "decimal", (65, 65), "decimal(65,65)"),
        ("datetime(3)", "datetime", (3,), "datetime(3)"),
        ("datetime(0)", "datetime", (0,), "datetime(0)"),
        ("datetime(6)", "datetime", (6,), "datetime(6)"),
        ("  int32  ", "int32", (), "int32"),
    ],
)
def test_core_types_with_arguments(text, name, args, canonical):
    spec = parse_type(text)
    assert (spec.kind, spec.name, spec.args, spec.text) == ("core", name, args, canonical)
    assert str(spec) == canonical


@pytest.mark.parametrize(
    "text, values, canonical",
    [
        ("enum('a','b')", ("a", "b"), "enum('a', 'b')"),
        ('enum("F", "M", "U")', ("F", "M", "U"), "enum('F', 'M', 'U')"),
        ("enum( 'x' )", ("x",), "enum('x')"),
        ("enum('it''s', 'b')", ("it's", "b"), "enum('it''s', 'b')"),
        ("enum('it\\'s')", ("it's",), "enum('it''s')"),
        ('enum("say \\"hi\\"", "a""b")', ('say "hi"', 'a"b'), "enum('say \"hi\"', 'a\"b')"),
        ("enum('a, b', 'c)')", ("a, b", "c)"), "enum('a, b', 'c)')"),
        ("enum('')", ("",), "enum('')"),
        ("enum('a # b', 'x:y')", ("a # b", "x:y"), "enum('a # b', 'x:y')"),
    ],
)
def test_enum_values_and_canonical_text(text, values, canonical):
    spec = parse_type(text)
    assert (spec.kind, spec.name, spec.args, spec.text) == ("core", "enum", values, canonical)


@pytest.mark.parametrize(
    "text", ["enum('a', 'b')", "enum('it''s')", "enum('back\\\\slash', 'x')", "decimal(6,2)", "datetime(3)"]
)
def test_canonical_text_parses_back_to_the_same_spec(text):
    spec = parse_type(text)
    assert parse_type(spec.text) == spec


def test_enum_backslash_value_round_trips():
    spec = parse_type("enum('a\\\\b')")
    assert spec.args == ("a\\b",)
    assert parse_type(spec.text).args == ("a\\b",)


@pytest.mark.parametrize(
    "text, name",
    [
        ("int unsigned", "int unsigned"),
        ("INT UNSIGNED", "int unsigned"),
        ("int(11)", "int(11)"),
        ("int( 11 )  unsigned", "int(11) unsigned"),
        ("tinyint(1)", "tinyint(1)"),
        ("tinyint", "tinyint"),
        ("smallint unsigned", "smallint unsigned"),
        ("mediumint", "mediumint"),
        ("integer", "integer"),
        ("bigint unsigned auto_increment", "bigint unsigned auto_increment"),
        ("int auto_increment", "int auto_increment"),
        ("serial", "serial"),
        ("decimal", "decimal"),
        ("DECIMAL", "decimal"),
        ("numeric(10,2)", "numeric(10,2)"),
        ("dec(5)", "dec(5)"),
        ("fixed(8,3)", "fixed(8,3)"),
        ("decimal(10,2) unsigned", "decimal(10,2) unsigned"),
        ("float", "float"),
        ("double", "double"),
        ("double precision", "double precision"),
        ("real", "real"),
        ("float unsigned", "float unsigned"),
        ("time", "time"),
        ("timestamp", "timestamp"),
        ("timestamp(3)", "timestamp(3)"),
        ("year", "year"),
        ("tinyblob", "tinyblob"),
        ("blob", "blob"),
        ("mediumblob", "mediumblob"),
        ("longblob", "longblob"),
        ("LONGBLOB", "longblob"),
        ("tinytext", "tinytext"),
        ("text", "text"),
        ("mediumtext", "mediumtext"),
        ("longtext", "longtext"),
        ("varchar(64) binary", "varchar(64) binary"),
        ("char(4) character set ascii", "char(4) character set ascii"),
        ("varchar(10) collate utf8mb4_bin", "varchar(10) collate utf8mb4_bin"),
    ],
)
def test_native_types(text, name):
    spec = parse_type(text)
    assert (spec.kind, spec.name, spec.text, spec.args, spec.store) == ("native", name, name, (), None)
    assert is_native_warning_needed(spec)


@pytest.mark.parametrize(
    "native, core",
    [
        ("int unsigned", "uint32"),
        ("int", "int32"),
        ("integer", "int32"),
        ("int(11) unsigned", "uint32"),
        ("tinyint", "int8"),
        ("tinyint unsigned", "uint8"),
        ("smallint", "int16"),
        ("smallint unsigned", "uint16"),
        ("mediumint", "int32"),
        ("bigint", "int64"),
        ("bigint unsigned", "uint64"),
        ("double", "float64"),
        ("double precision", "float64"),
        ("real", "float64"),
        ("float", "float32"),
        ("float unsigned", "float32"),
        ("numeric(10,2)", "decimal(10,2)"),
        ("dec(7)", "decimal(7,0)"),
        ("timestamp", "datetime"),
        ("year", "int16"),
        ("longblob", "bytes"),
        ("varchar(64) binary", "varchar(64)"),
    ],
)
def test_recommended_core_type(native, core):
    assert recommended_core_type(native) == core
    assert recommended_core_type(parse_type(native)) == core


@pytest.mark.parametrize("native", ["time", "serial", "int auto_increment", "int32", "nonsense"])
def test_no_recommendation_without_a_portable_equivalent(native):
    assert recommended_core_type(native) is None


@pytest.mark.parametrize("text", ["decimal(7)", "int32", "<blob>"])
def test_no_recommendation_for_core_or_codec_specs(text):
    assert recommended_core_type(parse_type(text)) is None


def test_native_type_warning_text():
    message = native_type_warning(parse_type("int unsigned"), "subject_id")
    assert "attribute 'subject_id'" in message
    assert "'int unsigned'" in message
    assert "'uint32'" in message
    assert "no portable core equivalent" in native_type_warning(parse_type("time"))


@pytest.mark.parametrize("text", ["int32", "<blob>", "varchar(10)"])
def test_no_warning_for_core_and_codec_types(text):
    assert not is_native_warning_needed(parse_type(text))


@pytest.mark.parametrize(
    "text, name, store, canonical",
    [
        ("<blob>", "blob", None, "<blob>"),
        ("<blob@>", "blob", "", "<blob@>"),
        ("<blob@cold>", "blob", "cold", "<blob@cold>"),
        ("<npy@raw-data>", "npy", "raw-data", "<npy@raw-data>"),
        ("  <my_codec2>  ", "my_codec2", None, "<my_codec2>"),
        ("<_private>", "_private", None, "<_private>"),
        ("<Graph>", "Graph", None, "<Graph>"),
    ],
)
def test_codec_types(text, name, store, canonical):
    spec = parse_type(text)
    assert (spec.kind, spec.name, spec.store, spec.text, spec.args) == ("codec", name, store, canonical, ())


# --- errors ------------------------------------------------------------------------------


def _error(text) -> TypeParseError:
    with pytest.raises(TypeParseError) as info:
        parse_type(text)
    return info.value


def test_type_parse_error_is_a_datajoint_and_value_error():
    err = _error("int23")
    assert isinstance(err, DataJointError)
    assert isinstance(err, ValueError)
    assert err.text == "int23"
    assert err.expected


def test_unknown_type_lists_core_types_and_suggests_a_close_match():
    err = _error("int23")
    message = str(err)
    assert message.startswith("unknown type 'int23': expected a core type (int8, int16,")
    assert "enum(" in message and "decimal(p,s)" in message
    assert "a native SQL type, or a codec <name>" in message
    assert message.endswith("Did you mean 'int32'?")
    assert err.position == 0


def test_unknown_type_suggestion_keeps_the_arguments():
    assert "Did you mean 'varchar(10)'?" in str(_error("varchr(10)"))


def test_unknown_type_without_close_match_has_no_suggestion():
    assert "Did you mean" not in str(_error("zzzzzz"))


def test_unknown_type_position_skips_leading_space():
    assert _error("   int23").position == 3


@pytest.mark.parametrize(
    "text, suggestion",
    [
        ("Int32", "int32"),
        ("INT8", "int8"),
        ("Float64", "float64"),
        ("VARCHAR(100)", "varchar(100)"),
        ("Decimal(10, 2)", "decimal(10,2)"),
        ("ENUM('A', 'b')", "enum('A', 'b')"),
        ("UUID", "uuid"),
        ("Date", "date"),
    ],
)
def test_wrong_case_core_type_suggests_lower_case(text, suggestion):
    err = _error(text)
    assert "core type names are lower case" in str(err)
    assert f"Did you mean '{suggestion}'?" in str(err)
    assert err.position == 0


@pytest.mark.parametrize(
    "text, position, phrase",
    [
        ("varchar", 7, "needs a length"),
        ("char", 4, "needs a length"),
        ("varchar(0)", 8, "between 1 and 65535, found 0"),
        ("varchar(65536)", 8, "between 1 and 65535"),
        ("char(0)", 5, "between 1 and 255"),
        ("char(256)", 5, "between 1 and 255, found 256"),
        ("decimal(0,0)", 8, "precision p of decimal(p,s) must be between 1 and 65"),
        ("decimal(66,2)", 8, "between 1 and 65, found 66"),
        ("decimal(5,6)", 10, "scale s of decimal(p,s)"),
        ("decimal(1,2,3)", 12, "takes 1 or 2 argument(s), found 3"),
        ("varchar(1,2)", 10, "takes 1 argument(s), found 2"),
        ("datetime(7)", 9, "between 0 and 6, found 7"),
        ("datetime(a)", 9, "expected a whole number"),
        ("varchar()", 8, "found nothing"),
        ("varchar(-1)", 8, "expected a whole number"),
        ("varchar(10", 10, "expected ')'"),
        ("varchar(10))", 11, "unexpected ')' after the type 'varchar(10)'"),
        ("datetime(3) x", 12, "unexpected 'x'"),
        ("int32 unsigned", 6, "Did you mean 'uint32'?"),
        ("int32 foo", 6, "unexpected 'foo' after the type 'int32'"),
        ("enum()", 5, "at least one value"),
        ("enum(a, b)", 5, "expected a quoted value"),
        ("enum 'a'", 5, "expected '(' after enum"),
        ("enum('a'", 8, "expected ',' or ')'"),
        ("enum('a' 'b')", 9, "expected ',' or ')'"),
        ("enum('a',)", 9, "expected a quoted value"),
        ("enum('a) ", 5, "unterminated quote"),
        ("enum('a', 'a')", 10, "listed twice"),
        ("enum('a') x", 10, "nothing after the closing ')'"),
        ("<blob", 5, "expected '>'"),
        ("<>", 1, "expected a codec name"),
        ("<1blob>", 1, "expected a codec name"),
        ("<blob@cold", 10, "expected '>'"),
        ("<blob> x", 7, "nothing after '>'"),
        ("<blob store>", 5, "expected '>'"),
        ("", 0, "expected a type, found nothing"),
        ("   ", 3, "expected a type, found nothing"),
    ],
)
def test_errors_have_positions_and_say_what_was_expected(text, position, phrase):
    err = _error(text)
    assert phrase in str(err)
    assert err.position == position


def test_codec_error_shows_the_valid_forms():
    assert "write <name>, <name@> or <name@store>" in str(_error("<blob"))


def test_suggest_keeps_the_position():
    err = _error("int23").suggest("(extra hint)")
    assert isinstance(err, TypeParseError)
    assert err.position == 0 and str(err).endswith("(extra hint)")


@pytest.mark.parametrize(
    "text, start, expected",
    [
        ("'abc' rest", 0, ("abc", 5)),
        ('x "a""b"', 2, ('a"b', 8)),
        ("'a\\'b'", 0, ("a'b", 6)),
        ("'a\\\\'", 0, ("a\\", 5)),
        ("'a\\nb'", 0, ("a\\nb", 6)),
        ("'a\"b'", 0, ('a"b', 5)),
        ("'abc", 0, None),
        ("'ab''", 0, None),
    ],
)
def test_read_string_literal(text, start, expected):
    assert read_string_literal(text, start) == expected
