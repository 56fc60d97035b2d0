"""Bad input to queries and fetches gets errors a scientist can act on, on every backend.

* an unknown attribute (restriction, projection, order_by, to_arrays, fetch1, fetch) names
  the attribute and lists the heading;
* a malformed SQL string restriction raises the database's error translated into the
  project's hierarchy (``QueryError``), with the offending SQL;
* ``fetch1`` on zero or several rows says how many it found;
* a join (or semijoin) of namesakes with different lineages is refused with a hint to
  rename with ``.proj()``.

The data (a small university) is inserted once per backend and never changed.
"""

from __future__ import annotations

import warnings

import pytest

import dj_jupyter as dj
from dj_jupyter.errors import (
    DataJointError,
    QueryError,
    QuerySyntaxError,
    UnknownAttributeError,
)
from tests.backends.conftest import BACKENDS
from tests.backends.pipeline import module_database
from tests.backends.university import (
    declare_university,
    make_university_data,
    populate_university,
)

DATA = make_university_data(seed=7, students=40, courses=12, sections=30, enrollments=200, grades=150, advisees=10)
STUDENT_HEADING = list(DATA["Student"].columns)


@pytest.fixture(scope="module", params=BACKENDS)
def u(request, tmp_path_factory):
    for conn, name in module_database(request, tmp_path_factory):
        ns = declare_university(dj.Schema(name, connection=conn))
        populate_university(ns, DATA)
        yield ns


def assert_names_and_lists(error: Exception, name: str, heading: list[str]) -> None:
    text = str(error)
    assert f"`{name}`" in text, text
    missing = [h for h in heading if h not in text]
    assert not missing, f"the message does not list {missing}: {text}"


# ----------------------------------------------------------------------------- unknown attributes
UNKNOWN = {
    "restriction_str": lambda u: u.Student & "nmae = 'Ann'",
    "restriction_str_in_not": lambda u: u.Student - "enroll_year > 2020 and nmae IS NULL",
    "restriction_str_in_list": lambda u: u.Student & ["enroll_year = 2020", "nmae = 'Ann'"],
    "proj_keep": lambda u: u.Student.proj("nmae"),
    "proj_exclude": lambda u: u.Student.proj(..., "-nmae"),
    "order_by_fetch": lambda u: u.Student.to_dicts(order_by="nmae"),
    "order_by_top": lambda u: u.Student & dj.Top(3, "nmae DESC"),
    "order_by_keys": lambda u: u.Student.keys(order_by=["enroll_year", "nmae"]),
    "to_arrays": lambda u: u.Student.to_arrays("last_name", "nmae"),
    "to_pandas_order": lambda u: u.Student.to_pandas(order_by="nmae", limit=3),
    "fetch1": lambda u: (u.Student & {"student_id": 1000}).fetch1("nmae"),
}


@pytest.mark.parametrize("where", list(UNKNOWN))
def test_unknown_attribute_is_named_with_the_heading(u, where):
    with pytest.raises(UnknownAttributeError) as info:
        UNKNOWN[where](u)
    assert isinstance(info.value, KeyError)  # the builtin it refines, for `except KeyError`
    assert_names_and_lists(info.value, "nmae", STUDENT_HEADING)


def test_unknown_attribute_in_deprecated_fetch(u):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(UnknownAttributeError) as info:
            u.Student.fetch("nmae")
    assert_names_and_lists(info.value, "nmae", STUDENT_HEADING)


def test_unknown_attribute_of_a_derived_heading_lists_that_heading(u):
    """The heading listed is the query's, not the table's: renamed attributes appear under their new names."""
    query = u.Student.proj("last_name", year="enroll_year")
    with pytest.raises(UnknownAttributeError) as info:
        query & "enroll_year = 2020"
    assert_names_and_lists(info.value, "enroll_year", ["student_id", "last_name", "year"])


def test_unknown_attribute_in_computed_projection(u):
    """Refused while the query is built, before any SQL runs."""
    with pytest.raises(UnknownAttributeError) as info:
        u.Student.proj(age="2024 - nmae")
    assert_names_and_lists(info.value, "nmae", STUDENT_HEADING)
    assert "2024 - nmae" in str(info.value)


def test_computed_projection_accepts_functions_keywords_and_strings(u):
    """Function names, SQL words and quoted text are not taken for attribute names."""
    q = u.Student.proj(tag="CASE WHEN enroll_year > 2021 THEN 'nmae' ELSE cast(enroll_year as char) END",
                       n="coalesce(scholarship, 0) + 1")
    assert len(q.to_dicts(limit=3)) == 3


