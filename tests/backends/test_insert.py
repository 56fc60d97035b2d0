"""insert / insert1 on every backend: input shapes, options, exact round trips of every
core type, and bad input refused before any SQL runs (the table stays as it was)."""

from __future__ import annotations

import datetime
import decimal
import uuid

import numpy as np
import pandas as pd
import pytest

import dj_jupyter as dj
from dj_jupyter.errors import (
    DataJointError,
    DuplicateError,
    IntegrityError,
    MissingAttributeError,
    UnknownAttributeError,
    ValidationError,
)
from tests.backends.conftest import BACKENDS
from tests.backends.pipeline import declare_pipeline, module_database, table_state


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory):
    yield from module_database(request, tmp_path_factory)


@pytest.fixture(scope="module")
def tables(db):
    """The pipeline plus a table of every core type and a table of defaults (declared once per backend)."""
    conn, name = db
    schema = dj.Schema(name, connection=conn)
    p = declare_pipeline(schema)

    @schema
    class AllTypes(dj.Manual):
        definition = """
        id : int32
        ---
        i8 = null : int8
        i16 = null : int16
        i32 = null : int32
        i64 = null : int64
        u8 = null : uint8
        u16 = null : uint16
        u32 = null : uint32
        u64 = null : uint64
        f32 = null : float32
        f64 = null : float64
        flag = null : bool
        uid = null : uuid
        doc = null : json
        raw = null : bytes
        day = null : date
        moment = null : datetime
        precise = null : datetime(6)
        code = null : char(3)
        label = null : varchar(12)
        color = null : enum('red', 'green')
        amount = null : decimal(12, 3)
        """

    @schema
    class Defaults(dj.Manual):
        definition = """
        id : int32
        ---
        n = 7 : int16
        word = 'hello' : varchar(10)
        maybe = null : float64
        """

    @schema
    class Copy(dj.Manual):
        definition = """
        subject_id : uint16
        ---
        name : varchar(40)
        """

    p.AllTypes, p.Defaults, p.Copy = AllTypes, Defaults, Copy
    return p


@pytest.fixture
def t(tables):
    """The tables, emptied before each test (rows are cheap; declarations are not)."""
    for table in (tables.Review, tables.Analysis, tables.Session, tables.Subject, tables.AllTypes, tables.Defaults,
                  tables.Copy):
        table.delete_quick()
    return tables


SUBJECTS = [dict(subject_id=i, name=f"s{i}", sex="F", weight=float(i)) for i in (1, 2, 3)]


# ------------------------------------------------------------------------------ input shapes
def test_insert_list_of_dicts(t):
    t.Subject.insert(SUBJECTS)
    assert table_state(t.Subject) == SUBJECTS


def test_insert_numpy_structured_array(t):
    arr = np.array([(1, "a", "M", 1.5), (2, "b", "F", 2.5)],
                   dtype=[("subject_id", "u2"), ("name", "U10"), ("sex", "U1"), ("weight", "f8")])
    t.Subject.insert(arr)
    assert table_state(t.Subject) == [
        dict(subject_id=1, name="a", sex="M", weight=1.5), dict(subject_id=2, name="b", sex="F", weight=2.5)]


def test_insert_dataframe_without_index(t):
    t.Subject.insert(pd.DataFrame(SUBJECTS))
    assert table_state(t.Subject) == SUBJECTS


def test_insert_dataframe_with_pk_index(t):
    frame = pd.DataFrame(SUBJECTS).set_index("subject_id")
    t.Subject.insert(frame)
    assert table_state(t.Subject) == SUBJECTS
    # and the frame that to_pandas gives back inserts into an empty copy unchanged
    out = t.Subject.to_pandas()
    t.Subject.delete_quick()
    t.Subject.insert(out)
    assert table_state(t.Subject) == SUBJECTS


def test_insert_dataframe_with_nan_in_nullable_column(t):
    frame = pd.DataFrame([dict(subject_id=1, name="a", sex="M", weight=np.nan)])
    t.Subject.insert(frame)
    assert t.Subject.fetch1("weight") is None


def test_insert_from_query_expression(t):
    t.Subject.insert(SUBJECTS)
    t.Copy.insert(t.Subject.proj("name") & "subject_id > 1")
    assert table_state(t.Copy) == [dict(subject_id=2, name="s2"), dict(subject_id=3, name="s3")]


