"""The <blob> wire format: round trips of a broad matrix of values, exact bytes, malformed input."""

from __future__ import annotations

import datetime
import decimal
import math
import os
import re
import struct
import uuid

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dj_jupyter.codecs.blob import BlobError, MatCell, MatStruct, pack, unpack
from dj_jupyter.errors import DataJointError

NUMERIC = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64",
           "complex64", "complex128"]
UNITS = ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as"]


def assert_same(got: object, want: object) -> None:
    """Same type and value; arrays: same dtype, shape and values (NaN equal to NaN), recursively."""
    assert type(got) is type(want), f"type {type(got).__name__} != {type(want).__name__}: {got!r}"
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape, want.dtype, want.shape)
        if want.dtype.names:
            for name in want.dtype.names:
                assert_same(np.asarray(got[name]), np.asarray(want[name]))
        elif want.dtype == object:
            for g, w in zip(got.ravel().tolist(), want.ravel().tolist()):
                assert_same(g, w)
        else:
            np.testing.assert_array_equal(got, want)
    elif isinstance(want, np.generic):
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes(), (got, want)
    elif isinstance(want, (float, complex)):  # bit-exact: NaN, -0.0 and inf survive
        assert struct.pack("<2d", got.real, got.imag) == struct.pack("<2d", want.real, want.imag), (got, want)
    elif isinstance(want, decimal.Decimal):  # Decimal('NaN') != itself
        assert str(got) == str(want)
    elif isinstance(want, dict):
        assert list(got) == list(want)
        for key in want:
            assert_same(got[key], want[key])
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert_same(g, w)
    else:
        assert got == want


def roundtrip(value: object, **unpack_options) -> object:
    """Pack with and without compression; both must read back to the same thing."""
    plain, compressed = pack(value, compress=False), pack(value, compress=True)
    first = unpack(plain, **unpack_options)
    assert_same(unpack(compressed, **unpack_options), first)
    return first


# -- numeric arrays ---------------------------------------------------------------------------
SHAPES = [(5,), (3, 4), (2, 3, 4), (1, 1), (0,), (0, 3), (3, 0, 2)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", NUMERIC)
def test_numeric_arrays_round_trip_with_dtype_shape_and_values(dtype, shape):
    rng = np.random.default_rng(1)
    values = rng.integers(0, 100, size=shape) * (1 + 1j if "complex" in dtype else 1)
    a = (values % 2 == 0) if dtype == "bool" else values.astype(dtype)
    blob = pack(a, compress=False)
    assert blob[:4] == b"mYm\0", "plain numeric arrays are in the MATLAB-readable subset"
    back = roundtrip(a)
    assert_same(back, a)
    # real arrays are read-only views of the blob, as DataJoint returns them; complex ones are assembled (writable)
    assert back.flags.writeable == ("complex" in dtype)


@pytest.mark.parametrize("dtype", NUMERIC)
def test_zero_dimensional_arrays_come_back_as_numpy_scalars_in_dj0(dtype):
    a = np.array(1, dtype=dtype)
    assert pack(a)[:4] == b"dj0\0", "MATLAB has no 0-d arrays"
    assert_same(roundtrip(a), a[()])


@pytest.mark.parametrize("dtype", ["int16", "float64", "complex64"])
def test_extreme_and_special_values_survive(dtype):
    info = np.finfo(dtype) if dtype != "int16" else np.iinfo(dtype)
    special = [info.min, info.max, 0] + ([np.nan, np.inf, -np.inf, -0.0, info.tiny] if dtype != "int16" else [])
    a = np.array(special, dtype=dtype)
    assert_same(roundtrip(a), a)


def test_fortran_c_order_and_non_contiguous_views_store_the_same_logical_array():
    a = np.arange(60, dtype=np.float64).reshape(3, 4, 5)
    assert pack(np.asfortranarray(a)) == pack(a)
    for view in (a.T, a[::2, 1:, ::-2], a[:, 1, :], np.asfortranarray(a)[1:, ::2]):
        assert_same(roundtrip(view), np.ascontiguousarray(view))
        assert pack(view) == pack(np.ascontiguousarray(view))


def test_data_is_stored_in_fortran_order():
    a = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8)
    assert pack(a, compress=False)[-6:] == bytes([1, 4, 2, 5, 3, 6])


