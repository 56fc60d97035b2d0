"""Shared contract for tables with codec columns, run against each store (folder, S3).

A test module provides a module-scoped fixture ``env`` (a :class:`CodecEnv`) and subclasses
:class:`CodecTableContract`; every test of the contract then runs on that module's store,
on each database backend.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import dj_jupyter as dj
from dj_jupyter.errors import DataJointError, DefinitionError, DuplicateError

# values the <blob> format stores; each must come back equal, with its type
VALUES: dict[str, Any] = {
    "float64 2-d": np.arange(12.0).reshape(3, 4),
    "int16": np.array([[1, -2], [3, 4]], dtype=np.int16),
    "uint8": np.arange(5, dtype=np.uint8),
    "bool array": np.array([True, False, True]),
    "complex": np.array([1 + 2j, 3 - 4j]),
    "large float32": np.random.default_rng(0).random((200, 50)).astype(np.float32),
    "empty": np.zeros((0, 3)),
    "int": 7,
    "float": 2.5,
    "str": "héllo",
    "big int": 2**70,
    "list": [1, "a", 2.5],
    "tuple": (1, 2),
    "set": {1, 2},
    "nested dict": {"a": {"b": [1, 2]}, "arr": np.ones(3), "t": ("x", None)},
    "bytes": b"\x00\x01",
    "datetime": datetime.datetime(2024, 1, 2, 3, 4, 5),
    "uuid": uuid.UUID(int=5),
    "decimal": decimal.Decimal("1.25"),
    "structured": np.array([(1, 2.0), (3, 4.0)], dtype=[("a", "i4"), ("b", "f8")]),
    "object array": np.array([1, "a", None], dtype=object),
    "matlab cell": np.array([1.0, "two"], dtype=object).view(dj.MatCell),
}


def assert_same(got: Any, expected: Any, where: str = "value") -> None:
    """Equal value and type, recursively (arrays: shape, dtype kind and elements)."""
    if isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray), f"{where}: expected an array, got {type(got).__name__}"
        assert got.shape == expected.shape, where
        if expected.dtype.names:
            assert got.dtype.names == expected.dtype.names and got.tolist() == expected.tolist(), where
            return
        assert got.dtype.kind == expected.dtype.kind, f"{where}: dtype {got.dtype} != {expected.dtype}"
        if expected.dtype.kind == "O":
            for i, (g, e) in enumerate(zip(got.ravel(order="F"), expected.ravel(order="F"))):
                assert_same(g, e, f"{where}[{i}]")
        else:
            assert got.dtype == expected.dtype, where
            np.testing.assert_array_equal(got, expected, err_msg=where)
        return
    assert type(got) is type(expected), f"{where}: type {type(got).__name__} != {type(expected).__name__}"
    if isinstance(expected, dict):
        assert got.keys() == expected.keys(), where
        for k in expected:
            assert_same(got[k], expected[k], f"{where}[{k!r}]")
    elif isinstance(expected, (list, tuple)):
        assert len(got) == len(expected), where
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same(g, e, f"{where}[{i}]")
    else:
        assert got == expected, where


@dataclass
class CodecEnv:
    """What the contract needs: a schema with codec tables on one backend and one store."""

    backend: str
    schema: Any
    tables: dict[str, type]
    store_name: str
    files: Path  # a folder for files to attach
    downloads: Path

    @property
    def store(self):
        from dj_jupyter.stores import get_store

        return get_store(self.store_name)

    def hash_objects(self) -> list[str]:
        """Paths of this schema's content-addressed objects."""
        return self.store.list(f"_hash/{self.schema.database}")