def test_insert_from_query_with_extra_attributes_needs_ignore_extra_fields(t):
    t.Subject.insert(SUBJECTS)
    with pytest.raises(DataJointError, match="sex"):
        t.Copy.insert(t.Subject)
    assert table_state(t.Copy) == []
    t.Copy.insert(t.Subject, ignore_extra_fields=True)
    assert len(t.Copy()) == 3


def test_insert1_dict_record_and_tuple(t):
    t.Subject.insert1(dict(subject_id=1, name="a", sex="M", weight=1.0))
    rec = np.array([(2, "b", "F", 2.0)],
                   dtype=[("subject_id", "i8"), ("name", "U5"), ("sex", "U1"), ("weight", "f8")])[0]
    t.Subject.insert1(rec)
    with pytest.warns(DeprecationWarning, match="positional"):
        t.Subject.insert1((3, "c", "U", 3.0))
    assert [r["name"] for r in table_state(t.Subject)] == ["a", "b", "c"]


def test_positional_tuple_of_wrong_length(t):
    with pytest.warns(DeprecationWarning), pytest.raises(DataJointError, match="Incorrect number of attributes"):
        t.Subject.insert1((1, "a"))
    assert table_state(t.Subject) == []


# ------------------------------------------------------------------------------ options
def test_duplicate_key_raises_and_suggests_skip_duplicates(t):
    t.Subject.insert(SUBJECTS[:1])
    with pytest.raises(DuplicateError, match="skip_duplicates=True"):
        t.Subject.insert([SUBJECTS[1], dict(SUBJECTS[0], name="other")])
    assert table_state(t.Subject) == SUBJECTS[:1]  # the batch's good row did not land either


def test_skip_duplicates_keeps_existing_rows(t):
    t.Subject.insert(SUBJECTS[:2])
    t.Subject.insert([dict(SUBJECTS[0], name="changed"), SUBJECTS[2]], skip_duplicates=True)
    assert table_state(t.Subject) == SUBJECTS


def test_replace_overwrites_existing_rows(t):
    t.Subject.insert(SUBJECTS[:2])
    t.Subject.insert([dict(SUBJECTS[0], name="changed", weight=None), SUBJECTS[2]], replace=True)
    rows = table_state(t.Subject)
    assert rows[0] == dict(SUBJECTS[0], name="changed", weight=None)
    assert rows[1:] == SUBJECTS[1:]


def test_ignore_extra_fields(t):
    t.Subject.insert([dict(s, extra="x") for s in SUBJECTS], ignore_extra_fields=True)
    assert table_state(t.Subject) == SUBJECTS


def test_defaults_and_nullable_defaults_applied_when_omitted(t):
    t.Defaults.insert1(dict(id=1))
    t.Defaults.insert1(dict(id=2, n=3, word="bye", maybe=0.5))
    t.Defaults.insert1(dict(id=3, n=None, word=None, maybe=None))  # None means: use the default
    assert table_state(t.Defaults) == [
        dict(id=1, n=7, word="hello", maybe=None),
        dict(id=2, n=3, word="bye", maybe=0.5),
        dict(id=3, n=7, word="hello", maybe=None),
    ]


def test_fk_violation_raises_integrity_error(t):
    with pytest.raises(IntegrityError):
        t.Session.insert1(dict(subject_id=99, session=0, session_date="2024-01-01"))
    assert table_state(t.Session) == []


def test_computed_table_refuses_direct_insert(t):
    t.Subject.insert(SUBJECTS[:1])
    t.Session.insert1(dict(subject_id=1, session=0, session_date="2024-01-01"))
    with pytest.raises(DataJointError, match="make"):
        t.Analysis.insert1(dict(subject_id=1, session=0, total=1.0))
    assert table_state(t.Analysis) == []
    t.Analysis.insert1(dict(subject_id=1, session=0, total=1.0), allow_direct_insert=True)
    assert t.Analysis.fetch1("total") == 1.0


# ------------------------------------------------------------------------------ round trips
def _limits(backend: str) -> tuple[dict, dict]:
    u64_max = 2**63 - 1 if backend == "sqlite" else 2**64 - 1
    low = dict(i8=-(2**7), i16=-(2**15), i32=-(2**31), i64=-(2**63), u8=0, u16=0, u32=0, u64=0)
    high = dict(i8=2**7 - 1, i16=2**15 - 1, i32=2**31 - 1, i64=2**63 - 1, u8=2**8 - 1, u16=2**16 - 1,
                u32=2**32 - 1, u64=u64_max)
    return low, high


