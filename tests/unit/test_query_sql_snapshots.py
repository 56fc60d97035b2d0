"""Compiled SQL of every query shape, per dialect, without a database.

Each shape is built with the user-facing operators on expressions whose connection is
``None`` (so compiling provably needs no connection) over headings written here by hand,
compiled with ``compile_select`` for MySQL, PostgreSQL and SQLite, and compared with
``tests/unit/snapshots/sql/<dialect>/<shape>.sql`` (the SQL, then a ``-- params:`` line).

After an intended change of the compiler, rewrite the snapshots with
``DJ_UPDATE_SNAPSHOTS=1 python -m pytest tests/unit/test_query_sql_snapshots.py`` and
review the diff by eye before committing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

import dj_jupyter as dj
from dj_jupyter.definition.types import parse_type
from dj_jupyter.heading.heading import Attribute, Heading
from dj_jupyter.query.nodes import TableRef
from dj_jupyter.schema.expression import QueryExpression
from dj_jupyter.sql.compiler import compile_count, compile_select
from dj_jupyter.sql.dialect import MYSQL, POSTGRESQL, SQLITE

SNAPSHOTS = Path(__file__).parent / "snapshots" / "sql"
DIALECTS = {"mysql": MYSQL, "postgresql": POSTGRESQL, "sqlite": SQLITE}
SCHEMA = "uni"


# ----------------------------------------------------------------------------- hand-made tables
# secondary attributes that come from a foreign key (their lineage is the parent's key attribute)
FOREIGN_SECONDARY = {"dept", "grade"}


def _attr(text: str) -> Attribute:
    """``"name : type"`` with ``*`` before the name for key attributes and ``?`` after it for nullable ones."""
    name, _, type_text = (part.strip() for part in text.partition(":"))
    in_key = name.startswith("*")
    nullable = name.endswith("?")
    name = name.strip("*?")
    return Attribute(name=name, type=parse_type(type_text), in_key=in_key, nullable=nullable,
                     lineage=f"{SCHEMA}.x.{name}" if in_key or name in FOREIGN_SECONDARY else None)


def _table(table: str, *attributes: str) -> QueryExpression:
    heading = Heading([_attr(a) for a in attributes])
    return QueryExpression(TableRef(SCHEMA, table, heading), connection=None)


def university() -> dict[str, QueryExpression]:
    return {
        "Department": _table("#department", "*dept : varchar(6)", "dept_name : varchar(60)", "building? : varchar(40)"),
        "Term": _table("#term", "*term_id : uint8", "term_year : uint16", "season : enum('spring', 'summer', 'fall')"),
        "LetterGrade": _table("#letter_grade", "*grade : varchar(2)", "points : decimal(3, 2)"),
        "Student": _table("student", "*student_id : uint32", "last_name : varchar(40)", "enroll_year : uint16",
                       "dept? : varchar(6)", "scholarship? : decimal(8, 2)", "is_international : bool"),
        "Course": _table("course", "*course_id : uint16", "dept : varchar(6)", "credits : decimal(3, 1)"),
        "Section": _table("section", "*course_id : uint16", "*term_id : uint8", "*section_id : char(1)",
                       "room? : varchar(16)", "capacity : uint16"),
        "Enroll": _table("enroll", "*student_id : uint32", "*course_id : uint16", "*term_id : uint8", "*section_id : char(1)"),
        "Grade": _table("grade", "*student_id : uint32", "*course_id : uint16", "*term_id : uint8", "*section_id : char(1)",
                     "grade : varchar(2)"),
    }


# ----------------------------------------------------------------------------- the shapes
def _q(build: Callable) -> Callable:
    return lambda: build(type("U", (), university()))


SHAPES: dict[str, Callable] = {
    "table": _q(lambda u: u.Student),
    "restrict_dict": _q(lambda u: u.Student & {"dept": "CS", "enroll_year": 2021}),
    "restrict_dict_null": _q(lambda u: u.Student & {"dept": None}),
    "restrict_dict_quote_percent": _q(lambda u: u.Student & {"last_name": "O'Brien 50%"}),
    "restrict_str_like": _q(lambda u: u.Student & "last_name LIKE 'O''%' and is_international = true"),
    "restrict_list_or": _q(lambda u: u.Student & [{"dept": "CS"}, "enroll_year = 2019"]),
    "restrict_andlist_not": _q(lambda u: u.Student & dj.AndList([dj.Not({"dept": "CS"}), "enroll_year > 2020"])),
    "restrict_false": _q(lambda u: u.Student & False),
    "semijoin": _q(lambda u: u.Student & (u.Grade & {"grade": "F"})),
    "antijoin": _q(lambda u: u.Student - u.Enroll),
    "semijoin_nothing_shared": _q(lambda u: u.Student & u.Term),
    "join_two": _q(lambda u: u.Student * u.Enroll),
    "join_three": _q(lambda u: u.Enroll * u.Section * u.Course),
    "join_cross": _q(lambda u: u.Term * u.LetterGrade),
    "join_of_restrictions": _q(lambda u: (u.Student & {"dept": "CS"}) * (u.Enroll & {"term_id": 3})),
    "restrict_join": _q(lambda u: (u.Enroll * u.Section) & "capacity > 40"),
    "left_join": _q(lambda u: u.Student.extend(u.Department)),
    "proj_keep": _q(lambda u: u.Student.proj("last_name")),
    "proj_rename": _q(lambda u: u.Student.proj(major="dept", sid="student_id")),
    "proj_computed": _q(lambda u: u.Section.proj(spare="capacity - 10", where_="coalesce(room, '%none')")),
    "proj_computed_restrict": _q(lambda u: u.Section.proj(spare="capacity - 10") & "spare > 40"),
    "proj_renamed_restrict_dict": _q(lambda u: u.Student.proj(year="enroll_year") & {"year": 2021}),
    "aggr_count": _q(lambda u: u.Student.aggr(u.Enroll, n="count(course_id)")),
    "aggr_exclude_nonmatching": _q(lambda u: u.Student.aggr(u.Grade * u.LetterGrade, gpa="avg(points)",
                                                            exclude_nonmatching=True)),
    "aggr_restricted": _q(lambda u: u.Student.aggr(u.Enroll, n="count(course_id)") & "n >= 13"),
    "aggr_of_restricted_projection": _q(lambda u: u.Department.aggr(
        u.Student.proj("dept", "enroll_year") & "enroll_year >= 2021", n="count(student_id)")),
    "union_pk_only": _q(lambda u: (u.Student & {"dept": "CS"}).proj() + (u.Student & "enroll_year = 2023").proj()),
    "union_restricted": _q(lambda u: ((u.Student & {"dept": "CS"}).proj() + (u.Student & {"dept": "BIO"}).proj())
                           & "student_id < 1150"),
    "top_limit": _q(lambda u: u.Student & dj.Top(5)),
    "top_order_offset": _q(lambda u: u.Section & dj.Top(10, ["capacity DESC", "KEY"], offset=5)),
    "top_key_desc_then_restrict": _q(lambda u: (u.Student & dj.Top(20, "KEY DESC")) & {"dept": "CS"}),
    "top_offset_without_limit": _q(lambda u: u.Student & dj.Top(None, "KEY", offset=290)),
    # outer union: left join of the operands, then the right rows the left lacks (UNION ALL)
    "union_disjoint_secondaries": _q(lambda u: (u.Student & {"dept": "CS"}).proj("last_name")
                                     + (u.Student & {"dept": "BIO"}).proj("enroll_year")),
    "universal_distinct": _q(lambda u: dj.U("dept") & u.Student),
    "universal_distinct_restricted": _q(lambda u: dj.U("course_id", "term_id") & (u.Enroll & {"student_id": 1001})),
    "universal_aggr": _q(lambda u: dj.U("term_id").aggr(u.Enroll, n="count(*)")),
    "universal_aggr_total": _q(lambda u: dj.U().aggr(u.Enroll, n="count(*)")),
    "universal_aggr_restricted": _q(lambda u: dj.U("term_id").aggr(u.Enroll, n="count(*)") & "n > 3"),
    # a nullable attribute on either side of an antijoin: correlated NOT EXISTS instead of NOT IN
    "antijoin_nullable_inner": _q(lambda u: u.Department - (u.Student & {"enroll_year": 2020})),
    "antijoin_nullable_outer": _q(lambda u: u.Student - u.Department),
    "antijoin_nullable_in_or": _q(lambda u: u.Department - [u.Student, {"dept": "CS"}]),
    # kept secondary attributes are grouped too (MariaDB ONLY_FULL_GROUP_BY)
    "aggr_keep_attribute": _q(lambda u: u.Student.aggr(u.Enroll, "last_name", n="count(term_id)")),
    # namesake columns that are not join attributes force a sub-query (unqualified names stay unambiguous)
    "join_hidden_namesake": _q(lambda u: (u.Student & "dept = 'CS'").proj() * u.Course.proj("credits")),
    # MySQL functions in expressions, translated for PostgreSQL and SQLite
    "proj_mysql_functions": _q(lambda u: u.Student.proj(later="IF(enroll_year > 2021, 'late', 'early')",
                                                        since="year(enroll_year)", today="CURDATE()")),
    "aggr_group_concat": _q(lambda u: u.Department.aggr(u.Student, names="GROUP_CONCAT(last_name SEPARATOR '; ')")),
    # lists of keys: one IN list per set of attributes named (a dict with None stays an IS NULL term)
    "restrict_key_list": _q(lambda u: u.Student & [{"student_id": 1001}, {"student_id": 1002}, {"student_id": 1001}]),
    "restrict_key_list_rows": _q(lambda u: u.Enroll & [{"student_id": 1001, "course_id": 3, "term_id": 1,
                                                         "section_id": "a"},
                                                        {"term_id": 2, "student_id": 1002, "course_id": 4,
                                                         "section_id": "b"}]),
    "restrict_key_list_mixed": _q(lambda u: u.Student & [{"dept": "CS"}, {"dept": None}, {"dept": "BIO"}]),
    # from 64 rows PostgreSQL compares with a VALUES list (hashed), enums as text
    "restrict_key_list_many_rows": _q(lambda u: u.Term & [{"term_id": i, "season": "fall"} for i in range(64)]),
}


# ----------------------------------------------------------------------------- the tests
def _render(sql: str, params: list) -> str:
    return f"{sql}\n-- params: {params!r}\n"


def _check_snapshot(path: Path, text: str) -> None:
    if os.environ.get("DJ_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if not path.exists():
        pytest.fail(f"missing snapshot {path}: run with DJ_UPDATE_SNAPSHOTS=1 and review the file")
    assert text == path.read_text()


@pytest.mark.parametrize("dialect", list(DIALECTS))
@pytest.mark.parametrize("shape", list(SHAPES))
def test_select_snapshot(shape, dialect):
    expr = SHAPES[shape]()
    assert expr.connection is None  # built and compiled without any database
    sql, params = compile_select(DIALECTS[dialect], expr._node)
    _check_snapshot(SNAPSHOTS / dialect / f"{shape}.sql", _render(sql, list(params)))


@pytest.mark.parametrize("dialect", list(DIALECTS))
@pytest.mark.parametrize("shape", ["join_two", "aggr_restricted", "union_pk_only", "top_order_offset", "universal_aggr"])
def test_count_snapshot(shape, dialect):
    sql, params = compile_count(DIALECTS[dialect], SHAPES[shape]()._node)
    _check_snapshot(SNAPSHOTS / dialect / f"count_{shape}.sql", _render(sql, list(params)))


@pytest.mark.parametrize("dialect", list(DIALECTS))
@pytest.mark.parametrize("shape", ["table", "join_two", "top_limit"])
def test_capped_count_snapshot(shape, dialect):
    """A preview's count reads at most cap + 1 keys."""
    sql, params = compile_count(DIALECTS[dialect], SHAPES[shape]()._node, cap=10000)
    assert "LIMIT 10001" in sql
    _check_snapshot(SNAPSHOTS / dialect / f"count_capped_{shape}.sql", _render(sql, list(params)))


