"""parse_definition: the definition language, item by item, and its located errors (all of them at once)."""

import pytest

from dj_jupyter.definition import (
    AttributeDef,
    Default,
    ForeignKeyDef,
    IndexDef,
    Reference,
    Span,
    TableDef,
    TypeSpec,
    definition_problems,
    parse_definition,
    parse_definition_partial,
)
from dj_jupyter.errors import DataJointError, DefinitionError

SUBJECT = """
# experimental subjects
subject_id : int32          # unique id
---
species = "mouse" : varchar(32)
sex = 'U' : enum('F', 'M', 'U')   # sex of the animal
dob = null : date
"""


def one(line: str, **kwargs):
    """The single item of a one-line secondary definition."""
    (item,) = parse_definition("---\n" + line, **kwargs).items
    return item


def error(text: str, **kwargs) -> DefinitionError:
    with pytest.raises(DefinitionError) as info:
        parse_definition(text, **kwargs)
    return info.value


# --- whole definitions -------------------------------------------------------------------


def test_subject_definition():
    d = parse_definition(SUBJECT)
    assert isinstance(d, TableDef)
    assert d.comment == "experimental subjects"
    assert [a.name for a in d.attributes] == ["subject_id", "species", "sex", "dob"]
    assert [a.in_key for a in d.attributes] == [True, False, False, False]
    subject_id, species, sex, dob = d.attributes
    assert subject_id.type == TypeSpec("int32", "core", "int32")
    assert subject_id.comment == "unique id" and subject_id.default is None
    assert species.default == Default("literal", "mouse", quoted=True)
    assert sex.type.args == ("F", "M", "U") and sex.comment == "sex of the animal"
    assert dob.nullable and not species.nullable
    assert subject_id.span == Span(line=3, column=1, text="subject_id : int32          # unique id")
    assert dob.span.line == 7


def test_lines_count_from_the_text_as_given():
    # leading blank lines (as in an IPython cell) are counted, not stripped away
    d = parse_definition("\n\n\n  # comment\n   x : int32\n")
    assert d.comment == "comment"
    assert d.attributes[0].span == Span(line=5, column=4, text="   x : int32")


def test_windows_and_old_mac_line_endings():
    d = parse_definition("# c\r\nx : int32\r\n---\r\ny : int16  # why\r\n")
    assert d.comment == "c"
    assert [(a.name, a.in_key, a.span.line) for a in d.attributes] == [("x", True, 2), ("y", False, 4)]
    assert d.attributes[1].span.text == "y : int16  # why"
    assert d.attributes[1].comment == "why"
    assert [a.span.line for a in parse_definition("x : int32\ry : int16").attributes] == [1, 2]


def test_no_table_comment_when_the_first_line_is_not_a_comment():
    d = parse_definition("x : int32\n# a free comment\n---\ny : int16")
    assert d.comment == ""
    assert [a.name for a in d.attributes] == ["x", "y"]


def test_free_comments_and_blank_lines_are_ignored():
    d = parse_definition("# table\n\n# note\nx : int32\n   \n  # indented note\n---\n\n# more\ny : int8\n")
    assert d.comment == "table"
    assert [a.name for a in d.attributes] == ["x", "y"]


def test_empty_table_comment():
    assert parse_definition("#\nx : int32").comment == ""


def test_table_comment_may_contain_colons_and_quotes():
    assert parse_definition("#  a: 'b' \"c\"  \nx : int32").comment == "a: 'b' \"c\""


def test_repeated_and_long_separators_switch_to_secondary_once():
    d = parse_definition("a : int32\n---\nb : int32\n----------\nc : int32\n--- # secondary\nd : int32")
    assert [a.in_key for a in d.attributes] == [True, False, False, False]


def test_empty_definition():
    assert parse_definition("") == TableDef(comment="", items=())
    assert parse_definition("  \n\n ") == TableDef(comment="", items=())
    assert parse_definition("# only a comment") == TableDef(comment="only a comment", items=())