def test_integer_limits_round_trip(t, db):
    low, high = _limits(db[0].backend)
    t.AllTypes.insert([dict(id=1, **low), dict(id=2, **high)])
    rows = t.AllTypes.proj(*low).to_dicts(order_by="id")
    assert rows == [dict(id=1, **low), dict(id=2, **high)]
    assert all(type(v) is int for r in rows for v in r.values())


@pytest.mark.parametrize("attr,value", [("i8", 128), ("i8", -129), ("u8", 256), ("u8", -1), ("u16", 2**16),
                                        ("u32", -1), ("i64", 2**63), ("u64", 2**64), ("u64", -1)])
def test_integer_out_of_range_refused(t, attr, value):
    with pytest.raises(ValidationError) as info:
        t.AllTypes.insert1({"id": 1, attr: value})
    message = str(info.value)
    assert f"`{attr}`" in message and str(value) in message
    assert table_state(t.AllTypes) == []


def test_sqlite_uint64_limit_is_clear(t, db):
    if db[0].backend != "sqlite":
        pytest.skip("the signed 64-bit limit is SQLite's")
    with pytest.raises(ValidationError, match="SQLite"):
        t.AllTypes.insert1(dict(id=1, u64=2**63))
    assert table_state(t.AllTypes) == []


def test_every_core_type_round_trips_exactly(t):
    uid = uuid.uuid4()
    row = dict(
        id=1, f32=1.5, f64=1 / 3, flag=True, uid=uid, doc={"a": [1, 2.5, {"b": None}], "c": "x"},
        raw=bytes(range(256)), day=datetime.date(2024, 2, 29), moment=datetime.datetime(2024, 2, 29, 23, 59, 58),
        precise=datetime.datetime(2024, 2, 29, 23, 59, 58, 123456), code="abc", label="Ünïcødé ok",
        color="green", amount=decimal.Decimal("123456789.125"),
    )
    t.AllTypes.insert1(row)
    got = t.AllTypes.fetch1()
    for name, value in row.items():
        assert got[name] == value, name
    assert isinstance(got["uid"], uuid.UUID)
    assert isinstance(got["amount"], decimal.Decimal) and str(got["amount"]) == "123456789.125"
    assert type(got["raw"]) is bytes and type(got["day"]) is datetime.date
    assert got["precise"].microsecond == 123456


def test_uuid_string_and_bool_variants(t):
    uid = uuid.uuid4()
    t.AllTypes.insert([dict(id=1, uid=str(uid), flag=False), dict(id=2, uid=uid.hex, flag=np.bool_(True))])
    rows = t.AllTypes.proj("uid", "flag").to_dicts(order_by="id")
    assert rows[0]["uid"] == uid and rows[1]["uid"] == uid
    assert not rows[0]["flag"] and rows[1]["flag"]
    assert t.AllTypes & {"uid": uid} and len(t.AllTypes & {"uid": str(uid)}) == 2


def test_short_char_value_comes_back_unpadded(t):
    t.AllTypes.insert1(dict(id=1, code="ab"))
    assert t.AllTypes.fetch1("code") == "ab"
    assert len(t.AllTypes & dict(code="ab")) == 1


def test_float_nan_becomes_null_for_nullable(t):
    t.AllTypes.insert1(dict(id=1, f32=float("nan"), f64=np.float64("nan")))
    assert t.AllTypes.fetch1("f32", "f64") == (None, None)


def test_numpy_scalars_accepted(t):
    t.AllTypes.insert1(dict(id=np.int32(5), u8=np.uint8(200), i64=np.int64(-5), f32=np.float32(0.25)))
    assert t.AllTypes.fetch1("id", "u8", "i64", "f32") == (5, 200, -5, 0.25)