def test_unknown_attribute_in_aggregate_expression_is_translated(u):
    """Not checked before SQL, but translated: the error names the column and carries the SQL."""
    with pytest.raises(UnknownAttributeError) as info:
        u.Student.aggr(u.Enroll, n="count(nmae)").to_dicts()
    assert "nmae" in str(info.value) and "count(nmae)" in str(info.value)


def test_dict_keys_that_match_nothing_are_ignored(u):
    """Not an error (as in DataJoint): a dict restriction ignores keys outside the heading."""
    assert len(u.Student & {"nmae": "Ann"}) == len(DATA["Student"])


# ----------------------------------------------------------------------------- malformed SQL
MALFORMED = {
    "double_operator": "enroll_year = = 2020",
    "unclosed_parenthesis": "(enroll_year = 2020",
    "dangling_and": "enroll_year = 2020 and",
}


@pytest.mark.parametrize("fetch", ["to_dicts", "len", "bool"])
@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_sql_restriction_is_translated_with_its_sql(u, case, fetch):
    query = u.Student & MALFORMED[case]
    run = {"to_dicts": lambda: query.to_dicts(), "len": lambda: len(query), "bool": lambda: bool(query)}[fetch]
    with pytest.raises(QueryError) as info:
        run()
    assert isinstance(info.value, QuerySyntaxError), f"{type(info.value).__name__}: {info.value}"
    assert MALFORMED[case] in str(info.value)  # the offending SQL is shown
    assert type(info.value).__module__ == "dj_jupyter.errors"


def test_sql_error_other_than_syntax_is_still_a_query_error(u):
    """A well-formed condition the database refuses (a bad operator for the type) is a QueryError with the SQL."""
    query = u.Student & "enroll_year >>> 3"
    with pytest.raises(QueryError) as info:
        query.to_dicts()
    assert "enroll_year >>> 3" in str(info.value)


# ----------------------------------------------------------------------------- fetch1 cardinality
def test_fetch1_on_zero_rows_says_zero(u):
    with pytest.raises(DataJointError) as info:
        (u.Student & {"student_id": 1}).fetch1()
    assert "0" in str(info.value) and "fetch1" in str(info.value)


def test_fetch1_on_two_rows_says_two(u):
    two = u.Student & [{"student_id": 1000}, {"student_id": 1001}]
    with pytest.raises(DataJointError) as info:
        two.fetch1("last_name")
    assert " 2" in str(info.value)


def test_fetch1_on_many_rows_says_how_many(u):
    with pytest.raises(DataJointError) as info:
        u.Student.fetch1()
    assert str(len(DATA["Student"])) in str(info.value), str(info.value)


def test_fetch1_on_one_row_returns_it(u):
    assert (u.Student & {"student_id": 1003}).fetch1("student_id") == 1003


# ----------------------------------------------------------------------------- semantic check
def test_join_of_namesakes_with_different_lineage_is_refused(u):
    with pytest.raises(DataJointError) as info:
        u.Student.proj(course_id="student_id") * u.Course
    text = str(info.value)
    assert "course_id" in text and ".proj(" in text


def test_restriction_by_namesakes_with_different_lineage_is_refused(u):
    with pytest.raises(DataJointError) as info:
        u.Course & u.Student.proj(course_id="student_id")
    assert "course_id" in str(info.value) and ".proj(" in str(info.value)


def test_join_on_shared_native_secondary_is_refused(u):
    """Two tables that merely share a native secondary attribute name (no lineage) cannot be joined."""
    with pytest.raises(DataJointError) as info:
        u.Section.proj("capacity") * u.Course.proj(capacity="level")
    assert "`capacity`" in str(info.value) and "no lineage" in str(info.value) and "'-capacity'" in str(info.value)


def test_semantic_check_false_joins_by_name(u):
    joined = u.Student.proj(course_id="student_id").join(u.Course, semantic_check=False)
    assert len(joined) == 0  # student ids (1000+) and course ids (100+) never coincide


def test_join_through_renamed_foreign_key_is_allowed(u):
    """advisee was declared as a renamed foreign key to Student: its lineage is Student's student_id."""
    joined = u.Advising * u.Student.proj("last_name", advisee="student_id")
    assert len(joined) == len(DATA["Advising"])