@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_values_are_parameters_not_text(dialect):
    """A value with quotes and % never reaches the SQL text: it is a bound parameter."""
    expr = university()["Student"] & {"last_name": "O'Brien 50%"}
    sql, params = compile_select(DIALECTS[dialect], expr._node)
    assert "O'Brien" not in sql and params == ["O'Brien 50%"]


def test_dialects_differ_only_where_they_must():
    """Quoting and placeholders differ; the shape of a join is the same SELECT everywhere."""
    node = (university()["Student"] * university()["Enroll"])._node
    texts = {name: compile_select(d, node)[0] for name, d in DIALECTS.items()}
    assert "`student`" in texts["mysql"] and '"uni"."student"' in texts["postgresql"] and '"uni.student"' in texts["sqlite"]
    normalised = {t.replace("`", '"').replace('"uni"."', '"uni.') for t in texts.values()}
    assert len(normalised) == 1, texts


# ----------------------------------------------------------------------------- semantic check, without a database
def _plain_table(table: str, *attributes: str, lineage: bool) -> QueryExpression:
    attrs = [_attr(a) for a in attributes]
    if not lineage:
        attrs = [Attribute(a.name, a.type, in_key=a.in_key, nullable=a.nullable) for a in attrs]
    return QueryExpression(TableRef(SCHEMA, table, Heading(attrs)), connection=None)


def test_namesakes_of_different_lineage_are_refused_while_building():
    a = _plain_table("a", "*id : int32", "x : int32", lineage=True)
    b = QueryExpression(TableRef(SCHEMA, "b", Heading([
        Attribute("id", parse_type("int32"), in_key=True, lineage="uni.b.id")])), connection=None)
    with pytest.raises(dj.DataJointError, match=r"`id`: different lineages \(uni\.x\.id vs uni\.b\.id\)"):
        a * b
    assert compile_select(MYSQL, a.join(b, semantic_check=False)._node)[0].endswith("USING (`id`)")


def test_operands_without_any_lineage_are_matched_by_name_with_a_warning(caplog):
    """A schema without ~lineage (declared by an older tool): DataJoint warns and skips the check."""
    a = _plain_table("a", "*id : int32", "x : int32", lineage=False)
    b = _plain_table("b", "*id : int32", "x : int32", lineage=True)
    with caplog.at_level("WARNING", logger="dj_jupyter"):
        joined = a * b
    assert joined.primary_key == ["id"] and "Semantic check skipped" in caplog.text
    with pytest.raises(dj.DataJointError, match="no lineage"):
        b * b.proj(y="x", x="id + 1")  # computed namesakes of a table that has lineage are still refused
