"""Seeded insert cases for the differential fuzzing of insert validation against DataJoint 2.3.5.

``cases(seed, n)`` returns ``n`` cases; each is a batch of rows for the table ``DEFINITION`` (one column per core
type family, nullable and defaulted columns, a required one), insert options, and what was planted: ``bad`` names
the attribute a bad value went to (or ``None`` for a batch of good values) and ``label`` the kind of value.
Departures (``DEPARTURES``): values DataJoint accepts because MariaDB silently converts them, which we refuse.
Keys ``k`` are unique per case (``case * 10 + row``); ``dup`` cases reuse the first key of an earlier case.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
import uuid
from dataclasses import dataclass, field

import numpy as np

__all__ = ["DEFINITION", "DEPARTURES", "LENIENT", "Case", "cases"]

DEFINITION = """
k : int32
---
i8 = null : int8
i16 = null : int16
i32 = null : int32
i64 = null : int64
f32 = null : float32
f64 = null : float64
dec = null : decimal(5,2)
flag = null : bool
code = null : char(3)
label = null : varchar(4)
color = null : enum('red','green')
day = null : date
moment = null : datetime(3)
uid = null : uuid
doc = null : json
raw = null : bytes
word = 'hi' : varchar(8)
n = 7 : int16
req : int16
"""

# label -> why we refuse what DataJoint (MariaDB) accepts
DEPARTURES = {
    "fractional_int": "a float with a fraction for an integer attribute: MariaDB rounds it silently; we refuse",
    "bool_range": "an integer other than 0/1 for bool: MariaDB stores it in the tinyint; we refuse",
    "enum_case": "an enum value in another letter case: MariaDB's enum matches case-insensitively and stores "
                 "the declared spelling; we refuse what is not one of the declared values",
    "number_for_string": "a number for char/varchar: MariaDB stores its text; we refuse a non-string",
    "numeric_text_for_int": "text in exponent or decimal notation for an integer ('1e2', '5.5'): MariaDB converts "
                            "(and rounds) it; we take only integer text",
    "bool_for_float": "True/False for a float: DataJoint stores 1.0/0.0; we refuse a bool where a number is declared",
    "float_for_bool": "a float (1.0) for bool: MariaDB stores it; we take True/False, 1/0 only",
    "date_format": "a date written with other separators ('2020/01/02'): MariaDB parses it; we take ISO text only",
}

# label -> why we accept what DataJoint refuses (with an error that is not a DataJointError)
LENIENT = {
    "text_bool": "'true'/'false' for bool: DataJoint fails converting the text to a float (ValueError)",
    "uuid_bytes": "16 raw bytes for a uuid: DataJoint fails with TypeError (it expects text)",
    "json_numpy": "a numpy array inside json: DataJoint's json.dumps fails (TypeError); we store its list",
    "json_date": "a date inside json: DataJoint's json.dumps fails (TypeError); we store its ISO text",
}

class Opaque:
    """A value neither library can serialise as JSON (with a stable repr, for deterministic case texts)."""

    def __repr__(self) -> str:
        return "Opaque()"


INTS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64}


def _ints(rng: random.Random, bits: int) -> list[tuple[object, str | None]]:
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    dtype = np.dtype(f"int{bits}")
    good = [lo, hi, 0, rng.randint(lo, hi), dtype.type(hi), dtype.type(lo), np.int8(-5), str(hi), 3.0,
            np.float64(-2.0)] + ([np.uint8(200)] if bits > 8 else [])
    bad = [(lo - 1, "out_of_range"), (hi + 1, "out_of_range"), ("abc", "not_a_number"), (1.5, "fractional_int"),
           (decimal.Decimal("4.5"), "fractional_int"), ("5.5", "numeric_text_for_int"),
           ("1e2", "numeric_text_for_int"), (float("inf"), "not_finite"), ([1], "wrong_type"),
           (float(hi) * 2, "out_of_range")]
    return [(v, None) for v in good] + bad


def _values(rng: random.Random, attr: str) -> list[tuple[object, str | None]]:
    """(value, None) for a good value of ``attr``, (value, label) for a bad one."""
    if attr in INTS:
        return _ints(rng, INTS[attr])
    if attr == "n" or attr == "req":
        return _ints(rng, 16)
    if attr in ("f32", "f64"):
        big = 3.0e38 if attr == "f32" else 1.7976931348623157e308
        good = [0.0, -0.0, 1.5, -2.25, rng.uniform(-1e6, 1e6), big, -big, 1e-30, float("nan"), np.float32(0.25),
                np.float64(-3.5), 7, np.int16(-3), "2.5", decimal.Decimal("0.5")]
        bad = [(float("inf"), "not_finite"), (float("-inf"), "not_finite"), ("x", "not_a_number"),
               ([1.0], "wrong_type"), (True, "bool_for_float")]
        if attr == "f32":
            good += [1e-46, np.float64(-1e-40), 3.4028234663852886e38]
            bad += [(1e39, "out_of_range"), (-3.4028235e38, "out_of_range"), (np.float64(1e300), "out_of_range")]
        return [(v, None) for v in good] + bad
    if attr == "dec":
        good = [decimal.Decimal("999.99"), decimal.Decimal("-999.99"), decimal.Decimal("0.01"),
                decimal.Decimal("999.994"), decimal.Decimal("-0.005"), decimal.Decimal("12.345"), "12.5", 1.234, 7,
                decimal.Decimal(rng.randint(-99999, 99999)).scaleb(-2), np.float64(2.5), decimal.Decimal("NaN")]
        bad = [(decimal.Decimal("1000"), "out_of_range"), (decimal.Decimal("999.995"), "out_of_range"),
               (-1000.0, "out_of_range"), ("ten", "not_a_number"), (decimal.Decimal("Infinity"), "not_finite"),
               (float("inf"), "not_finite")]
        return [(v, None) for v in good] + bad
    if attr == "flag":
        good = [True, False, 0, 1, np.bool_(True), np.bool_(False), np.int64(1)]
        bad = [(2, "bool_range"), (-1, "bool_range"), ("yes", "not_a_bool"), (1.0, "float_for_bool"),
               ("true", "text_bool"), ("False", "text_bool")]
        return [(v, None) for v in good] + bad
    if attr in ("code", "label"):
        n = 3 if attr == "code" else 4
        alphabet = "aZ9 éß€😀中"
        good = ["", "a", "😀" * n, "".join(rng.choice(alphabet) for _ in range(n)), np.str_("ab"), "a" * n]
        bad = [("x" * (n + 1), "too_long"), ("é" * (n + 1), "too_long"), (12, "number_for_string")]
        return [(v, None) for v in good] + bad
    if attr == "color":
        return [("red", None), ("green", None), (np.str_("red"), None), ("blue", "not_in_enum"), ("", "not_in_enum"),
                ("RED", "enum_case"), ("Green", "enum_case")]
    if attr == "day":
        good = [dt.date(1000, 1, 1), dt.date(9999, 12, 31), dt.date(2024, 2, 29), "2020-02-29",
                dt.date(1970, 1, 1) + dt.timedelta(days=rng.randint(0, 40000)), np.datetime64("2021-06-01")]
        bad = [("2020-13-01", "bad_date"), ("2021-02-29", "bad_date"), ("soon", "bad_date"), (3, "wrong_type"),
               ("2020/01/02", "date_format")]
        return [(v, None) for v in good] + bad
    if attr == "moment":
        good = [dt.datetime(2020, 1, 1, 1, 1, 1, 123000), dt.datetime(1000, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59),
                "2020-01-01 00:00:00.5", "2021-03-04 05:06:07",
                dt.datetime(2000, 1, 1) + dt.timedelta(seconds=rng.randint(0, 10 ** 9), milliseconds=rng.randint(0, 999))]
        bad = [("2020-01-01 25:00:00", "bad_date"), ("never", "bad_date"), (1.5, "wrong_type")]
        return [(v, None) for v in good] + bad
    if attr == "uid":
        u = uuid.UUID(int=rng.getrandbits(128))
        good = [u, str(u), uuid.UUID(int=0), str(uuid.UUID(int=2 ** 128 - 1)).upper()]
        bad = [("not-a-uuid", "bad_uuid"), ("1234", "bad_uuid"), (u.bytes, "uuid_bytes")]
        return [(v, None) for v in good] + bad
    if attr == "doc":
        good = [{"a": [1, 2.5, None]}, [1, "x", {"b": True}], "text", 42, 0.5, {"é": "😀"}, [],
                {"deep": {"deeper": [rng.randint(-9, 9) for _ in range(3)]}}]
        bad = [(float("nan"), "not_json"), ({"a": float("inf")}, "not_json"), (Opaque(), "not_json"),
               ({"a": np.arange(3)}, "json_numpy"), ([dt.date(2020, 1, 2)], "json_date")]
        return [(v, None) for v in good] + bad
    if attr == "raw":
        good = [b"", b"\x00\x01\xff", bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64))), bytearray(b"ab")]
        bad = [("str", "wrong_type"), (5, "wrong_type")]
        return [(v, None) for v in good] + bad
    if attr == "word":
        return [("", None), ("x" * 8, None), ("éé€€😀😀中中", None), (None, None), ("y" * 9, "too_long")]
    raise AssertionError(attr)


ATTRS = ["i8", "i16", "i32", "i64", "f32", "f64", "dec", "flag", "code", "label", "color", "day", "moment", "uid",
         "doc", "raw", "word", "n", "req"]


@dataclass
class Case:
    rows: list[dict]
    options: dict = field(default_factory=dict)
    bad: str | None = None  # the attribute the planted bad value names (or None)
    label: str | None = None  # the kind of bad value ("duplicate", "missing", "unknown", "null", a value kind)

    @property
    def keys(self) -> list[int]:
        return [r["k"] for r in self.rows if "k" in r]


def _good_row(rng: random.Random, k: int) -> dict:
    row = {"k": k, "req": rng.randint(-100, 100)}
    for attr in rng.sample(ATTRS[:-1], rng.randint(0, 6)):
        row[attr] = rng.choice([v for v, bad in _values(rng, attr) if bad is None])
    return row


def cases(seed: int, n: int) -> list[Case]:
    rng = random.Random(seed)
    out: list[Case] = []
    for i in range(n):
        rows = [_good_row(rng, i * 10 + j) for j in range(rng.choice([1, 1, 2, 3]))]
        case = Case(rows)
        target = rows[-1]  # a bad row last in a batch: nothing of the batch may be stored
        roll = rng.random()
        if roll < 0.45:
            attr = rng.choice(ATTRS)
            value, label = rng.choice([vb for vb in _values(rng, attr) if vb[1] is not None])
            target[attr], case.bad, case.label = value, attr, label
        elif roll < 0.5:
            for row in rows:
                del row["req"]
            case.bad, case.label = "req", "missing"
        elif roll < 0.55:
            attr = rng.choice(["req", "k"])
            target[attr], case.bad, case.label = None, attr, "null"
        elif roll < 0.62:
            target["extra_attr"] = 1
            if rng.random() < 0.5:
                case.options["ignore_extra_fields"] = True
            else:
                case.bad, case.label = "extra_attr", "unknown"
        elif roll < 0.7 and out:
            earlier = rng.choice(out)
            target["k"] = earlier.rows[0]["k"]
            case.label = "duplicate"
            if rng.random() < 0.5:
                case.options["skip_duplicates"] = True
            else:
                case.bad = "k"
        _same_attributes(case)
        out.append(case)
    return out


def _same_attributes(case: Case) -> None:
    """Every row of a batch gets the same attributes (both libraries require it): good values where one lacks some."""
    rng = random.Random(repr(case.rows))
    names = {name for row in case.rows for name in row}
    if case.label == "missing":
        names.discard("req")
    for row in case.rows:
        for name in names - set(row):
            row[name] = 1 if name == "extra_attr" else rng.choice([v for v, bad in _values(rng, name) if bad is None])