def test_big_endian_arrays_are_stored_as_little_endian():
    a = np.arange(6, dtype=">i4").reshape(2, 3)
    assert pack(a) == pack(a.astype("<i4"))
    assert_same(unpack(pack(a)), a.astype("<i4"))


def test_complex_arrays_store_real_parts_then_imaginary_parts():
    a = np.array([1 + 2j, 3 - 4j], dtype=np.complex64)
    blob = pack(a, compress=False)
    assert blob[25:29] == (1).to_bytes(4, "little"), "is_complex flag"
    assert blob[29:] == np.array([1, 3, 2, -4], dtype="<f4").tobytes()


@given(hnp.arrays(st.sampled_from(NUMERIC[:-2] + ["datetime64[ns]", "datetime64[D]"]),
                  hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4)))
@settings(max_examples=150, deadline=None)
def test_any_numeric_array_round_trips(a):
    assert_same(unpack(pack(a)), a)


# -- strings, objects, records ------------------------------------------------------------------
def test_unicode_arrays_come_back_as_object_arrays_of_str():
    a = np.array([["ab", ""], ["ünï ✓", "x" * 40]])
    back = roundtrip(a)
    assert_same(back, a.astype(object))
    assert pack(a)[:4] == b"dj0\0"


def test_nested_object_arrays_round_trip():
    a = np.empty((2, 2), dtype=object)
    a[0, 0], a[1, 0] = np.arange(3.0), "text"
    a[0, 1], a[1, 1] = [1, {"k": (None, 2.5)}], np.array([np.int8(3), None], dtype=object)
    assert_same(roundtrip(a), a)


def test_empty_object_array_round_trips():
    a = np.empty((0, 2), dtype=object)
    assert_same(roundtrip(a), a)


def test_structured_arrays_round_trip_as_recarrays_with_nested_and_subarray_fields():
    inner = np.dtype([("x", "<f4"), ("y", "<u2")])
    a = np.zeros(3, dtype=[("id", "<i8"), ("pos", inner), ("v", "<f8", (2,)), ("ok", "?")])
    a["id"], a["pos"]["x"], a["v"], a["ok"] = [1, 2, 3], [0.5, 1.5, 2.5], [[1, 2], [3, 4], [5, 6]], [1, 0, 1]
    back = roundtrip(a)
    assert isinstance(back, np.recarray)
    assert_same(back, a.view(np.recarray))
    assert pack(a)[:4] == b"dj0\0"


def test_structured_scalar_round_trips_as_zero_dimensional_recarray():
    a = np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8")])
    back = roundtrip(a[1])
    assert back.shape == () and back.dtype == a.dtype


def test_matcell_round_trips_and_stays_matlab_readable():
    cell = np.empty((2, 2), dtype=object).view(MatCell)
    cell[0, 0], cell[1, 0], cell[0, 1] = np.eye(2), np.array([1, 2], dtype=np.int16), np.ones((1, 3))
    inner = np.empty(1, dtype=object).view(MatCell)
    inner[0] = np.zeros(2)
    cell[1, 1] = inner
    assert pack(cell)[:4] == b"mYm\0"
    back = roundtrip(cell)
    assert_same(back, cell)


def test_matstruct_round_trips_with_object_fields():
    s = np.recarray((1, 2), dtype=[("trace", object), ("rate", object)]).view(MatStruct)
    s[0, 0] = (np.arange(4.0), np.array([[30.0]]))
    s[0, 1] = (np.zeros((2, 0)), np.array([[25.0]]))
    assert pack(s)[:4] == b"mYm\0"
    back = roundtrip(s)
    assert_same(back, s)


def test_matstruct_with_python_values_needs_dj0_and_round_trips():
    s = np.rec.array([("a", 1), ("b", 2)], dtype=[("name", object), ("n", object)]).view(MatStruct)
    assert pack(s)[:4] == b"dj0\0"
    assert_same(roundtrip(s), s)