# ------------------------------------------------------------------------------ validation
BAD_VALUES = [
    ("i32", "twelve", "int32"),
    ("f64", "abc", "float64"),
    ("i16", 1.5, "int16"),
    ("label", "x" * 13, "12"),
    ("code", 123, "char(3)"),
    ("color", "blue", "red"),
    ("uid", "not-a-uuid", "UUID"),
    ("day", "2024-13-45", "date"),
    ("raw", "text", "bytes"),
    ("flag", "maybe", "boolean"),
    ("amount", "ten", "decimal"),
    ("doc", object(), "JSON"),
    # found by tests/interop/test_insert_fuzz.py: the servers refused these with an error naming no attribute
    # (MariaDB, PostgreSQL) or SQLite stored them (NaN as a non-JSON text; a decimal beyond its precision)
    ("amount", decimal.Decimal("1000000000"), "at most 9 digits before the point"),
    ("amount", -1e9, "decimal(12,3)"),
    ("doc", {"a": float("nan")}, "JSON"),
    ("doc", [float("inf")], "JSON"),
    ("f32", 1e39, "float32"),
    ("f32", -3.4028235e38, "float32"),
    ("f32", np.float64(1e39), "float32"),
]


@pytest.mark.parametrize("attr,value,expected", BAD_VALUES, ids=[b[0] + "-" + type(b[1]).__name__ for b in BAD_VALUES])
def test_wrong_value_names_attribute_type_and_value(t, attr, value, expected):
    t.AllTypes.insert1(dict(id=0))
    before = table_state(t.AllTypes)
    with pytest.raises(ValidationError) as info:
        t.AllTypes.insert1({"id": 1, attr: value})
    message = str(info.value)
    assert f"`{attr}`" in message
    assert expected in message
    assert repr(value)[:20] in message
    assert table_state(t.AllTypes) == before


def test_decimal_precision_limits(t):
    """decimal(12, 3): 9 digits before the point, rounded half away from zero to 3 places as the servers do."""
    edge = [decimal.Decimal("999999999.999"), decimal.Decimal("-999999999.999"), decimal.Decimal("999999999.9994"),
            decimal.Decimal("0.0005"), decimal.Decimal("1E-30"), decimal.Decimal("-0")]
    t.AllTypes.insert([dict(id=i, amount=v) for i, v in enumerate(edge)])
    assert len(t.AllTypes()) == len(edge)
    assert (t.AllTypes & "id = 0").fetch1("amount") == decimal.Decimal("999999999.999")
    for value in ("999999999.9995", "-999999999.9995", "1E+9", "1E+40"):
        with pytest.raises(ValidationError, match="`amount`"):
            t.AllTypes.insert1(dict(id=99, amount=decimal.Decimal(value)))
    assert len(t.AllTypes()) == len(edge)


def test_float32_range_edges(t):
    """float32's largest magnitude is stored; one step beyond is refused naming the attribute (row of a batch)."""
    big = float(np.finfo(np.float32).max)
    t.AllTypes.insert([dict(id=1, f32=big), dict(id=2, f32=-big), dict(id=3, f32=1e-30), dict(id=4, f32=None)])
    assert t.AllTypes.to_arrays("f32", order_by=["id"]).tolist()[:2] == [pytest.approx(big, rel=1e-5),
                                                                         pytest.approx(-big, rel=1e-5)]
    with pytest.raises(ValidationError, match=r"`f32`.*row 1"):
        t.AllTypes.insert([dict(id=5, f32=1.0), dict(id=6, f32=np.nextafter(big, np.inf))])
    assert len(t.AllTypes()) == 4


def test_float32_underflow(t):
    """A nonzero float32 that rounds to 0: PostgreSQL refuses it (we say so, naming the attribute), MySQL stores 0,
    SQLite keeps the double; the smallest subnormal is stored everywhere."""
    t.AllTypes.insert([dict(id=1, f32=1.5e-45), dict(id=2, f32=0.0), dict(id=3, f32=-1e-40)])
    backend = t.AllTypes.connection.backend
    assert backend in ("sqlite", "mysql", "postgresql")
    if backend == "postgresql":
        for bad in ([1e-46], [1.0, np.float64(-1e-50)]):
            with pytest.raises(ValidationError, match=r"`f32`.*underflow"):
                t.AllTypes.insert([dict(id=10 + i, f32=v) for i, v in enumerate(bad)])
        assert len(t.AllTypes()) == 3
    else:
        t.AllTypes.insert1(dict(id=4, f32=1e-46))
        assert (t.AllTypes & "id = 4").fetch1("f32") in (0.0, 1e-46)