def test_singleton_definition_has_no_key_attributes():
    d = parse_definition("# singleton\n---\nvalue : float64\n")
    assert [a.in_key for a in d.attributes] == [False]
    d = parse_definition("index(a)\n---\na : int32")
    assert not any(a.in_key for a in d.attributes)


def test_items_keep_declaration_order():
    d = parse_definition("-> A\nx : int32\nindex(x)\n---\n-> B\ny : int8\nunique index(y)")
    kinds = [type(i).__name__ for i in d.items]
    assert kinds == ["ForeignKeyDef", "AttributeDef", "IndexDef", "ForeignKeyDef", "AttributeDef", "IndexDef"]
    assert [i.in_key for i in d.foreign_keys] == [True, False]
    assert len(d.indexes) == 2


def test_table_def_is_frozen():
    d = parse_definition(SUBJECT)
    with pytest.raises(AttributeError):
        d.comment = "x"
    with pytest.raises(AttributeError):
        d.attributes[0].name = "y"


# --- attribute lines ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, name, type_text",
    [
        ("x:int32", "x", "int32"),
        ("x   :   int32   ", "x", "int32"),
        ("\tx\t:\tint32\t# c", "x", "int32"),
        ("trial_2 : uint16", "trial_2", "uint16"),
        ("x : varchar( 64 )", "x", "varchar(64)"),
        ("x : decimal(6, 2)  # grams", "x", "decimal(6,2)"),
        ("x : <blob@store>", "x", "<blob@store>"),
        ("x : int unsigned", "x", "int unsigned"),
        ("index : int32", "index", "int32"),
        ("unique : int32", "unique", "int32"),
        ("index = 3 : int32", "index", "int32"),
    ],
)
def test_attribute_names_and_types(line, name, type_text):
    a = one(line)
    assert isinstance(a, AttributeDef)
    assert (a.name, a.type.text) == (name, type_text)


def test_comment_is_the_stripped_rest_after_hash():
    assert one("x : int32 #   spaced out   ").comment == "spaced out"
    assert one("x : int32 #").comment == ""
    assert one("x : int32").comment == ""
    assert one("x : int32 # a # b: 'c' \"d\" -> e").comment == "a # b: 'c' \"d\" -> e"


def test_enum_with_quotes_commas_and_hashes():
    a = one("""kind = "it's" : enum('it''s', "a, b", 'c # d', 'e:f')  # the kind""")
    assert a.type.args == ("it's", "a, b", "c # d", "e:f")
    assert a.default == Default("literal", "it's", quoted=True)
    assert a.comment == "the kind"


@pytest.mark.parametrize(
    "written, expected",
    [
        ("null", Default("null")),
        ("NULL", Default("null")),
        ("Null", Default("null")),
        ("CURRENT_TIMESTAMP", Default("sql", "CURRENT_TIMESTAMP")),
        ("current_timestamp", Default("sql", "current_timestamp")),
        ("CURRENT_TIMESTAMP(3)", Default("sql", "CURRENT_TIMESTAMP(3)")),
        ("current_timestamp( 6 )", Default("sql", "current_timestamp( 6 )")),
        ('"text"', Default("literal", "text", quoted=True)),
        ("'text'", Default("literal", "text", quoted=True)),
        ("''", Default("literal", "", quoted=True)),
        ('""', Default("literal", "", quoted=True)),
        ("'it''s'", Default("literal", "it's", quoted=True)),
        ("'it\\'s'", Default("literal", "it's", quoted=True)),
        ('"say ""hi"""', Default("literal", 'say "hi"', quoted=True)),
        ('"say \\"hi\\""', Default("literal", 'say "hi"', quoted=True)),
        ("\"it's\"", Default("literal", "it's", quoted=True)),
        ("'12:30'", Default("literal", "12:30", quoted=True)),
        ("'# not a comment'", Default("literal", "# not a comment", quoted=True)),
        ("'-> not a reference'", Default("literal", "-> not a reference", quoted=True)),
        ("'null'", Default("literal", "null", quoted=True)),
        ("0", Default("literal", "0")),
        ("-1.5e3", Default("literal", "-1.5e3")),
        ("true", Default("literal", "true")),
        ("  42  ", Default("literal", "42")),
    ],
)
def test_defaults(written, expected):
    a = one(f"x = {written} : varchar(64)  # c")
    assert a.default == expected
    assert a.type.text == "varchar(64)" and a.comment == "c"


