"""The <blob> format against the bytes DataJoint 2.3.5 writes (shared/spec/blob-vectors).

Each vector gives a Python expression, the bytes DataJoint packs it to (with and without
compression) and the type it unpacks to; we must produce exactly those bytes and read them back.
"""

from __future__ import annotations

import datetime  # noqa: F401  (used by the vector expressions)
import decimal  # noqa: F401
import json
import uuid  # noqa: F401
from pathlib import Path

import numpy as np
import pytest

from dj_jupyter.codecs.blob import pack, unpack
from tests.unit.test_blob import assert_same

VECTORS = Path("/work/shared/spec/blob-vectors/datajoint-2.3.5.json")
if not VECTORS.exists():  # the repository may be checked out without the shared spec folder
    VECTORS = Path(__file__).resolve().parents[3] / "shared/spec/blob-vectors/datajoint-2.3.5.json"

CASES = json.loads(VECTORS.read_text())["cases"] if VECTORS.exists() else []


def _type_name(value: object) -> str:
    """The vector file's notation: ``ndarray[float64][3, 4]`` for arrays, the class name otherwise."""
    if isinstance(value, np.ndarray):
        return f"{type(value).__name__}[{value.dtype}]{list(value.shape)}"
    return type(value).__name__


def _expected(case: dict) -> object:
    """The value DataJoint reads back: the original, with its documented conversions applied."""
    value = eval(case["python"])  # the file's own contract: Python expressions with np/datetime/uuid/decimal
    if isinstance(value, np.ndarray) and value.dtype.names:
        # str fields are stored element by element and come back as object fields of a recarray
        fields = [(n, object if value.dtype[n].kind == "U" else value.dtype[n]) for n in value.dtype.names]
        return value.astype(fields).view(np.recarray)
    if isinstance(value, np.ndarray) and value.dtype.kind == "U":
        return value.astype(object)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    return value


def test_all_46_vectors_are_present():
    assert len(CASES) == 46, f"expected the 46 DataJoint 2.3.5 vectors in {VECTORS}"


@pytest.mark.parametrize("case", CASES, ids=[c["python"][:40] for c in CASES])
def test_pack_gives_datajoints_bytes(case):
    value = eval(case["python"])
    assert pack(value, compress=False).hex() == case["packed"]
    assert pack(value, compress=True).hex() == case["packed_compressed"]
    assert pack(value).hex() == case["packed_compressed"]  # compression is the default


@pytest.mark.parametrize("case", CASES, ids=[c["python"][:40] for c in CASES])
@pytest.mark.parametrize("form", ["packed", "packed_compressed"])
def test_unpack_reads_datajoints_bytes(case, form):
    got = unpack(bytes.fromhex(case[form]))
    assert _type_name(got) == case["unpacks_to_type"]
    assert_same(got, _expected(case))


def test_the_vectors_cover_both_protocols_and_compression():
    headers = {bytes.fromhex(c["packed"])[:4] for c in CASES}
    assert headers == {b"mYm\0", b"dj0\0"}
    assert any(c["packed_compressed"].startswith(b"ZL123\0".hex()) for c in CASES)
