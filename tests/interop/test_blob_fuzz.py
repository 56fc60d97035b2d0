"""Differential fuzzing of the ``<blob>`` format against the real DataJoint 2.3.5 (``datajoint.blob``).

About a thousand seeded values (``blob_fuzz.Generator``) plus hand-picked edge cases, each checked:

1. bytes: our ``pack`` equals DataJoint's ``pack`` (blobs up to 64 KiB; above that we compress only when a
   sample shrinks by 10 %, a documented departure, so big values are compared by round trip only);
2. cross round trip: our ``unpack`` of DataJoint's bytes equals DataJoint's ``unpack`` of them, and
   DataJoint's ``unpack`` of our bytes equals ours (deep equality: types, dtypes, shapes, NaN-aware),
   with and without ``squeeze``;
3. values DataJoint refuses, we refuse too, with a ``BlobError`` (a ``DataJointError``).

Also: the column fast paths (``pack_column`` / ``unpack_column``) against DataJoint, and truncated or
byte-flipped copies of DataJoint's blobs (we read them or raise ``BlobError``, nothing else).

Known differences are listed by name with their reason: DataJoint's own bugs (pinned, not copied) and
our deliberate departures.  Pure serialization except the last test, which shares a MariaDB table.
"""

from __future__ import annotations

import collections
import datetime
import decimal
import enum
import random
import warnings

import numpy as np
import pytest

from dj_jupyter.codecs import blob as ours
from dj_jupyter.codecs.blob_pack import PROBE_ABOVE
from dj_jupyter.codecs.matlab import MatCell, MatStruct
from dj_jupyter.errors import DataJointError
from tests.interop.blob_fuzz import Generator, difference, for_datajoint

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "no datajoint.json found": nothing here needs configuration
    from datajoint import blob as djb

SEED = 20261128
N_CASES = 1000
BYTES_COMPARED_UP_TO = PROBE_ABOVE  # larger blobs: round trip only (see the module docstring)


class _Level(enum.IntEnum):
    HIGH = 3


def _edge_cases() -> list[tuple[str, object]]:
    rng = np.random.default_rng(SEED)
    cell = np.empty((1, 2), object)
    cell[0, 0], cell[0, 1] = np.arange(3.0), np.empty(0, object).view(MatCell)
    return [
        ("OrderedDict", collections.OrderedDict(a=1, b=[2])),
        ("defaultdict", collections.defaultdict(list, {1: [2]})),
        ("deque", collections.deque([1, "a"])),
        ("IntEnum", _Level.HIGH),
        ("cell in cell", cell.view(MatCell)),
        ("empty struct", np.empty(0, dtype=[("a", object)]).view(MatStruct)),
        ("U in Fortran order", np.asfortranarray(np.array([["ab", "c"], ["d", "é"]]))),
        ("object array, strided", np.array([1, "a", None, 2.5], dtype=object)[::2]),
        ("bool, strided", np.ones((4, 4), bool)[::2, 1::2]),
        ("complex -0 imaginary", complex(1.0, -0.0)),
        ("Decimal with exponent", decimal.Decimal("-1.23E-400")),
        ("0-d str in a list", [np.array("x")]),
        ("empty U", np.zeros((0, 2), "U3")),
        ("empty object 2-d", np.empty((2, 0), object)),
        ("NaN in a set", {float("nan"), 1.0}),
        ("datetime64 ns scalar", np.datetime64("2024-01-01T00:00:00.123456789")),
        ("compressible 10 KiB", np.zeros((40, 32))),
        ("incompressible 10 KiB", rng.standard_normal(1280)),
        ("compressible 1 MiB", np.tile(np.arange(256, dtype="u1"), 4096).reshape(1024, 1024)),
        ("noise 1 MiB", rng.standard_normal((256, 512))),
        ("noise 1 MiB, Fortran", np.asfortranarray(rng.standard_normal((512, 256)).astype("f4"))),
        ("noise in a dict", {"trace": rng.integers(0, 2**63, 20000, dtype="i8"), "name": "x"}),
        ("long str", "DataJoint " * 10000),
        ("long bytes", rng.integers(0, 256, 100_000, dtype="u1").tobytes()),
        ("just over 1000 bytes", np.ones(124)),
        ("just under 1000 bytes", np.ones(119)),
        ("empty list", []),
        ("empty tuple", ()),
        ("empty dict", {}),
        ("empty set", set()),
        ("empty 2-d", np.zeros((0, 3))),
        ("empty 3-d complex", np.zeros((2, 0, 4), "c8")),
        ("0-d bool", np.array(True)),
        ("0-d datetime", np.array("2024-02-29T12:34", "datetime64[m]")),
        ("0-d str", np.array("abc")),
        ("bytearray", bytearray(b"\x00\x01")),
        ("range", range(4)),
        ("int of 65535 bytes", (1 << (8 * 65535 - 1)) - 1),
        ("negative int of 65535 bytes", -(1 << (8 * 65535 - 1))),
        ("dict with tuple keys", {(1, "a"): [1.5], (2, "b"): None}),
        ("nested 12 deep", [[[[[[[[[[[[1]]]]]]]]]]]]),
        ("date before 1000", datetime.date(1, 1, 1)),
        ("midnight", datetime.time(0, 0)),
    ]


