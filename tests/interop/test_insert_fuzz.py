"""Differential fuzzing of insert validation and typed values against DataJoint 2.3.5 on MariaDB.

DataJoint declares two identical tables (tests/interop/insert_fuzz.py: one column per core type family, nullable,
defaulted and required columns); both libraries open both.  Each seeded case (a batch of 1-3 rows, maybe with one
bad value, a missing/unknown/NULL attribute or a duplicate key, maybe skip_duplicates / ignore_extra_fields) is
inserted by DataJoint into ``RefRows`` and by us into ``OurRows``.  Checked per case:

- both accept or both refuse, except the named departures (``insert_fuzz.DEPARTURES``: DataJoint lets MariaDB
  convert the value silently, we refuse; ``insert_fuzz.LENIENT``: DataJoint crashes with a TypeError/ValueError on
  a value we store);
- our refusal is a ``DataJointError`` whose message names the attribute, and no row of the batch is stored;
- the stored rows agree: DataJoint's fetch of its rows == our fetch of ours, and our fetch of DataJoint's rows ==
  DataJoint's fetch of them (and the other way round).

Each departure is also pinned by name with one example, as is a DataJoint bug (a memoryview stored as its repr).
Not covered: unsigned integers (not core types in 2.3.5) and ``time`` (native, not core).
"""

from __future__ import annotations

import datetime
import math
import warnings
from collections import Counter

import pytest

import dj_jupyter as dj
from dj_jupyter.errors import DataJointError
from tests.interop import insert_fuzz
from tests.interop.insert_fuzz import DEFINITION, DEPARTURES, LENIENT

SEED = 20261128
N_CASES = 1200


@pytest.fixture(scope="module")
def world(djref, ref_conn, conn, new_schema):
    name = new_schema()
    ref_schema = djref.Schema(name, connection=ref_conn)
    tables = {}
    for cls in ("RefRows", "OurRows"):
        tables["ref", cls] = ref_schema(type(cls, (djref.Manual,), {"definition": DEFINITION}))
    ours = dj.Schema(name, connection=conn)
    for cls in ("RefRows", "OurRows"):
        tables["ours", cls] = ours(type(cls, (dj.Manual,), {"definition": DEFINITION}))
    return tables


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


def _rows(table, keys) -> list[dict]:
    return (table & [{"k": k} for k in keys]).to_dicts(order_by=["k"]) if keys else []


def _differences(a: list[dict], b: list[dict], what: str) -> list[str]:
    if [r["k"] for r in a] != [r["k"] for r in b]:
        return [f"{what}: keys {[r['k'] for r in a]} != {[r['k'] for r in b]}"]
    out = []
    for ra, rb in zip(a, b):
        for attr in ra:
            if attr not in rb or not _same(ra[attr], rb[attr]):
                out.append(f"{what}: k={ra['k']} {attr}: {ra[attr]!r} != {rb.get(attr, '<absent>')!r}")
    return out


