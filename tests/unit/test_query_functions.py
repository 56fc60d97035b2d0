"""MySQL functions in user expressions, translated per dialect; squeezing fetched arrays (no database)."""

from __future__ import annotations

import numpy as np
import pytest

from dj_jupyter.definition.types import parse_type
from dj_jupyter.heading.heading import Attribute, Heading
from dj_jupyter.schema.expression import _squeeze_columns, _squeeze_rows
from dj_jupyter.sql.functions import translate_functions

POSTGRES = {
    "GROUP_CONCAT(name)": "STRING_AGG(CAST(name AS TEXT), ',')",
    "group_concat(DISTINCT name ORDER BY name SEPARATOR '; ')": "STRING_AGG(DISTINCT CAST(name AS TEXT), '; ' ORDER BY name)",
    "CURDATE()": "CURRENT_DATE",
    "YEAR(d) - year(b)": "CAST(EXTRACT(YEAR FROM d) AS INTEGER) - CAST(EXTRACT(YEAR FROM b) AS INTEGER)",
    "MONTH(d)": "CAST(EXTRACT(MONTH FROM d) AS INTEGER)",
    "IF(x > 1, 'a, b', IF(y, 1, 2))": "(CASE WHEN x > 1 THEN 'a, b' ELSE (CASE WHEN y THEN 1 ELSE 2 END) END)",
    "IFNULL(a, 0)": "COALESCE(a, 0)",
    "coalesce(year(d), 0)": "coalesce(CAST(EXTRACT(YEAR FROM d) AS INTEGER), 0)",
    "NOW()": "NOW()",  # PostgreSQL has now()
}
SQLITE = {
    "YEAR(d)": "CAST(strftime('%Y', d) AS INTEGER)",
    "GROUP_CONCAT(name SEPARATOR '')": "GROUP_CONCAT(name, '')",
    "GROUP_CONCAT(DISTINCT name)": "GROUP_CONCAT(DISTINCT name)",
    "IF(a, b, c)": "(CASE WHEN a THEN b ELSE c END)",
    "CURDATE()": "date('now')",
}
UNCHANGED = [
    "'YEAR(d)' || name",  # inside a string literal
    '"if"(a)',  # a quoted identifier
    "t.year(d)",  # a qualified name is not the function
    "IF(a, b)",  # wrong number of arguments: left for the database to judge
    "myyear(d)",
    "YEAR(d",  # unbalanced
]


@pytest.mark.parametrize("text", list(POSTGRES))
def test_postgresql_translation(text):
    assert translate_functions(text, "postgresql") == POSTGRES[text]


@pytest.mark.parametrize("text", list(SQLITE))
def test_sqlite_translation(text):
    assert translate_functions(text, "sqlite") == SQLITE[text]


@pytest.mark.parametrize("text", UNCHANGED)
@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_not_a_translatable_call(text, dialect):
    assert translate_functions(text, dialect) == text


@pytest.mark.parametrize("text", list(POSTGRES))
def test_mysql_is_never_rewritten(text):
    assert translate_functions(text, "mysql") == text


def _heading() -> Heading:
    return Heading([
        Attribute("k", parse_type("int32"), in_key=True),
        Attribute("arr", parse_type("longblob"), sql_type="longblob"),
        Attribute("x", parse_type("float64")),
    ])


def test_squeeze_only_array_columns():
    h = _heading()
    names = ["k", "arr", "x"]
    rows = [(1, np.zeros((1, 3, 1)), 2.0), (2, None, 3.0)]
    out = _squeeze_rows(h, names, rows)
    assert out[0][1].shape == (3,) and out[1][1] is None and out[0][0] == 1 and out[0][2] == 2.0
    cols = _squeeze_columns(h, names, [[1], [np.ones((2, 1))], [1.0]])
    assert cols[1][0].shape == (2,)