def _cases() -> list[tuple[str, object]]:
    return Generator(SEED).cases(N_CASES) + _edge_cases()


CASES = _cases()

# -- what DataJoint gets wrong (pinned by name: we do not copy these) --------------------------------

DATAJOINT_OBJECT_ARRAY_BUG = (
    "DataJoint 2.3.5 rebuilds an object array with np.array(list_of_elements, dtype=object), so elements that are "
    "themselves arrays, lists, tuples or records are merged into extra dimensions, unwrapped, or fail to reshape "
    "(ValueError); its bytes are right, only its reading is wrong, so for these values we check that our reading "
    "of its bytes equals our reading of ours (the bytes are compared as usual)"
)


DATAJOINT_SQUEEZED_RECORD_BUG = (
    "DataJoint 2.3.5 with squeeze=True turns each field of a one-element record array into a Python scalar and then "
    "asks it for .shape (AttributeError); for these values and squeeze=True we compare with our own reading"
)


def _has_single_record(value: object) -> bool:
    """Whether ``value`` holds a structured array of exactly one element (DataJoint cannot squeeze it)."""
    return _holds(value, lambda a: a.dtype.names is not None and a.size == 1 and type(a).__name__ != "MatStruct")


DATAJOINT_SUBARRAY_FIELD_BUG = (
    "DataJoint 2.3.5 rebuilds a record array with the shape of its first field and each field's element dtype, so a "
    "subarray field (dtype ('f8', (3,))) loses its extra dimensions, or the read fails to broadcast (ValueError); "
    "its bytes are right, so for these values we compare with our own reading"
)


def _has_subarray_field(value: object) -> bool:
    """Whether ``value`` holds a record array with a subarray field, at any depth of its dtype."""
    def subarray(dtype: np.dtype) -> bool:
        return dtype.names is not None and any(dtype[name].shape != () or subarray(dtype[name].base)
                                               for name in dtype.names)
    return _holds(value, lambda a: type(a).__name__ != "MatStruct" and subarray(a.dtype))


def _holds(value: object, test) -> bool:
    if isinstance(value, np.ndarray):
        if test(value):
            return True
        if value.dtype.names:
            return any(_holds(value[name], test) for name in value.dtype.names)
        return value.dtype.kind == "O" and any(_holds(e, test) for e in value.ravel())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_holds(e, test) for e in value)
    if isinstance(value, dict):
        return any(_holds(e, test) for e in value.values())
    return False


def _has_nested_object_element(value: object) -> bool:
    """Whether ``value`` holds a plain object array with an array, list or tuple element (DataJoint misreads it)."""
    if isinstance(value, np.ndarray):
        if value.dtype.names:  # a struct's fields are read element by element (right); a record's as arrays
            if type(value).__name__ == "MatStruct":
                return any(_has_nested_object_element(e) for name in value.dtype.names for e in value[name].ravel())
            return any(_has_nested_object_element(value[name]) for name in value.dtype.names)
        if value.dtype.kind != "O":
            return False
        plain = type(value).__name__ not in ("MatCell", "MatStruct")
        return any((plain and isinstance(e, (np.ndarray, list, tuple))) or _has_nested_object_element(e)
                   for e in value.ravel())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_has_nested_object_element(e) for e in value)
    if isinstance(value, dict):
        return any(_has_nested_object_element(e) for e in value.values())
    return False


def _datajoint_misreads(value: object) -> bool:
    """DATAJOINT_OBJECT_ARRAY_BUG or DATAJOINT_SUBARRAY_FIELD_BUG applies to ``value``."""
    return _has_nested_object_element(value) or _has_subarray_field(value)