def declare_tables(schema: Any, store_name: str) -> dict[str, type]:
    """The tables of the contract, declared in ``schema`` (``<x@>`` is the default store)."""

    class Objects(dj.Manual):
        definition = """
        # every codec column, all nullable
        obj_id : int32
        ---
        b = null : <blob>
        bs = null : <blob@>
        h = null : <hash@>
        a = null : <attach@>
        ai = null : <attach>
        """

    named = type("Named", (dj.Manual,), {"definition": f"""
        named_id : int32
        ---
        payload : <blob@{store_name}>
        """})

    class Unknown(dj.Manual):
        definition = """
        u_id : int32
        ---
        payload = null : <blob@nowhere>
        """

    out = {}
    for cls in (Objects, named, Unknown):
        out[cls.__name__] = schema(cls, context={})
    return out


class CodecTableContract:
    """Round trips, deduplication and bad input, on the store of the module's ``env``."""

    # ------------------------------------------------------------------ round trips
    def test_blob_round_trips_in_row_and_in_store(self, env: CodecEnv):
        objects = env.tables["Objects"]
        rows = [{"obj_id": 1000 + i, "b": v, "bs": v} for i, v in enumerate(VALUES.values())]
        objects.insert(rows)
        back = (objects & "obj_id >= 1000").to_dicts(order_by="obj_id")
        assert len(back) == len(VALUES)
        for row, (label, value) in zip(back, VALUES.items()):
            assert_same(row["b"], value, f"<blob> {label}")
            assert_same(row["bs"], value, f"<blob@> {label}")

    def test_fetch1_to_pandas_and_to_arrays_decode(self, env: CodecEnv):
        objects = env.tables["Objects"]
        objects.insert1({"obj_id": 2000, "b": {"k": np.arange(3)}, "bs": [1, 2], "h": b"bytes 2000"})
        one = (objects & {"obj_id": 2000}).fetch1()
        assert_same(one["b"], {"k": np.arange(3)})
        assert one["bs"] == [1, 2] and one["h"] == b"bytes 2000"
        frame = (objects & {"obj_id": 2000}).to_pandas()
        assert frame.loc[2000, "h"] == b"bytes 2000"
        h = (objects & {"obj_id": 2000}).to_arrays("h")
        assert h.tolist() == [b"bytes 2000"]

    def test_null_stays_null(self, env: CodecEnv):
        objects = env.tables["Objects"]
        objects.insert1({"obj_id": 3000})
        row = (objects & {"obj_id": 3000}).fetch1()
        assert [row[k] for k in ("b", "bs", "h", "a", "ai")] == [None] * 5

    def test_hash_round_trip_and_metadata(self, env: CodecEnv):
        objects = env.tables["Objects"]
        data = uuid.uuid4().bytes * 100
        objects.insert1({"obj_id": 4000, "h": data})
        assert (objects & {"obj_id": 4000}).fetch1("h") == data
        from dj_jupyter.codecs.hashing import content_hash

        digest = content_hash(data)
        assert len(digest) == 26 and set(digest) <= set("abcdefghijklmnopqrstuvwxyz234567")
        assert f"_hash/{env.schema.database}/{digest}" in env.hash_objects()

    def test_attach_round_trip(self, env: CodecEnv):
        objects = env.tables["Objects"]
        source = env.files / "notes.txt"
        source.write_bytes(b"attached \x00 content")
        objects.insert1({"obj_id": 5000, "a": str(source), "ai": source})
        row = (objects & {"obj_id": 5000}).fetch1()
        for path in (row["a"], row["ai"]):
            assert isinstance(path, str) and Path(path).parent == env.downloads
            assert Path(path).name == "notes.txt"
            assert Path(path).read_bytes() == b"attached \x00 content"

    def test_named_store(self, env: CodecEnv):
        named = env.tables["Named"]
        named.insert1({"named_id": 1, "payload": {"x": np.eye(2)}})
        assert_same((named & {"named_id": 1}).fetch1("payload"), {"x": np.eye(2)})

    def test_preview_shows_placeholders_without_fetching(self, env: CodecEnv):
        objects = env.tables["Objects"]
        objects.insert1({"obj_id": 6000, "bs": np.ones(2)})
        text = repr(objects & {"obj_id": 6000})
        assert "<blob>" in text and "<hash>" in text and "<attach>" in text

    # ------------------------------------------------------------------ deduplication
    def test_same_content_is_stored_once(self, env: CodecEnv):
        objects = env.tables["Objects"]
        payload = {"unique": uuid.uuid4().hex, "arr": np.arange(2000.0)}
        raw = uuid.uuid4().bytes * 50
        before = set(env.hash_objects())
        objects.insert([{"obj_id": 7000, "bs": payload, "h": raw}, {"obj_id": 7001, "bs": payload, "h": raw}])
        objects.insert1({"obj_id": 7002, "bs": payload, "h": raw})
        added = set(env.hash_objects()) - before
        assert len(added) == 2  # one object for the blob, one for the raw bytes, whatever the row count
        rows = (objects & "obj_id >= 7000 and obj_id <= 7002").to_dicts()
        assert all(r["h"] == raw for r in rows) and len(rows) == 3

    # ------------------------------------------------------------------ bad input
    def _nothing_written(self, env: CodecEnv, table: Any, key: dict, before: list[str]) -> None:
        assert len(table & key) == 0
        assert env.hash_objects() == before

    def test_unknown_codec_is_refused_at_declaration(self, env: CodecEnv):
        bad = type("BadCodec", (dj.Manual,), {"definition": "k : int32\n---\nx : <nosuchcodec@>"})
        with pytest.raises(DefinitionError, match="nosuchcodec") as info:
            env.schema(bad, context={})
        assert "<blob>" in str(info.value)  # the registered codecs are listed
        assert "bad_codec" not in env.schema.list_tables()

    def test_unknown_store_names_the_configured_ones(self, env: CodecEnv):
        unknown = env.tables["Unknown"]
        before = env.hash_objects()
        with pytest.raises(DataJointError, match="'nowhere' is requested but not configured") as info:
            unknown.insert1({"u_id": 1, "payload": np.ones(3)})
        assert repr(env.store_name) in str(info.value)
        self._nothing_written(env, unknown, {"u_id": 1}, before)

    def test_unserializable_value_writes_nothing(self, env: CodecEnv):
        objects = env.tables["Objects"]
        before = env.hash_objects()
        rows = [{"obj_id": 8000, "h": uuid.uuid4().bytes, "bs": np.ones(3)},
                {"obj_id": 8001, "h": uuid.uuid4().bytes, "bs": object()}]
        with pytest.raises(DataJointError, match=r"`bs` \(<blob@>\) cannot store the value at row 1") as info:
            objects.insert(rows)
        assert isinstance(info.value, ValueError)
        self._nothing_written(env, objects, "obj_id in (8000, 8001)", before)

    def test_hash_needs_bytes(self, env: CodecEnv):
        objects = env.tables["Objects"]
        before = env.hash_objects()
        with pytest.raises(TypeError, match="<hash@> stores bytes; got a value of type str"):
            objects.insert1({"obj_id": 8100, "h": "not bytes"})
        self._nothing_written(env, objects, {"obj_id": 8100}, before)

    def test_attach_needs_an_existing_file(self, env: CodecEnv):
        objects = env.tables["Objects"]
        before = env.hash_objects()
        with pytest.raises(FileNotFoundError, match="not an existing file"):
            objects.insert1({"obj_id": 8200, "a": str(env.files / "missing.bin")})
        self._nothing_written(env, objects, {"obj_id": 8200}, before)

    def test_failed_insert_removes_its_uploads(self, env: CodecEnv):
        objects = env.tables["Objects"]
        objects.insert1({"obj_id": 8300, "h": b"first"})
        before = env.hash_objects()
        with pytest.raises(DuplicateError):
            objects.insert1({"obj_id": 8300, "h": uuid.uuid4().bytes})  # uploaded, then the row is refused
        assert env.hash_objects() == before
        assert (objects & {"obj_id": 8300}).fetch1("h") == b"first"