def test_default_may_be_written_without_spaces():
    a = one("x=5:int32#c")
    assert (a.default, a.type.text, a.comment) == (Default("literal", "5"), "int32", "c")


def test_nullable_attribute_is_allowed_in_secondary_only():
    assert one("x = null : int32").nullable


def test_blob_default_is_not_checked_by_the_parser():
    # only null is valid for blob-like types; the declaration layer knows the final SQL type
    assert one("x = 'abc' : <blob>").default == Default("literal", "abc", quoted=True)


def test_arrow_inside_quotes_or_comment_is_an_attribute():
    assert isinstance(one('x = "->" : varchar(2)'), AttributeDef)
    assert isinstance(one("x : int32  # -> not a reference"), AttributeDef)


# --- foreign-key lines -------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, names, renames",
    [
        ("-> Parent", ("Parent",), ()),
        ("->Parent", ("Parent",), ()),
        ("->   Parent   # a comment", ("Parent",), ()),
        ("-> master", ("master",), ()),
        ("-> module.Parent", ("module", "Parent"), ()),
        ("-> a.b.Parent", ("a", "b", "Parent"), ()),
        ("-> a . b . Parent", ("a", "b", "Parent"), ()),
        ("-> Parent.proj()", ("Parent",), ()),
        ("-> Parent.proj(new='old')", ("Parent",), (("new", "old"),)),
        ('-> Parent.proj(new="old")', ("Parent",), (("new", "old"),)),
        ("-> Parent.proj( a = 'b' , c = \"d\" )", ("Parent",), (("a", "b"), ("c", "d"))),
        ("-> Parent.proj(a='b',)", ("Parent",), (("a", "b"),)),
        ("-> mod.Parent.proj(a='b')  # renamed", ("mod", "Parent"), (("a", "b"),)),
        ("-> Parent . proj (a='b')", ("Parent",), (("a", "b"),)),
    ],
)
def test_references(line, names, renames):
    fk = one(line)
    assert isinstance(fk, ForeignKeyDef)
    assert fk.ref == Reference(names, renames)
    assert not fk.nullable and not fk.unique and not fk.in_key


def test_reference_text_is_canonical():
    assert one("-> m.P.proj( a = \"b\" )").ref.text == "m.P.proj(a='b')"


@pytest.mark.parametrize(
    "options, nullable, unique",
    [
        ("[nullable]", True, False),
        ("[unique]", False, True),
        ("[nullable, unique]", True, True),
        ("[ UNIQUE ,Nullable ]", True, True),
        ("[]", False, False),
    ],
)
def test_foreign_key_options(options, nullable, unique):
    fk = one(f"-> {options} Parent")
    assert (fk.nullable, fk.unique, fk.ref.names) == (nullable, unique, ("Parent",))
    tight = one(f"->{options}Parent")
    assert (tight.nullable, tight.unique) == (nullable, unique)


def test_unique_foreign_key_in_primary_key():
    fk = parse_definition("-> [unique] Parent").items[0]
    assert fk.unique and fk.in_key
    assert fk.span == Span(line=1, column=1, text="-> [unique] Parent")


# --- index lines -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, unique, items",
    [
        ("index(a)", False, ("a",)),
        ("index (a, b)", False, ("a", "b")),
        ("INDEX(a,b)", False, ("a", "b")),
        ("unique index(a)", True, ("a",)),
        ("UNIQUE   INDEX  ( a )", True, ("a",)),
        ("Unique Index(a)  # a comment", True, ("a",)),
        ("index((YEAR(birth_date)), a)", False, ("(YEAR(birth_date))", "a")),
        ("index(data.path.key:int32)", False, ("data.path.key:int32",)),
        ("index((json_extract(d, '$.a,b')), x)", False, ("(json_extract(d, '$.a,b'))", "x")),
        ("index(f(a, g(b, c)),  d )", False, ("f(a, g(b, c))", "d")),
    ],
)
def test_index_lines(line, unique, items):
    ix = one(line)
    assert isinstance(ix, IndexDef)
    assert (ix.unique, ix.items) == (unique, items)