def _fails(f, *args, **kwargs):
    try:
        with np.errstate(invalid="ignore"):  # DataJoint builds complex arrays as real + 1j * imag (inf * 1j)
            return f(*args, **kwargs), None
    except Exception as err:  # noqa: BLE001 - the refusal itself is what is compared
        return None, err


def _check(label: str, value: object) -> list[str]:
    """Every disagreement between the two libraries on ``value`` (empty when they agree)."""
    problems: list[str] = []
    theirs_value = for_datajoint(value, djb)
    our_bytes, our_error = _fails(ours.pack, value)
    dj_bytes, dj_error = _fails(djb.pack, theirs_value)
    if our_error is not None or dj_error is not None:
        if dj_error is None:
            return [f"{label}: we refuse what DataJoint packs: {our_error!r}"]
        if our_error is None:
            return [f"{label}: we pack what DataJoint refuses ({dj_error!r})"]
        if not isinstance(our_error, (DataJointError, TypeError)):
            return [f"{label}: both refuse, but ours is not a clear error: {our_error!r}"]
        return []
    if len(our_bytes) <= BYTES_COMPARED_UP_TO and our_bytes != dj_bytes:
        problems.append(f"{label}: bytes differ\n ours {our_bytes[:120]!r}\n theirs {dj_bytes[:120]!r}")
    nested = _datajoint_misreads(value)
    single_record = _has_single_record(value)
    for squeeze in (False, True):
        how = f" (squeeze={squeeze})"
        from_ours = ours.unpack(our_bytes, squeeze=squeeze)
        we_read_theirs, error = _fails(ours.unpack, dj_bytes, squeeze=squeeze)
        if error is not None:
            problems.append(f"{label}: we cannot read DataJoint's bytes{how}: {error!r}")
            continue
        if nested or (squeeze and single_record):  # DataJoint's bugs: compare with our own reading instead
            found = difference(we_read_theirs, from_ours)
            if found:
                problems.append(f"{label}: our readings of the two blobs differ{how}: {found}")
            continue
        if not squeeze:  # PostgreSQL's driver hands bytea over as a memoryview
            found = difference(ours.unpack(memoryview(dj_bytes)), we_read_theirs)
            if found:
                problems.append(f"{label}: reading a memoryview differs from reading bytes: {found}")
        they_read_theirs, error = _fails(djb.unpack, dj_bytes, squeeze=squeeze)
        if error is not None:
            problems.append(f"{label}: DataJoint cannot read its own bytes{how}: {error!r} (pin it?)")
            continue
        found = difference(we_read_theirs, they_read_theirs)
        if found:
            problems.append(f"{label}: our reading of DataJoint's bytes differs from its own{how}: {found}")
        they_read_ours, error = _fails(djb.unpack, our_bytes, squeeze=squeeze)
        if error is not None:
            problems.append(f"{label}: DataJoint cannot read our bytes{how}: {error!r}")
            continue
        found = difference(they_read_ours, from_ours)
        if found:
            problems.append(f"{label}: DataJoint's reading of our bytes differs from ours{how}: {found}")
    return problems