# -- Python values ----------------------------------------------------------------------------
PYTHON_VALUES = [
    None, True, False, 0, -1, 127, 128, -128, -129, 255, 2**63, -(2**63) - 1, 2**1000, -(2**4000),
    0.0, -0.0, 1.5, math.nan, math.inf, -math.inf, 5e-324, complex(0, 0), complex(math.nan, -0.0), 1e300 + 1e-300j,
    "", "hello", "ünïcode ✓ 🧪", "a\0b", b"", b"\0\xff" * 10, [], (), set(), {}, [None], (1,),
    [1, [2, [3, [4, []]]]], {"a": {"b": {"c": [1, (2, 3)]}}}, {1: "int key", (1, 2): "tuple key", None: 0},
    {1, 2.5, "x", (1, 2), None, b"b"}, [np.float32(1.5), np.int8(-1), np.arange(3)],
    datetime.date(2026, 1, 15), datetime.date(1, 1, 1), datetime.date(9999, 12, 31),
    datetime.datetime(2026, 1, 15, 12, 30, 45, 123456), datetime.datetime(1900, 2, 28, 0, 0),
    datetime.time(0, 0), datetime.time(23, 59, 59, 999999), uuid.UUID(int=0), uuid.UUID("7f3f5753-1486-4646-88ef-0123456789ab"),
    decimal.Decimal("3.14159"), decimal.Decimal("-0.000"), decimal.Decimal("1E+5"), decimal.Decimal("NaN"),
    np.bool_(True), np.uint64(2**64 - 1), np.complex64(1 - 2j), np.datetime64("NaT", "ns"),
]


@pytest.mark.parametrize("value", PYTHON_VALUES, ids=[f"{i}-{type(v).__name__}" for i, v in enumerate(PYTHON_VALUES)])
def test_python_values_round_trip_with_their_type(value):
    back = roundtrip(value)
    if isinstance(value, set) and not isinstance(value, frozenset):
        assert back == value and type(back) is set
    else:
        assert_same(back, value)


@pytest.mark.parametrize(
    "value, expected",
    [(bytearray(b"ab"), b"ab"), (memoryview(b"cd"), b"cd"), (frozenset({1, 2}), {1, 2}), (np.str_("s"), "s"),
     (np.bytes_(b"b"), b"b"), (np.array(7.0), np.float64(7.0)), (np.array("abc"), np.array("abc", dtype=object))],
    ids=["bytearray", "memoryview", "frozenset", "np.str_", "np.bytes_", "0-d float", "0-d str"],
)
def test_values_with_a_documented_conversion(value, expected):
    back = roundtrip(value)
    assert type(back) is type(expected) and (back == expected if not isinstance(back, np.ndarray) else True)
    if isinstance(expected, np.ndarray):
        assert_same(back, expected)


def test_big_ints_use_the_fewest_bytes_datajoint_uses():
    assert pack(-128) == b"dj0\0\x0a\x02\x00\x80\xff"  # bit_length // 8 + 1 bytes
    assert pack(255) == b"dj0\0\x0a\x02\x00\xff\x00"
    assert unpack(pack(2**(8 * 65534))) == 2**(8 * 65534)


@pytest.mark.parametrize("unit", UNITS)
def test_datetime64_arrays_and_scalars_round_trip_in_every_unit(unit):
    a = np.array([123456789, np.iinfo(np.int64).min, 0, -5], dtype=np.int64).view(f"datetime64[{unit}]")  # min: NaT
    blob = pack(a, compress=False)
    assert blob[:4] == b"dj0\0"
    assert int.from_bytes(blob[21:25], "little") == 65536 + UNITS.index(unit)
    assert_same(roundtrip(a), a)
    assert_same(roundtrip(a[0]), a[0])


def test_set_and_dict_items_are_written_in_iteration_order_with_length_prefixes():
    assert pack({"k": None}, compress=False) == (b"dj0\0\x04" + (1).to_bytes(8, "little")
                                                 + (10).to_bytes(8, "little") + b"\x05" + (1).to_bytes(8, "little")
                                                 + b"k" + (1).to_bytes(8, "little") + b"\xff")


def test_datetime_layout():
    assert pack(datetime.time(1, 2, 3, 4))[4:] == b"t" + (-1).to_bytes(4, "little", signed=True) + (
        10203000004).to_bytes(8, "little")