# --- errors ------------------------------------------------------------------------------


def test_definition_error_is_a_syntax_error_with_location():
    err = error("x int32", table="Subject")
    assert isinstance(err, DataJointError) and isinstance(err, SyntaxError)
    assert (err.line, err.column, err.text, err.table) == (1, 3, "x int32", "Subject")
    assert (err.lineno, err.offset) == (1, 3)
    assert str(err).startswith("Subject: line 1, column 3: expected ':'")
    assert str(err).endswith("\n    x int32\n      ^")


@pytest.mark.parametrize(
    "text, line, column, phrase",
    [
        # attribute lines
        ("x int32", 1, 3, "expected ':' between the attribute name and its type, found 'int32'"),
        ("\n  x", 2, 4, "expected ':' between the attribute name and its type, found the end of the line"),
        ("x-y : int32", 1, 2, "expected ':' between the attribute name and its type, found '-y'"),
        ("x = 1 int32", 1, 12, "expected ':' between the default value and the type"),
        ("x = : int32", 1, 5, "expected a default value after '='"),
        ("Subject_id : int32", 1, 1, "is not lower case"),
        ("subjectID : int32", 1, 1, "Did you mean 'subjectid'?"),
        ("2nd : int32", 1, 1, "starts with a digit"),
        ("-x : int32", 1, 1, "expected an attribute name"),
        ("é : int32", 1, 1, "expected an attribute name"),
        ("_hidden : int32", 1, 1, "reserved for hidden platform attributes"),
        ("---\n  _x : int32", 2, 3, "starts with '_'"),
        ("x : int23", 1, 5, "unknown type 'int23'"),
        ("x :    int23  # c", 1, 8, "Did you mean 'int32'?"),
        ("x : Int32", 1, 5, "core type names are lower case. Did you mean 'int32'?"),
        ("x : varchar(0)", 1, 13, "must be between 1 and 65535"),
        ("x : enum('a',, 'b')", 1, 14, "expected a quoted value"),
        ("x :   # comment", 1, 7, "expected a type, found nothing"),
        ("x :", 1, 4, "expected a type, found nothing"),
        ("x = 'abc : varchar(3)", 1, 5, "unterminated quote in the default value"),
        ('x = "it\'s : varchar(3)', 1, 5, "unterminated quote"),
        ("x = 'a' b : varchar(2)", 1, 9, "unexpected 'b' after the quoted default value"),
        ("x = current_timestamp on update now : datetime", 1, 5, "expected CURRENT_TIMESTAMP or CURRENT_TIMESTAMP(n)"),
        ("x = null : int32", 1, 5, "primary key attributes cannot be nullable"),
        ("# t\n\n  x = NULL : int32", 3, 7, "primary key attributes cannot be nullable"),
        ("x : int32 # :marker", 1, 13, "comment cannot start with ':'"),
        ("x : int32 #   : spaced", 1, 15, "comment cannot start with ':'"),
        ("# :table", 1, 3, "table comment cannot start with ':'"),
        ("\n\n   #:table\nx : int32", 3, 5, "table comment cannot start with ':'"),
        ("x : int32\n---\nx : int16", 3, 1, "attribute 'x' is declared twice (first on line 1)"),
        # foreign-key lines
        ("-> [nullable] Parent", 1, 5, "primary dependencies cannot be nullable"),
        ("-> [unique, NULLABLE] Parent", 1, 13, "primary dependencies cannot be nullable"),
        ("---\n-> [nulable] Parent", 2, 5, "invalid foreign key option 'nulable': valid options are nullable, unique. Did you mean 'nullable'?"),
        ("---\n-> [nullable, cascade] P", 2, 15, "invalid foreign key option 'cascade'"),
        ("---\n-> [nullable,] P", 2, 14, "invalid foreign key option an empty option"),
        ("---\n-> [nullable P", 2, 15, "expected ']' to close the foreign-key options"),
        ("---\n-> P + Q", 2, 6, "malformed foreign-key reference: expected Table, module.Table, or Table.proj(new_name='old_name'), found '+'"),
        ("---\n-> ", 2, 3, "malformed foreign-key reference"),
        ("---\n-> P()", 2, 5, "malformed foreign-key reference"),
        ("---\n-> P.", 2, 6, "malformed foreign-key reference"),
        ("---\n-> P & 'x=1'", 2, 6, "malformed foreign-key reference"),
        ("---\n-> P.proj(a='b').proj(c='a')", 2, 17, "malformed foreign-key reference"),
        ("---\n-> 1P", 2, 4, "malformed foreign-key reference"),
        ("---\n-> P.proj(a=b)", 2, 13, "expected the old attribute name in quotes after 'a='"),
        ("---\n-> P.proj(a)", 2, 12, "expected '=' after 'a' in .proj(...)"),
        ("---\n-> P.proj('a')", 2, 11, "expected a new attribute name in .proj(...)"),
        ("---\n-> P.proj(A='b')", 2, 11, "is not a valid attribute name"),
        ("---\n-> P.proj(a='b c')", 2, 14, "'b c' is not an attribute name"),
        ("---\n-> P.proj(a='b", 2, 13, "an unterminated quote"),
        ("---\n-> P.proj(a='b'", 2, 16, "expected ',' or ')' in .proj(...)"),
        ("---\n-> P.proj(a='b' c='d')", 2, 17, "expected ',' or ')' in .proj(...)"),
        ("---\n-> P.proj(a='b', a='c')", 2, 22, "'a' is renamed twice"),
        ("---\ny -> P", 2, 1, "a foreign-key line must start with '->'"),
        # index lines
        ("index(a, b", 1, 11, "malformed index line: expected ')' to close the index"),
        ("unique index a", 1, 14, "malformed index line: expected '(' after 'index'"),
        ("unique index", 1, 13, "expected '(' after 'index', found the end of the line"),
        ("index()", 1, 7, "expected an attribute name or an expression, found nothing"),
        ("index(a,,b)", 1, 9, "found nothing"),
        ("index(a, )", 1, 10, "found nothing"),
        ("index(a) b", 1, 10, "unexpected 'b' after the closing ')'"),
        ("index(a, 'b)", 1, 10, "unterminated quote in the index line"),
    ],
)
def test_errors_point_at_the_offending_token(text, line, column, phrase):
    err = error(text)
    assert phrase in err.message
    assert (err.line, err.column) == (line, column)
    assert err.text == text.split("\n")[line - 1]