@pytest.mark.parametrize("operation", ["semijoin", "antijoin", "not", "list", "aggr", "extend", "outer_union"])
def test_every_matching_operator_checks_lineage(u, operation):
    """Join, restriction by a query (also negated or in a list), aggr, extend and the outer union's join."""
    course_ids = u.Student.proj(course_id="student_id")  # a student id under the name of a course id
    run = {
        "semijoin": lambda: u.Course & course_ids,
        "antijoin": lambda: u.Course - course_ids,
        "not": lambda: u.Course & dj.Not(course_ids),
        "list": lambda: u.Course & [{"course_id": 100}, course_ids],
        "aggr": lambda: u.Course.aggr(course_ids, n="count(*)"),
        "extend": lambda: u.Course.extend(course_ids),
        "outer_union": lambda: u.Course.proj("level") + u.Student.proj("last_name", course_id="student_id"),
    }[operation]
    with pytest.raises(DataJointError) as info:
        run()
    text = str(info.value)
    assert "`course_id`" in text and "different lineages" in text and ".proj(" in text, text


def test_semantic_check_false_on_restrict_and_extend(u):
    course_ids = u.Student.proj(course_id="student_id")
    assert len(u.Course.restrict(course_ids, semantic_check=False)) == 0
    assert len(u.Course.extend(course_ids.proj(), semantic_check=False)) == len(DATA["Course"])


# ----------------------------------------------------------------------------- dj.U misuse
U_MISUSE = {
    "minus": lambda u: dj.U("dept") - u.Student,
    "u_times_q": lambda u: dj.U("dept") * u.Student,
    "q_times_u": lambda u: u.Student * dj.U("dept"),
    "instance_times_u": lambda u: u.Student() * dj.U("dept"),
    "u_times_class": lambda u: dj.U("dept") * u.Student,
    "union": lambda u: dj.U("dept") + u.Student,
    "restrict_by_dict": lambda u: dj.U("dept") & {"dept": "CS"},
    "keep_nonmatching": lambda u: dj.U("dept").aggr(u.Student, n="count(*)", exclude_nonmatching=False),
    "unknown_attribute": lambda u: dj.U("nmae") & u.Student,
    "unknown_attribute_aggr": lambda u: dj.U("nmae").aggr(u.Student, n="count(*)"),
}


@pytest.mark.parametrize("case", list(U_MISUSE))
def test_universal_set_misuse_is_refused(u, case):
    with pytest.raises(DataJointError) as info:
        U_MISUSE[case](u)
    assert "dj.U" in str(info.value) or "nmae" in str(info.value), str(info.value)


def test_restriction_by_universal_set(u):
    assert len(u.Student & dj.U("dept")) == len(DATA["Student"])
    assert len(u.Student - dj.U("dept")) == 0
    assert (dj.U().aggr(u.Student, n="count(*)")).fetch1("n") == len(DATA["Student"])
    assert (dj.U("dept") & u.Student).primary_key == ["dept"]


# ----------------------------------------------------------------------------- previews and counts
def test_capped_count_and_preview_total(u):
    n = len(DATA["Enroll"])
    assert u.Enroll().count() == n == len(u.Enroll())
    assert u.Enroll().count(cap=n) == n  # not more than the cap: exact
    assert u.Enroll().count(cap=10) == 11  # cap + 1 means "more than 10"
    from dj_jupyter.schema import preview

    assert preview.preview_total(u.Enroll(), cap=10) == ">10"
    assert preview.preview_total(u.Enroll(), cap=n) == str(n)
    assert f"Total: {n}" in repr(u.Enroll()) and f"Total: {n}" in u.Enroll()._repr_html_()
    with pytest.raises(DataJointError):
        u.Enroll().count(cap=-1)


def test_capped_preview_text(u, monkeypatch):
    from dj_jupyter.schema import preview

    monkeypatch.setattr(preview, "COUNT_CAP", 50)
    assert "Total: >50" in repr(u.Enroll())
    assert "Total: &gt;50" in u.Enroll()._repr_html_()


# ----------------------------------------------------------------------------- optional exports
@pytest.mark.parametrize("method, module, extra", [("to_polars", "polars", "polars"), ("to_arrow", "pyarrow", "arrow")])
def test_optional_formats_name_their_extra(u, monkeypatch, method, module, extra):
    import sys

    monkeypatch.setitem(sys.modules, module, None)  # makes the import fail even where it is installed
    with pytest.raises(ImportError) as info:
        getattr(u.Student, method)()
    assert f"dj_jupyter[{extra}]" in str(info.value)


def test_to_polars_and_arrow_when_installed(u):
    pytest.importorskip("pyarrow")
    table = (u.Student & {"student_id": 1000}).to_arrow()
    assert table.column_names[0] == "student_id" and table.num_rows == 1
    pytest.importorskip("polars")
    frame = (u.Student & "student_id < 1003").to_polars()
    assert frame.columns[0] == "student_id" and sorted(frame["student_id"].to_list()) == [1000, 1001, 1002]