# -- squeeze ----------------------------------------------------------------------------------
def test_squeeze_drops_singleton_dimensions_and_turns_0d_into_python_scalars():
    assert unpack(pack(np.zeros((1, 3, 1))), squeeze=True).shape == (3,)
    assert unpack(pack(np.array([[5.0]])), squeeze=True) == 5.0
    assert type(unpack(pack(np.array([[5.0]])), squeeze=True)) is float
    assert unpack(pack(np.zeros((1, 3, 1)))).shape == (1, 3, 1)
    cell = np.array([[1.0, 2.0]], dtype=object).view(MatCell)
    assert unpack(pack(cell), squeeze=True).shape == (2,)


# -- MATLAB char arrays (written by MATLAB; numpy 'S1' arrays too) ------------------------------
def _char_blob(text_units: list[int], shape: tuple[int, ...]) -> bytes:
    head = b"mYm\0A" + len(shape).to_bytes(8, "little") + b"".join(n.to_bytes(8, "little") for n in shape)
    return head + (4).to_bytes(4, "little") + bytes(4) + np.array(text_units, dtype="<u2").tobytes()


def test_matlab_char_row_reads_as_one_string():
    got = unpack(_char_blob([ord(c) for c in "héllo"], (1, 5)))
    assert got.shape == (1,) and got[0] == "héllo"
    assert unpack(_char_blob([ord(c) for c in "hi"], (1, 2)), squeeze=True) == "hi"


def test_matlab_char_matrix_reads_in_fortran_order():
    got = unpack(_char_blob([ord(c) for c in "adbecf"], (2, 3)))
    assert got.tolist() == [["a", "b", "c"], ["d", "e", "f"]]


def test_numpy_single_byte_chars_are_written_as_matlab_chars():
    blob = pack(np.array([b"a", b"b"], dtype="S1"), compress=False)
    assert blob == _char_blob([97, 98], (2,))
    assert unpack(blob)[0] == "ab"


# -- compression ------------------------------------------------------------------------------
def test_compression_applies_above_1000_bytes_when_it_helps():
    a = np.zeros(1000)
    blob = pack(a)
    assert blob.startswith(b"ZL123\0") and len(blob) < 200
    assert int.from_bytes(blob[6:14], "little") == len(pack(a, compress=False))
    assert pack(a, compress=False).startswith(b"mYm\0")
    assert_same(unpack(blob), a)


def test_compressed_but_larger_stays_uncompressed():
    noise = os.urandom(5000)
    assert pack(noise) == pack(noise, compress=False)


def test_small_blobs_are_never_compressed():
    text = "a" * (1000 - 13)  # header 4 + code 1 + length 8: exactly 1000 bytes
    assert len(pack(text, compress=False)) == 1000
    assert pack(text) == pack(text, compress=False)
    assert pack(text + "a").startswith(b"ZL123\0")


def test_large_blobs_that_barely_compress_stay_uncompressed():
    noise = np.random.default_rng(0).standard_normal(131072)  # 1 MiB: zlib would save ~4 %
    assert pack(noise) == pack(noise, compress=False)
    small_noise = np.random.default_rng(0).standard_normal((50, 40))  # up to 64 KiB: as DataJoint, always tried
    assert pack(small_noise).startswith(b"ZL123\0")
    mixed = {"zeros": np.zeros(131072), "noise": noise[:1000]}  # large and compressible
    assert pack(mixed).startswith(b"ZL123\0") and len(pack(mixed)) < 50_000
    assert_same(unpack(pack(noise)), noise)


# -- whole columns ------------------------------------------------------------------------------
COLUMNS = {
    "1-d float64": [np.random.default_rng(i).random(16) for i in range(5)],
    "2-d": [np.arange(12.0).reshape(3, 4) + i for i in range(3)],
    "fortran": [np.asfortranarray(np.arange(12.0).reshape(3, 4)) * i for i in range(3)],
    "strided": [np.arange(24.0).reshape(3, 8)[:, ::2] + i for i in range(3)],
    "3-d int16": [np.arange(6, dtype=np.int16).reshape(1, 2, 3) - i for i in range(4)],
    "bool": [np.array([True, False]), np.array([False, False])],
    "with nulls": [np.arange(4, dtype=np.uint8), None, np.arange(4, dtype=np.uint8)],
    "empty": [np.zeros(0), np.zeros(0)],
    "mixed shapes": [np.arange(3.0), np.arange(4.0)],
    "mixed dtypes": [np.arange(3.0), np.arange(3)],
    "other values": [np.arange(3.0), [1, 2]],
    "large": [np.zeros(200), np.ones(200)],
    "above 64 KiB": [np.random.default_rng(i).standard_normal((100, 120)) for i in range(3)],
    "above 64 KiB, other shapes": [np.random.default_rng(0).standard_normal((100, 120)),
                                   np.random.default_rng(1).standard_normal((120, 100))],
    "big-endian": [np.arange(3, dtype=">f8"), np.arange(3, dtype=">f8")],
}


