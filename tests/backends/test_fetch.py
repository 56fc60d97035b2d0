"""The fetch API, previews and restrictions on every backend, over one pipeline filled once
per backend (no test here writes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dj_jupyter as dj
from dj_jupyter.errors import DataJointError, UnknownAttributeError
from tests.backends.conftest import BACKENDS
from tests.backends.pipeline import declare_pipeline, fill_pipeline, module_database


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory):
    yield from module_database(request, tmp_path_factory)


@pytest.fixture(scope="module")
def p(db):
    conn, name = db
    schema = dj.Schema(name, connection=conn)
    pipeline = declare_pipeline(schema)

    @schema
    class Note(dj.Manual):
        definition = """
        note_id : int32
        ---
        doc : json        # a json column, shown as a placeholder
        raw = null : bytes
        """

    pipeline.Note = Note
    fill_pipeline(pipeline)
    Note.insert([dict(note_id=1, doc={"a": 1}, raw=b"\x00\x01"), dict(note_id=2, doc=[1, 2], raw=None)])
    return pipeline


SUBJECTS = [
    dict(subject_id=1, name="Ann", sex="F", weight=20.5),
    dict(subject_id=2, name="Bob", sex="M", weight=None),
    dict(subject_id=3, name="Cid", sex="U", weight=31.0),
]


# ------------------------------------------------------------------------------ to_dicts / keys / len
def test_to_dicts(p):
    assert p.Subject.to_dicts(order_by="KEY") == SUBJECTS
    assert p.Subject().to_dicts(order_by="subject_id DESC") == SUBJECTS[::-1]


def test_order_by_limit_offset(p):
    assert [r["subject_id"] for r in p.Subject.to_dicts(limit=2)] == [1, 2]
    assert [r["subject_id"] for r in p.Subject.to_dicts(limit=2, offset=1)] == [2, 3]
    assert [r["name"] for r in p.Subject.to_dicts(order_by="name DESC", limit=1)] == ["Cid"]
    assert [r["subject_id"] for r in p.Subject.to_dicts(order_by=["name DESC", "subject_id"])] == [3, 2, 1]
    # ordering happens in the database: a limited query ordered by a secondary attribute
    assert [r["subject_id"] for r in p.Session.to_dicts(order_by=["session_date DESC"], limit=2)] == [3, 2]
    with pytest.raises(UnknownAttributeError, match="nope"):
        p.Subject.to_dicts(order_by="nope")


def test_keys(p):
    assert p.Session.keys(order_by="KEY", limit=2) == [dict(subject_id=1, session=0), dict(subject_id=1, session=1)]
    assert (p.Subject & "subject_id > 5").keys() == []


def test_len_bool_iteration_and_membership(p):
    assert len(p.Subject()) == 3 and len(p.Session()) == 5 and len(p.Analysis.Item()) == 7
    assert bool(p.Subject()) and not (p.Subject & "subject_id > 5")
    assert sorted(r["subject_id"] for r in p.Subject()) == [1, 2, 3]
    assert sorted(r["subject_id"] for r in p.Subject) == [1, 2, 3]  # class-level iteration
    assert dict(subject_id=2) in p.Subject()
    assert dict(subject_id=7) not in p.Subject()
    assert len(p.Subject * p.Session) == 5


def test_head_and_tail(p):
    assert [r["item"] for r in p.Analysis.Item.head(2)] == [0, 0]
    assert p.Subject.tail(1) == [SUBJECTS[2]]
    assert p.Subject.head() == SUBJECTS


# ------------------------------------------------------------------------------ to_pandas
def test_to_pandas_indexed_by_primary_key(p):
    df = p.Session.to_pandas()
    assert list(df.index.names) == ["subject_id", "session"]
    assert len(df) == 5 and "session_date" in df.columns
    subjects = p.Subject.to_pandas()
    assert subjects.loc[3, "name"] == "Cid"
    assert pd.isna(subjects.loc[2, "weight"])


def test_to_pandas_empty(p):
    df = (p.Subject & "subject_id > 5").to_pandas()
    assert len(df) == 0
    assert list(df.index.names) == ["subject_id"]


# ------------------------------------------------------------------------------ to_arrays
def test_to_arrays_structured(p):
    arr = p.Subject.to_arrays(order_by="KEY")
    assert arr.dtype.names == ("subject_id", "name", "sex", "weight")
    assert arr.dtype["subject_id"] == np.int64
    assert arr.dtype["weight"] == np.float64
    assert arr.dtype["name"] == object
    assert list(arr["subject_id"]) == [1, 2, 3]
    assert np.isnan(arr["weight"][1]) and arr["weight"][0] == 20.5


def test_to_arrays_empty_has_heading_dtype(p):
    arr = (p.Subject & "subject_id > 5").to_arrays()
    assert len(arr) == 0 and arr.dtype.names == ("subject_id", "name", "sex", "weight")


def test_to_arrays_by_attribute(p):
    names = p.Subject.to_arrays("name", order_by="KEY")
    assert isinstance(names, np.ndarray) and list(names) == ["Ann", "Bob", "Cid"]
    ids, weights = p.Subject.to_arrays("subject_id", "weight", order_by="KEY")
    assert ids.dtype == np.int64 and list(ids) == [1, 2, 3]
    assert weights.dtype == np.float64 and np.isnan(weights[1])
    keys, names = p.Subject.to_arrays("name", include_key=True, order_by="KEY")
    assert keys == [dict(subject_id=1), dict(subject_id=2), dict(subject_id=3)]
    assert list(names) == ["Ann", "Bob", "Cid"]
    with pytest.raises(UnknownAttributeError, match="height"):
        p.Subject.to_arrays("height")


# ------------------------------------------------------------------------------ fetch1 / fetch
def test_fetch1(p):
    one = p.Subject & dict(subject_id=1)
    assert one.fetch1() == SUBJECTS[0]
    assert one.fetch1("name") == "Ann"
    assert one.fetch1("name", "weight") == ("Ann", 20.5)
    assert one.fetch1("KEY") == dict(subject_id=1)
    assert one.fetch1("KEY", "sex") == (dict(subject_id=1), "F")


@pytest.mark.parametrize("restriction,count", [("subject_id > 5", "0"), ("subject_id < 3", "2")])
def test_fetch1_needs_exactly_one_row(p, restriction, count):
    with pytest.raises(DataJointError, match=f"returned {count}"):
        (p.Subject & restriction).fetch1()
    with pytest.raises(DataJointError, match=f"returned {count}"):
        (p.Subject & restriction).fetch1("name")


def test_fetch_is_deprecated_but_works(p):
    with pytest.warns(DeprecationWarning):
        arr = p.Subject.fetch()
    assert len(arr) == 3 and arr.dtype.names[0] == "subject_id"
    with pytest.warns(DeprecationWarning):
        frame = p.Subject.fetch(format="frame")
    assert list(frame.index.names) == ["subject_id"]
    with pytest.warns(DeprecationWarning):
        assert p.Subject.fetch(as_dict=True, order_by="KEY") == SUBJECTS
    with pytest.warns(DeprecationWarning):
        assert sorted(p.Subject.fetch("name")) == ["Ann", "Bob", "Cid"]
    with pytest.warns(DeprecationWarning):
        assert p.Subject.fetch("KEY", order_by="KEY") == [dict(subject_id=i) for i in (1, 2, 3)]
    with pytest.warns(DeprecationWarning), pytest.raises(DataJointError):
        p.Subject.fetch("name", format="frame")


# ------------------------------------------------------------------------------ previews
def test_text_preview(p):
    text = repr(p.Subject())
    assert "*subject_id" in text and "name" in text and "Ann" in text
    assert "Total: 3" in text


def test_html_preview(p):
    page = p.Subject()._repr_html_()
    assert "Ann" in page and "Cid" in page and "Total: 3" in page
    assert 'class="dj-pk"' in page  # the primary key header is marked (bold in the CSS)
    assert "dj-pk" in page.split("subject_id")[0].rsplit("<th", 1)[1]
    css = page[page.index("<style"):page.index("</style>")] if "<style" in page else ""
    assert "dj-pk" in css and "bold" in css
    assert "prefers-color-scheme: dark" in css


def test_previews_show_blob_like_columns_as_placeholders(p):
    page = p.Note()._repr_html_()
    text = repr(p.Note())
    for shown in (page, text):
        assert "json" in shown and "bytes" in shown
        assert "\\x00" not in shown and "{'a': 1}" not in shown and "{&#x27;a&#x27;: 1}" not in shown


def test_preview_escapes_html(p):
    page = (p.Session & dict(subject_id=1, session=0)).proj(label="'<b>x</b>'")._repr_html_()
    assert "<b>x</b>" not in page and "&lt;b&gt;" in page


# ------------------------------------------------------------------------------ restrictions
def ids(q) -> list[int]:
    return sorted(r["subject_id"] for r in q.keys())


def test_restrict_by_dict_and_string(p):
    assert ids(p.Subject & dict(sex="M")) == [2]
    assert ids(p.Subject & dict(weight=None)) == [2]
    assert ids(p.Subject & "weight > 21") == [3]
    assert ids(p.Subject & "name = 'Ann' OR sex = 'U'") == [1, 3]
    assert ids(p.Subject & dict(sex="M", nonexistent=5)) == [2]  # keys outside the heading are ignored


def test_restrict_by_list_andlist_not(p):
    assert ids(p.Subject & [dict(subject_id=1), "subject_id = 3"]) == [1, 3]
    assert ids(p.Subject & []) == []
    assert ids(p.Subject & dj.AndList(["subject_id > 1", dict(sex="U")])) == [3]
    assert ids(p.Subject & dj.AndList([])) == [1, 2, 3]
    assert ids(p.Subject & dj.Not(dict(sex="M"))) == [1, 3]
    assert ids(p.Subject - dict(sex="M")) == [1, 3]
    assert ids(p.Subject - [dict(subject_id=1), dict(subject_id=2)]) == [3]


def test_restrict_by_expression(p):
    assert ids(p.Subject & p.Review) == [1, 2]
    assert ids(p.Subject - p.Review) == [3]
    assert ids(p.Subject & (p.Session & "session = 1")) == [1, 2]
    # through the renamed attribute (its own subject_id renamed away: DataJoint refuses a rename onto a kept name)
    assert ids(p.Subject & p.Session.proj(owner_id="subject_id", subject_id="buddy_id")) == [2]


def test_restrict_by_numpy_record_and_dataframe(p):
    rec = p.Subject.to_arrays(order_by="KEY")
    assert ids(p.Subject & rec[1]) == [2]
    assert ids(p.Subject & rec[[0, 2]]) == [1, 3]
    frame = pd.DataFrame([dict(subject_id=3), dict(subject_id=1)])
    assert ids(p.Subject & frame) == [1, 3]
    assert ids(p.Subject & p.Subject.to_pandas().iloc[:1]) == [1]  # PK index included


def test_restrict_by_bool(p):
    assert ids(p.Subject & True) == [1, 2, 3]
    assert ids(p.Subject & False) == []


def test_unknown_attribute_in_string_restriction_is_named(p):
    with pytest.raises(UnknownAttributeError, match="heigth"):
        p.Subject & "heigth > 3"
    with pytest.raises(DataJointError):
        p.Subject & None