def _insert(table, case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            table.insert([dict(r) for r in case.rows], **case.options)
        except Exception as exc:  # noqa: BLE001 - any refusal is an outcome to compare
            return exc
    return None


def _check(world, i: int, case, tally: Counter) -> list[str]:
    ref_err = _insert(world["ref", "RefRows"], case)
    our_err = _insert(world["ours", "OurRows"], case)
    where = f"case {i} ({case.label or 'good'} in {case.bad}, options {case.options}, rows {case.rows!r})"
    keys = sorted({k for k in case.keys if k is not None})
    if ref_err is None and our_err is not None and case.label in DEPARTURES:
        tally["departure " + case.label] += 1
        # DataJoint stored what we refused: take it back to keep the tables alike
        (world["ours", "RefRows"] & [{"k": k} for k in keys if k // 10 == i]).delete_quick()
        ref_err = "departure"
    elif case.label in DEPARTURES and ref_err is not None and our_err is not None:
        tally["both refuse " + case.label] += 1
    elif ref_err is not None and our_err is None and case.label in LENIENT:
        if isinstance(ref_err, DataJointError):
            return [f"{where}: DataJoint refused with a DataJointError, not a crash: {ref_err!r}"]
        tally["lenient " + case.label] += 1
        (world["ours", "OurRows"] & [{"k": k} for k in keys if k // 10 == i]).delete_quick()  # keep the tables alike
        return []
    problems = []
    if (ref_err is None) != (our_err is None):
        return [f"{where}: DataJoint {'accepted' if ref_err is None else f'refused ({ref_err!r})'}, "
                f"we {'accepted' if our_err is None else f'refused ({our_err!r})'}"]
    if our_err is not None:
        tally["refused"] += 1
        if not isinstance(our_err, DataJointError):
            problems.append(f"{where}: we raised {our_err!r}, not a DataJointError")
        elif case.bad and case.label != "duplicate" and f"{case.bad}" not in str(our_err):
            problems.append(f"{where}: our message does not name `{case.bad}`: {our_err}")
        fresh = [k for k in keys if k // 10 == i]  # keys this case wrote (a duplicate's key belongs to an earlier one)
        for lib, cls in (("DataJoint", "RefRows"), ("we", "OurRows")):
            if _rows(world["ours", cls], fresh):
                problems.append(f"{where}: {lib} refused but stored rows of the batch")
    else:
        tally["accepted"] += 1
    theirs = _rows(world["ref", "RefRows"], keys)
    problems += _differences(theirs, _rows(world["ours", "OurRows"], keys), f"{where}: DataJoint's vs ours")
    problems += _differences(_rows(world["ours", "RefRows"], keys), theirs, f"{where}: DataJoint's row read by us")
    problems += _differences(_rows(world["ref", "OurRows"], keys), _rows(world["ours", "OurRows"], keys),
                             f"{where}: our row read by DataJoint")
    return problems


def test_the_generator_is_deterministic_and_varied():
    a, b = insert_fuzz.cases(SEED, N_CASES), insert_fuzz.cases(SEED, N_CASES)
    assert [(c.rows, c.options, c.bad, c.label) for c in a].__repr__() == [
        (c.rows, c.options, c.bad, c.label) for c in b].__repr__()
    labels = Counter(c.label for c in a)
    assert {None, "duplicate", "missing", "unknown", "null", "out_of_range", "too_long"} <= set(labels)
    assert labels[None] > N_CASES // 5


def test_datajoint_and_we_agree_on_fuzzed_inserts(world):
    tally: Counter = Counter()
    problems: list[str] = []
    for i, case in enumerate(insert_fuzz.cases(SEED, N_CASES)):
        problems += _check(world, i, case, tally)
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:30])
    assert tally["accepted"] > N_CASES // 3 and tally["refused"] > N_CASES // 5, tally
    assert {"departure " + label for label in DEPARTURES} <= set(tally), tally  # each departure was met
    assert {"lenient " + label for label in LENIENT} <= set(tally), tally


# One example of each departure, pinned by name: what DataJoint (MariaDB) stores, and that we refuse naming the attribute.
DEPARTURE_EXAMPLES = {
    "fractional_int": ("i8", 5.5, 6),
    "bool_range": ("flag", 2, 2),
    "enum_case": ("color", "RED", "red"),
    "number_for_string": ("code", 12, "12"),
    "numeric_text_for_int": ("i16", "1e2", 100),
    "bool_for_float": ("f64", True, 1.0),
    "float_for_bool": ("flag", 1.0, 1),
    "date_format": ("day", "2020/01/02", datetime.date(2020, 1, 2)),
}


@pytest.mark.parametrize("label", sorted(DEPARTURES))
def test_departure_we_refuse_what_mariadb_converts(world, label):
    attr, value, stored = DEPARTURE_EXAMPLES[label]
    key = {"k": 10 ** 6 + sorted(DEPARTURES).index(label)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        world["ref", "RefRows"].insert1(dict(key, req=1, **{attr: value}))
    assert (world["ours", "RefRows"] & key).fetch1(attr) == stored  # DataJoint stored the converted value
    with pytest.raises(DataJointError, match=f"`{attr}`"):
        world["ours", "OurRows"].insert1(dict(key, req=1, **{attr: value}))
    assert not _rows(world["ours", "OurRows"], [key["k"]])
    (world["ours", "RefRows"] & key).delete_quick()


def test_datajoint_bug_memoryview_for_bytes_stores_its_repr(world):
    """DataJoint 2.3.5 stores str(memoryview) (b'<memory at 0x...>') in a bytes column; we store its bytes."""
    key = {"k": 2 * 10 ** 6}
    world["ref", "RefRows"].insert1(dict(key, req=1, raw=memoryview(b"ab")))
    assert (world["ours", "RefRows"] & key).fetch1("raw").startswith(b"<memory at ")
    world["ours", "OurRows"].insert1(dict(key, req=1, raw=memoryview(b"ab")))
    assert (world["ref", "OurRows"] & key).fetch1("raw") == b"ab"
    for cls in ("RefRows", "OurRows"):
        (world["ours", cls] & key).delete_quick()