@pytest.mark.parametrize("label", list(COLUMNS))
def test_columns_pack_and_unpack_as_their_values_do(label):
    from dj_jupyter.codecs.blob_pack import pack_column
    from dj_jupyter.codecs.blob_unpack import unpack_column

    values = COLUMNS[label]
    one_by_one = [None if v is None else pack(v) for v in values]
    whole = pack_column(values)
    assert whole is None or whole == one_by_one
    back = unpack_column(one_by_one)
    assert len(back) == len(values)
    for got, want in zip(back, values):
        if want is None:
            assert got is None
            continue
        assert_same(got, unpack(pack(want)))
        if isinstance(got, np.ndarray) and got.dtype != object:
            assert not got.flags.writeable


def test_large_arrays_of_a_column_are_views_of_their_own_blobs():
    from dj_jupyter.codecs import blob_unpack

    values = [np.random.default_rng(i).standard_normal((100, 120)) for i in range(3)]  # 96,000 bytes each
    blobs = [pack(v, compress=False) for v in values]
    back = blob_unpack.unpack_column(blobs)
    for got, want, blob in zip(back, values, blobs):
        assert_same(got, want)
        assert got.base is not None and not got.flags.writeable and not got.flags.owndata
        assert np.shares_memory(got, np.frombuffer(blob, np.uint8))  # no copy


def test_column_of_corrupt_blobs_fails_like_one():
    from dj_jupyter.codecs.blob_unpack import unpack_column

    good = pack(np.arange(3.0))
    with pytest.raises(BlobError, match="truncated|corrupted"):
        unpack_column([good, good[:-1]])


# -- values the format cannot hold --------------------------------------------------------------
class Opaque:
    pass


aware = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
loop: list = []
loop.append(loop)


@pytest.mark.parametrize(
    "value, words",
    [(Opaque(), "Opaque"), (np.zeros(2, dtype=np.float16), "float16"), (np.array([1], dtype="timedelta64[s]"),
     "timedelta64"), (np.timedelta64(1, "s"), "timedelta64"), (np.array([b"ab"]), "astype(object)"),
     (aware, "timezone"), (aware.timetz(), "timezone"), (loop, "contains itself"), (2**(8 * 65535), "65535"),
     (np.zeros(2, dtype=[]), "field"), (np.ma.masked_array([1.0, 2.0], mask=[0, 1]), "mask"), ({1, frozenset({2})}, "could not be read back"),
     ({(1, frozenset()): 0}, "could not be read back"), ({"ok": [1, Opaque()]}, "Opaque"), (np.datetime64(1, "2s"), "unit")],
    ids=["object", "float16", "timedelta array", "timedelta scalar", "bytes array", "aware datetime", "aware time",
         "self-containing list", "huge int", "no fields", "masked array", "set in set", "set in key", "nested", "2s unit"],
)
def test_unsupported_values_raise_blob_error_with_advice(value, words):
    with pytest.raises(BlobError, match=re.escape(words)) as info:
        pack(value)
    assert isinstance(info.value, DataJointError) and isinstance(info.value, ValueError)


# -- malformed input ----------------------------------------------------------------------------
SAMPLE = pack({"a": [1, 2.5, "x", None, b"y", np.arange(6).reshape(2, 3)], "s": {1, 2}, "d": decimal.Decimal(1),
               "t": datetime.datetime(2026, 1, 1), "u": uuid.UUID(int=5), "c": 1j,
               "r": np.zeros(2, dtype=[("a", "<i4"), ("b", "<U2")]),
               "m": np.array([np.ones(2)], dtype=object).view(MatCell),
               "st": np.rec.array([(1.0,)], dtype=[("f", object)]).view(MatStruct)}, compress=False)