def test_error_line_counts_windows_line_endings():
    err = error("# t\r\nx : int32\r\ny : int23\r\n")
    assert (err.line, err.column, err.text) == (3, 5, "y : int23")


def test_table_name_prefixes_error_messages():
    assert str(error("x : int23", table="Session")).startswith("Session: line 1, column 5: unknown type")
    assert str(error("x : int23")).startswith("line 1, column 5: unknown type")


def test_unknown_type_message_lists_core_types():
    message = error("x : int23").message
    assert "expected a core type (int8, int16, int32" in message
    assert "a native SQL type, or a codec <name>" in message


def test_missing_colon_message_shows_the_attribute_form():
    assert "name [= default] : type [# comment]" in error("x int32").message


def test_every_error_is_raised_for_the_first_bad_line():
    err = error("a : int32\nb : int23\nc : int99")
    assert err.line == 2


# --- every problem at once ---------------------------------------------------------------

THREE_TYPOS = """# sessions
-> Subject
Session_id : int32
---
weight : flaot64   # grams
-> [nulable] Person
notes : varchar(100)
"""


def test_every_bad_line_is_reported_in_order_with_its_line_and_column():
    problems = definition_problems(THREE_TYPOS, table="Session")
    assert [(p.line, p.column, p.text) for p in problems] == [
        (3, 1, "Session_id : int32"),
        (5, 10, "weight : flaot64   # grams"),
        (6, 5, "-> [nulable] Person"),
    ]
    assert "Did you mean 'session_id'?" in problems[0].message
    assert "Did you mean 'float64'?" in problems[1].message
    assert "Did you mean 'nullable'?" in problems[2].message
    assert all(isinstance(p, DefinitionError) and p.table == "Session" for p in problems)