def test_decimal_nan_is_null_like_float_nan(t):
    """DataJoint stores Decimal('NaN') as NULL (as it does float NaN); it used to be refused as not finite."""
    t.AllTypes.insert([dict(id=1, amount=decimal.Decimal("NaN")), dict(id=2, amount=float("nan"))])
    assert t.AllTypes.to_arrays("amount", order_by=["id"]).tolist() == [None, None]


def test_bad_row_deep_in_a_batch_leaves_the_table_unchanged(t):
    t.Subject.insert(SUBJECTS[:1])
    before = table_state(t.Subject)
    rows = [dict(subject_id=i, name=f"n{i}", sex="U", weight=1.0) for i in range(10, 1010)]
    rows[999] = dict(rows[999], sex="X")  # the 1000th row
    with pytest.raises(ValidationError, match="row 999"):
        t.Subject.insert(rows)
    assert table_state(t.Subject) == before
    rows[999] = dict(rows[999], sex="U", subject_id=70000)  # out of range for uint16
    with pytest.raises(ValidationError, match="subject_id"):
        t.Subject.insert(rows)
    assert table_state(t.Subject) == before


def test_unknown_attribute_is_a_key_error(t):
    with pytest.raises(KeyError) as info:
        t.Subject.insert1(dict(SUBJECTS[0], colour="red"))
    assert isinstance(info.value, UnknownAttributeError)
    assert "colour" in str(info.value) and "ignore_extra_fields" in str(info.value)
    assert table_state(t.Subject) == []


def test_missing_required_attribute(t):
    with pytest.raises(MissingAttributeError, match="`name`"):
        t.Subject.insert1(dict(subject_id=1))
    assert table_state(t.Subject) == []


def test_null_in_required_attribute(t):
    with pytest.raises(ValidationError, match="`name`"):
        t.Subject.insert1(dict(subject_id=1, name=None))
    assert table_state(t.Subject) == []


def test_hidden_attribute_refused(t):
    with pytest.raises(UnknownAttributeError, match="_secret"):
        t.Subject.insert1(dict(SUBJECTS[0], _secret=1))
    assert table_state(t.Subject) == []


def test_rows_with_different_fields(t):
    with pytest.raises(DataJointError, match="different fields"):
        t.Subject.insert([SUBJECTS[0], dict(subject_id=5, name="x")])
    with pytest.raises(DataJointError, match="different fields"):
        t.Subject.insert([SUBJECTS[0], dict(subject_id=5, name="x", sex="M", height=2.0)])
    assert table_state(t.Subject) == []


def test_insert_into_restricted_table_refused(t):
    with pytest.raises(DataJointError, match="restricted"):
        (t.Subject & "subject_id = 1").insert1(SUBJECTS[0])
    assert table_state(t.Subject) == []


def test_insert_inside_a_user_transaction_rolls_back_with_it(t, db):
    conn = db[0]
    with pytest.raises(RuntimeError):
        with conn.transaction:
            t.Subject.insert(SUBJECTS)
            assert len(t.Subject()) == 3  # visible inside the transaction
            raise RuntimeError("abort")
    assert table_state(t.Subject) == []


def test_chunked_insert_is_atomic(t):
    t.Subject.insert(SUBJECTS[2:])
    rows = [dict(subject_id=i, name="c", sex="U", weight=None) for i in (10, 11, 12, 13)] + [SUBJECTS[2]]
    with pytest.raises(DuplicateError, match="Subject"):
        t.Subject.insert(rows, chunk_size=2)  # the duplicate is in the third chunk
    assert table_state(t.Subject) == SUBJECTS[2:]
    t.Subject.insert(rows[:4], chunk_size=3)
    assert len(t.Subject()) == 5


def test_insert_from_query_with_skip_duplicates_and_replace(t):
    t.Subject.insert(SUBJECTS)
    t.Copy.insert1(dict(subject_id=1, name="kept"))
    with pytest.raises(DuplicateError):
        t.Copy.insert(t.Subject.proj("name"))
    assert table_state(t.Copy) == [dict(subject_id=1, name="kept")]
    t.Copy.insert(t.Subject.proj(name="'new'"), skip_duplicates=True)
    assert [r["name"] for r in table_state(t.Copy)] == ["kept", "new", "new"]
    t.Copy.insert(t.Subject.proj("name"), replace=True)
    assert [r["name"] for r in table_state(t.Copy)] == ["s1", "s2", "s3"]