def test_every_truncation_of_a_valid_blob_raises_blob_error():
    for end in range(len(SAMPLE)):
        with pytest.raises(BlobError):
            unpack(SAMPLE[:end])


@given(st.data())
@settings(max_examples=400, deadline=None)
def test_corrupted_bytes_raise_blob_error_or_decode(data):
    blob = bytearray(SAMPLE)
    for _ in range(data.draw(st.integers(1, 4))):
        blob[data.draw(st.integers(4, len(blob) - 1))] = data.draw(st.integers(0, 255))
    try:
        unpack(bytes(blob))
    except BlobError:
        pass


@pytest.mark.parametrize(
    "blob, words",
    [(b"", "header"), (b"xyz\0\xff", "header"), (b"mYm\0", "type code"), (b"dj0\0Q", "Unknown blob type code"),
     (b"mYm\0P", "sparse"), (b"dj0\0\xff\xff", "ends at byte 5"), (b"dj0\0\x05" + (9).to_bytes(8, "little") + b"ab",
     "truncated at byte 13"), (b"dj0\0\x02" + (2**60).to_bytes(8, "little"), "does not fit"),
     (b"dj0\0\x02" + (1).to_bytes(8, "little") + (2).to_bytes(8, "little") + b"\xff\xff", "declared 2 bytes"),
     (b"dj0\0\x05" + (2).to_bytes(8, "little") + b"\xff\xfe", "UTF-8"),
     (b"dj0\0t" + (20261399).to_bytes(4, "little") + (0).to_bytes(8, "little"), "not a date"),
     (b"dj0\0d" + (3).to_bytes(8, "little") + b"abc", "not a Decimal"),
     (b"mYm\0A" + (1).to_bytes(8, "little") + (1).to_bytes(8, "little") + (99).to_bytes(4, "little") + bytes(5),
      "array type id 99"),
     (b"ZL123\0" + (5).to_bytes(8, "little") + b"not zlib", "zlib"), (b"ZL123\0\x01", "compressed blob needs"),
     (b"ZL123\0" + (9).to_bytes(8, "little") + __import__("zlib").compress(b"dj0\0\xff"), "expected 9 bytes"),
     (b"dj0\0\x04" + (1).to_bytes(8, "little") + (9).to_bytes(8, "little") + b"\x02" + bytes(8)
      + (1).to_bytes(8, "little") + b"\xff", "keys cannot be rebuilt"),
     (b"dj0\0F" + (1).to_bytes(4, "little") + b"abc", "field name")],
    ids=["empty", "bad header", "header only", "unknown code", "sparse", "trailing bytes", "short str",
         "huge count", "length mismatch", "bad utf8", "bad date", "bad decimal", "unknown type id", "bad zlib",
         "short zlib header", "zlib size mismatch", "unhashable key", "unterminated field name"],
)
def test_malformed_blobs_raise_blob_error_saying_what_is_wrong(blob, words):
    with pytest.raises(BlobError, match=words):
        unpack(blob)


def test_unpack_accepts_bytes_like_and_null():
    assert unpack(None) is None
    blob = pack([1, "x"])
    assert unpack(bytearray(blob)) == unpack(memoryview(blob)) == [1, "x"]
    with pytest.raises(BlobError, match="must be bytes"):
        unpack("dj0\0\xff")


@pytest.mark.parametrize("header", [b"mYm\0", b"dj0\0"])
@pytest.mark.parametrize("wrapper", [lambda a: a, lambda a: [a]], ids=["alone", "in a list"])
def test_a_zero_extent_next_to_an_impossible_one_is_a_blob_error(header, wrapper):
    """Found by the differential fuzzer (tests/interop/test_blob_fuzz.py): a corrupted shape (0, 2**61) holds no
    data, so no length check catches it, but numpy refuses the shape (ValueError "array is too big")."""
    good = pack(wrapper(np.zeros((0, 3))), compress=False)
    at = good.index((3).to_bytes(8, "little"))
    blob = good[:at] + (2**61).to_bytes(8, "little") + good[at + 8:]
    with pytest.raises(BlobError, match=r"impossible array shape \(0, 2305843009213693952\)"):
        unpack(header + blob[4:])
    with pytest.raises(BlobError, match="impossible array shape"):
        unpack(blob, squeeze=True)