def test_the_generator_is_deterministic_and_varied():
    again = Generator(SEED).cases(50)
    for (label, a), (_, b) in zip(CASES[:50], again):
        assert difference(a, b) is None, label
    kinds = {type(v).__name__ for _, v in CASES}
    assert {"list", "tuple", "dict", "set", "ndarray", "recarray", "MatCell", "MatStruct", "str", "bytes",
            "int", "float", "complex", "UUID", "Decimal", "date", "datetime", "time", "NoneType"} <= kinds
    dtypes = {v.dtype.str[1:] for _, v in CASES if isinstance(v, np.ndarray) and v.dtype.kind not in "OV"}
    assert {"b1", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f4", "f8", "c8", "c16", "S1"} <= dtypes
    assert any(v.dtype.kind == "M" for _, v in CASES if isinstance(v, np.ndarray))
    assert any(v.dtype.kind == "U" for _, v in CASES if isinstance(v, np.ndarray))
    assert any(isinstance(v, np.ndarray) and not (v.flags.c_contiguous or v.flags.f_contiguous) for _, v in CASES)
    # the pins stay narrow
    assert sum(_has_nested_object_element(v) for _, v in CASES) < len(CASES) // 10
    assert sum(_has_single_record(v) for _, v in CASES) < len(CASES) // 8
    assert sum(_has_subarray_field(v) for _, v in CASES) < len(CASES) // 20


@pytest.mark.parametrize("part", range(4))
def test_datajoint_and_we_agree_on_fuzzed_values(part):
    """Bytes, cross round trip and squeeze, for a quarter of the cases each."""
    problems = [p for label, value in CASES[part::4] for p in _check(label, value)]
    assert not problems, f"{len(problems)} disagreements:\n" + "\n".join(problems[:20])


def _columns() -> list[tuple[str, list]]:
    """Columns of equal-dtype, equal-shape arrays (with NULLs), the case the column fast paths take."""
    gen = Generator(SEED + 1)
    columns = []
    for i in range(150):
        code = gen.r.choice(("?", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f4", "f8", "c16", "M8[s]"))
        shape = gen.r.choice(((1,), (5,), (2, 3), (3, 1, 2), (0,), (1, 1)))
        n = gen.r.randint(2, 6)
        if code.startswith("M8"):
            rows = [gen.rng.integers(0, 10**9, shape).astype(code) for _ in range(n)]
        else:
            rows = [gen.layout(gen.numbers(code, shape)) for _ in range(n)]
        if gen.r.random() < 0.3:
            rows[gen.r.randrange(n)] = None
        if gen.r.random() < 0.2:  # one odd row out: the fast paths must step aside
            rows[-1] = gen.numbers(gen.r.choice(("f8", "i4")), gen.r.choice(((5,), (2, 2))))
        columns.append((f"column{i}", rows))
    columns.append(("big rows", [np.arange(20_000.0), np.ones(20_000)]))
    return columns


@pytest.mark.parametrize("squeeze", [False, True])
def test_column_fast_paths_agree_with_datajoint(squeeze):
    """pack_column / unpack_column (one pass for a column of equal arrays) give DataJoint's bytes and readings."""
    from dj_jupyter.codecs.blob_pack import pack_column
    from dj_jupyter.codecs.blob_unpack import unpack_column

    problems = []
    for label, rows in _columns():
        theirs = [None if v is None else djb.pack(v) for v in rows]
        packed = pack_column(rows)
        if packed is not None and packed != theirs:
            problems.append(f"{label}: pack_column differs from DataJoint's pack")
        with np.errstate(invalid="ignore"):
            expected = [None if b is None else djb.unpack(b, squeeze=squeeze) for b in theirs]
        for i, (got, want) in enumerate(zip(unpack_column(theirs, squeeze=squeeze), expected)):
            found = None if got is None and want is None else difference(got, want, f"row {i}")
            if found:
                problems.append(f"{label}: unpack_column: {found}")
    assert not problems, "\n".join(problems[:20])


def test_corrupted_datajoint_blobs_raise_blob_error():
    """Truncated or byte-flipped copies of DataJoint's blobs: we read them or raise BlobError, nothing else."""
    r = random.Random(SEED)
    problems = []
    for label, value in CASES:
        blob, error = _fails(djb.pack, for_datajoint(value, djb), compress=False)
        if error is not None or not blob:
            continue
        for _ in range(15):
            broken = bytearray(blob[:r.randrange(len(blob))] if r.random() < 0.4 else blob)
            for _ in range(r.randint(1, 3) if len(broken) == len(blob) else 0):
                broken[r.randrange(len(broken))] = r.randrange(256)
            for squeeze in (False, True):
                try:
                    with np.errstate(all="ignore"):
                        ours.unpack(bytes(broken), squeeze=squeeze)
                except ours.BlobError:
                    pass
                except Exception as err:  # noqa: BLE001 - any other error is the finding
                    problems.append(f"{label}: {bytes(broken)!r} -> {err!r}")
    assert not problems, "\n".join(problems[:10])


REFUSED_BY_BOTH = {
    "float16": np.zeros(3, "f2"),
    "longdouble": np.zeros(2, np.longdouble),
    "clongdouble": np.zeros(2, np.clongdouble),
    "timedelta64 array": np.array([1, 2], "m8[s]"),
    "timedelta64 scalar": np.timedelta64(3, "s"),
    "datetime64 of 2 s": np.array([1], "datetime64[2s]"),
    "bytes array S5": np.array([b"abcde"]),
    "void array": np.zeros(2, "V4"),
    "numpy void scalar": np.void(b"ab"),
    "structured without fields": np.zeros(2, dtype=[]),
    "object()": object(),
    "generator": (i for i in range(2)),
    "int of 65536 bytes": 1 << (8 * 65535),
    "list holding object()": [1, object()],
}


@pytest.mark.parametrize("name", list(REFUSED_BY_BOTH))
def test_both_refuse(name):
    value = REFUSED_BY_BOTH[name]
    with pytest.raises(djb.DataJointError):
        djb.pack(value)
    with pytest.raises(ours.BlobError, match=r"(?i)cannot store|convert|use|store"):
        ours.pack(value)


# -- our deliberate departures (each: what DataJoint does, what we do, why) -----------------------

def test_departure_big_endian_arrays_are_converted():
    """DataJoint refuses big-endian arrays ("ambiguous or unknown"); we write them as the little-endian
    array of the same values, which DataJoint reads back equal."""
    value = np.arange(6, dtype=">i4").reshape(2, 3)
    with pytest.raises(djb.DataJointError):
        djb.pack(value)
    assert ours.pack(value) == djb.pack(value.astype("<i4"))
    np.testing.assert_array_equal(djb.unpack(ours.pack(value)), value)


@pytest.mark.parametrize("value", [
    datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.timezone.utc),
    datetime.time(1, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
    np.ma.masked_array([1.0, 2.0], [False, True]),
], ids=["tz datetime", "tz time", "masked array"])
def test_departure_we_refuse_what_datajoint_silently_truncates(value):
    """DataJoint drops the time zone / the mask without a word; we refuse, naming the conversion."""
    djb.pack(value)
    with pytest.raises(ours.BlobError, match="time zone|mask"):
        ours.pack(value)


@pytest.mark.parametrize("value", [{frozenset({1})}, {frozenset({1}): 2}, {(1, frozenset({2}))}],
                         ids=["set in set", "set as key", "set in tuple in set"])
def test_departure_we_refuse_blobs_nobody_could_read(value):
    """DataJoint writes these, but reading them back fails in both libraries (a set is unhashable)."""
    blob = djb.pack(value)
    with pytest.raises(TypeError):
        djb.unpack(blob)
    with pytest.raises(ours.BlobError, match="cannot be rebuilt"):
        ours.unpack(blob)
    with pytest.raises(ours.BlobError, match="tuple instead"):
        ours.pack(value)


def test_departure_memoryview_is_bytes():
    """DataJoint packs a memoryview as a tuple of ints (it is a Sequence); we pack its bytes, as bytes."""
    assert djb.unpack(djb.pack(memoryview(b"ab"))) == (97, 98)
    assert djb.unpack(ours.pack(memoryview(b"ab"))) == b"ab"
    assert ours.pack(memoryview(b"ab")) == djb.pack(b"ab")


def test_departure_big_noise_stays_uncompressed():
    """Above 64 KiB we compress only when a sample shrinks by 10 %; both forms read back equal everywhere."""
    noise = np.random.default_rng(1).standard_normal(20_000)
    ours_blob, theirs = ours.pack(noise), djb.pack(noise)
    assert ours_blob[:4] == b"mYm\0" and theirs[:6] == b"ZL123\0"
    assert ours_blob == djb.pack(noise, compress=False)
    for blob in (ours_blob, theirs):
        np.testing.assert_array_equal(ours.unpack(blob), noise)
        np.testing.assert_array_equal(djb.unpack(blob), noise)


# -- DataJoint's bugs, pinned by name -------------------------------------------------------------

def test_datajoint_bug_char_matrix_written_in_c_order():
    """DataJoint 2.3.5 writes a 2-d char (S1) array in C order but reads (like MATLAB) in Fortran order, so its
    own round trip transposes the letters.  We write Fortran order: MATLAB and both readers get it right."""
    value = np.array([[b"a", b"b", b"c"], [b"d", b"e", b"f"]])
    expected = np.array([["a", "b", "c"], ["d", "e", "f"]])
    assert djb.unpack(djb.pack(value)).tolist() != expected.tolist()  # the bug, still there
    assert djb.unpack(ours.pack(value)).tolist() == expected.tolist()
    assert ours.unpack(ours.pack(value)).tolist() == expected.tolist()
    # the bytes differ only in the order of the letters
    assert len(ours.pack(value)) == len(djb.pack(value)) and ours.pack(value) != djb.pack(value)


@pytest.mark.parametrize("element", [np.arange(3), [1, 2], (1.5,), np.zeros(1, dtype=[("x", "i2")])],
                         ids=["array", "list", "tuple", "record"])
def test_datajoint_bug_object_array_of_sequences(element):
    """See DATAJOINT_OBJECT_ARRAY_BUG: DataJoint misreads an object array whose elements are sequences."""
    value = np.empty(2, dtype=object)
    value[0], value[1] = element, element
    blob = ours.pack(value)
    assert blob == djb.pack(value)
    back = ours.unpack(blob)
    assert back.shape == (2,) and back.dtype == object
    for got in back:
        assert difference(got, ours.unpack(ours.pack(element))) is None
    theirs, error = _fails(djb.unpack, blob)
    assert error is not None or difference(theirs, back) is not None  # the bug, still there


def test_datajoint_bug_squeezed_single_record():
    """See DATAJOINT_SQUEEZED_RECORD_BUG."""
    value = np.array((1, 2.5), dtype=[("a", "i2"), ("b", "f8")])
    blob = ours.pack(value)
    assert blob == djb.pack(value)
    with pytest.raises(AttributeError):
        djb.unpack(blob, squeeze=True)  # the bug, still there
    back = ours.unpack(blob, squeeze=True)
    assert back.dtype.names == ("a", "b") and (back["a"], back["b"]) == (1, 2.5)


def test_datajoint_bug_non_ascii_char():
    """DataJoint 2.3.5 reads MATLAB chars as ASCII: a char above 127 (which it writes itself, from S1 bytes, and MATLAB
    writes for any non-ASCII letter) raises UnicodeDecodeError.  We read the 16-bit unit as the letter it is."""
    value = np.array([b"c", b"a", b"f", b"\xe9"], "S1")
    blob = ours.pack(value)
    assert blob == djb.pack(value)
    with pytest.raises(UnicodeDecodeError):
        djb.unpack(blob)  # the bug, still there
    assert ours.unpack(blob).tolist() == ["café"]


@pytest.mark.parametrize("dtype", [[("a", "f8", (3,)), ("b", "i2")], [("b", "i2"), ("a", "f8", (3,))],
                                   [("r", [("a", "u1", (2,)), ("b", "i2")])]], ids=["first", "second", "nested"])
def test_datajoint_bug_subarray_fields(dtype):
    """See DATAJOINT_SUBARRAY_FIELD_BUG.  (A record whose fields are all subarrays is ambiguous in the format itself:
    its shape is not stored, so we read it with the shape of its shortest field.)"""
    value = np.zeros(2, dtype)
    value.view(np.uint8)[:] = np.arange(value.nbytes) % 7
    blob = ours.pack(value)
    assert blob == djb.pack(value)
    theirs, error = _fails(djb.unpack, blob)
    assert error is not None or theirs.dtype != value.dtype  # the bug, still there
    back = ours.unpack(blob)
    assert back.dtype == value.dtype and back.tobytes() == value.tobytes()


# -- through a real MariaDB table ---------------------------------------------------------------

TABLE = """
v_id : int16
---
value : <blob>
"""


def test_fuzzed_values_through_mariadb(djref, ref_conn, conn, new_schema):
    """A few fuzzed values inserted by each library into one table and fetched by the other."""
    import dj_jupyter as dj

    picked = [(label, v) for label, v in CASES[:200] if not _datajoint_misreads(v)][:40]
    name = new_schema()
    table = dj.Schema(name, connection=conn)(type("Fuzzed", (dj.Manual,), {"definition": TABLE}))
    ref = djref.Schema(name, connection=ref_conn)(type("Fuzzed", (djref.Manual,), {"definition": TABLE}))
    n = len(picked)
    table.insert([{"v_id": i, "value": v} for i, (_, v) in enumerate(picked)])
    ref.insert([{"v_id": n + i, "value": for_datajoint(v, djb)} for i, (_, v) in enumerate(picked)])
    problems = []
    with np.errstate(invalid="ignore"):  # DataJoint builds complex arrays as real + 1j * imag (inf * 1j)
        for i, (label, value) in enumerate(picked):
            problems += _compare_fetched(table, ref, label, value, i, n + i)
    assert not problems, "\n".join(problems)


def _compare_fetched(table, ref, label, value, our_key, their_key) -> list[str]:
    problems = []
    expected = djb.unpack(djb.pack(for_datajoint(value, djb)))
    for by, key in (("us", our_key), ("DataJoint", their_key)):
        ours_read = (table & {"v_id": key}).fetch1("value")
        theirs_read = (ref & {"v_id": key}).fetch1("value")
        for reader, got in (("us", ours_read), ("DataJoint", theirs_read)):
            found = difference(got, expected)
            if found:
                problems.append(f"{label} written by {by}, read by {reader}: {found}")
    return problems