def test_a_valid_definition_has_no_problems():
    assert definition_problems(SUBJECT) == []
    assert definition_problems("") == []


def test_the_raised_error_is_the_first_problem_and_carries_all_of_them():
    first_alone = error("# sessions\n-> Subject\nSession_id : int32", table="Session")
    err = error(THREE_TYPOS, table="Session")
    assert (err.line, err.column, err.text, err.table, err.message) == (
        first_alone.line, first_alone.column, first_alone.text, first_alone.table, first_alone.message)
    assert (err.lineno, err.offset) == (3, 1)
    assert [(p.line, p.message) for p in err.problems] == [
        (p.line, p.message) for p in definition_problems(THREE_TYPOS, table="Session")]
    # the message: the first problem as before, then the others one per line
    lines = str(err).split("\n")
    assert "\n".join(lines[:3]) == str(first_alone)
    assert lines[3] == "2 more problems in this definition:"
    assert lines[4].startswith("    line 5, column 10: unknown type 'flaot64'")
    assert lines[5].startswith("    line 6, column 5: invalid foreign key option 'nulable'")
    assert len(lines) == 6


def test_a_single_problem_keeps_the_single_message():
    err = error("a : int32\nb : int23")
    assert err.problems == [err]
    assert "more problem" not in str(err)
    two = error("a : int23\nb : int23")
    assert str(two).endswith("\n1 more problem in this definition:\n    line 2, column 5: " + two.problems[1].message)


def test_a_bad_line_does_not_hide_a_later_one_of_any_kind():
    text = "\n".join([
        "# :bad table comment",      # 1
        "x = null : int32",          # 2: nullable in the key
        "-> [nullable] P",           # 3: nullable in the key
        "---",
        "-> P +",                    # 5
        "index(a",                   # 6
        "y = 'open : int32",         # 7
        "z : int32 # :marker",       # 8
        "ok : int32",                # 9: fine
    ])
    assert [(p.line, p.column) for p in definition_problems(text)] == [
        (1, 3), (2, 5), (3, 5), (5, 6), (6, 8), (7, 5), (8, 13)]


def test_duplicates_are_reported_at_each_later_occurrence():
    text = "a : int32\n---\na : int16\nb : int32\na : float64\nb : int8"
    problems = definition_problems(text)
    assert [(p.line, p.column) for p in problems] == [(3, 1), (5, 1), (6, 1)]
    assert "'a' is declared twice (first on line 1)" in problems[0].message
    assert "'a' is declared twice (first on line 1)" in problems[1].message
    assert "'b' is declared twice (first on line 4)" in problems[2].message


def test_a_name_on_a_bad_line_still_counts_for_duplicates():
    problems = definition_problems("a : int99\n---\na : int32")
    assert [(p.line, p.column) for p in problems] == [(1, 5), (3, 1)]
    assert "first on line 1" in problems[1].message


def test_the_separator_still_decides_key_and_secondary_after_a_bad_line():
    text = "-> [nulable] P\nk = null : int32\n---\nv = null : int32\n-> [nullable] Q"
    assert [(p.line, p.column) for p in definition_problems(text)] == [(1, 5), (2, 5)]


def test_partial_parse_keeps_the_good_lines():
    tdef, problems = parse_definition_partial("# t\nk : int32\nB : int32\n---\n-> P\nv : int99\nw : int8")
    assert tdef.comment == "t"
    assert [a.name for a in tdef.attributes] == ["k", "w"]
    assert [fk.ref.names for fk in tdef.foreign_keys] == [("P",)]
    assert [p.line for p in problems] == [3, 6]


def test_suggest_keeps_the_other_problems():
    err = error("a : int23\nb : int23").suggest("(hint)")
    assert err.message.endswith("(hint)") and err.problems[0].message.endswith("(hint)")
    assert [p.line for p in err.problems] == [1, 2]
