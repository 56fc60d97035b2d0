"""Codec registry, chain resolution, built-in codecs and stores, without a database."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import dj_jupyter as dj
from dj_jupyter.codecs import registry
from dj_jupyter.codecs.builtins import (
    AttachCodec,
    ContentMismatchError,
    HashCodec,
    MissingFileError,
)
from dj_jupyter.codecs.hashing import content_hash, hash_path
from dj_jupyter.codecs.registry import CodecTypeError, resolve_dtype, unregister_codec
from dj_jupyter.errors import DataJointError, UnsupportedError
from dj_jupyter.stores import (
    FolderStore,
    StoreError,
    get_store,
    parse_store_spec,
    undo_writes_on_error,
)


def _codec(name, dtype="bytes", **attrs):
    """A codec class named ``name`` whose storage type is ``dtype`` (registered unless register=False)."""
    register = attrs.pop("register", True)
    body = {"name": name, "get_dtype": lambda self, is_store: dtype,
            "encode": lambda self, value, *, key=None, context=None, store_name=None: value,
            "decode": lambda self, stored, *, key=None, context=None: stored, **attrs}
    return type(f"Codec_{name}", (dj.Codec,), body, register=register)


@pytest.fixture
def scratch():
    """Names registered by a test are removed afterwards."""
    before = set(registry._registry)
    yield
    for name in set(registry._registry) - before:
        unregister_codec(name)


# ------------------------------------------------------------------------------ registry
def test_builtins_are_listed_sorted():
    names = dj.list_codecs()
    assert {"attach", "blob", "hash"} <= set(names) and names == sorted(names)


def test_get_codec_ignores_brackets_and_store():
    assert dj.get_codec("<blob@cold>") is dj.get_codec("blob") is dj.get_codec("<blob>")
    assert dj.get_codec("<hash@>").name == "hash"


def test_unknown_codec_lists_registered_ones():
    with pytest.raises(DataJointError, match=r"Unknown codec <nope>.*Registered codecs: <attach>, <blob>, .*<hash>"):
        dj.get_codec("<nope@x>")


def test_class_body_registers(scratch):
    cls = _codec("unit_reg")
    assert dj.get_codec("<unit_reg>").__class__ is cls
    assert "unit_reg" in dj.list_codecs()


@pytest.mark.parametrize("how", ["name None", "register=False"])
def test_unregistered_classes(scratch, how):
    if how == "name None":
        before = dict(registry._registry)
        type("NoName", (dj.Codec,), {})
        assert registry._registry == before
    else:
        _codec("unit_private", register=False)
        with pytest.raises(DataJointError, match="Unknown codec <unit_private>"):
            dj.get_codec("unit_private")


@pytest.mark.parametrize("bad", ["", "two words", "1abc", "a-b", 5, "<x>"])
def test_bad_names_are_refused(scratch, bad):
    with pytest.raises(DataJointError, match="codec name must be a non-empty string"):
        type("Bad", (dj.Codec,), {"name": bad})


def test_taken_name_is_refused_for_another_class(scratch):
    _codec("unit_taken")
    with pytest.raises(DataJointError, match="'unit_taken' is already registered by .*Codec_unit_taken"):
        type("Other", (dj.Codec,), {"name": "unit_taken"})
    with pytest.raises(DataJointError, match="already registered"):
        type("Blob2", (dj.Codec,), {"name": "blob"})


def test_same_class_again_is_a_no_op(scratch):
    cls = _codec("unit_same")
    registry._register(cls)
    assert registry._registry["unit_same"] is cls
    # a notebook cell run again defines the "same" class (same module and name): it replaces the old one
    again = _codec("unit_same")
    assert dj.get_codec("unit_same").__class__ is again


# ------------------------------------------------------------------------------ chains
@pytest.mark.parametrize("dtype, final, chain, store", [
    ("<blob>", "bytes", ["blob"], None),
    ("<blob@>", "json", ["blob", "hash"], ""),
    ("<blob@cold>", "json", ["blob", "hash"], "cold"),
    ("<attach@cold>", "json", ["attach", "hash"], "cold"),
    ("<hash@x>", "json", ["hash"], "x"),
    ("json", "json", [], None),
])
def test_resolve_dtype(dtype, final, chain, store):
    got_final, got_chain, got_store = resolve_dtype(dtype)
    assert (got_final, [c.name for c in got_chain], got_store) == (final, chain, store)


def test_store_propagates_into_custom_chains(scratch):
    _codec("unit_outer", "<blob>")
    assert resolve_dtype("<unit_outer@deep>")[0:1] == ("json",)
    assert resolve_dtype("<unit_outer@deep>")[2] == "deep"
    assert resolve_dtype("<unit_outer>")[0] == "bytes"


def test_hash_needs_a_store():
    with pytest.raises(DataJointError, match=r"declare it as <hash@>"):
        resolve_dtype("<hash>")


def test_circular_chains_are_refused(scratch):
    _codec("unit_ping", "<unit_pong>")
    _codec("unit_pong", "<unit_ping>")
    _codec("unit_self", "<unit_self>")
    with pytest.raises(DataJointError, match=r"<unit_ping> -> <unit_pong> -> <unit_ping> is circular"):
        resolve_dtype("<unit_ping>")
    with pytest.raises(DataJointError, match="circular"):
        resolve_dtype("<unit_self@s>")


def test_storage_that_is_no_type_is_refused(scratch):
    _codec("unit_junk", "not a type at all")
    with pytest.raises(DataJointError, match="not a core or native SQL type"):
        resolve_dtype("<unit_junk>")


def test_entry_point_codecs_are_discovered_lazily(scratch, tmp_path, monkeypatch):
    (tmp_path / "unit_plugin_mod.py").write_text(textwrap.dedent("""
        import dj_jupyter as dj

        class PluginCodec(dj.Codec, register=False):
            name = "unit_plugin"
            def get_dtype(self, is_store):
                return "bytes"
            def encode(self, value, *, key=None, context=None, store_name=None):
                return value
            def decode(self, stored, *, key=None, context=None):
                return stored
    """))
    dist = tmp_path / "unit_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: unit-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[dj_jupyter.codecs]\nunit_plugin = unit_plugin_mod:PluginCodec\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(registry._discovery, "entry_points", False)
    assert "unit_plugin" not in registry._registry
    assert dj.get_codec("<unit_plugin>").name == "unit_plugin"
    sys.modules.pop("unit_plugin_mod", None)


# ------------------------------------------------------------------------------ content addressing
def test_content_hash_form():
    digest = content_hash(b"some bytes")
    assert len(digest) == 26 and digest == digest.lower() and "=" not in digest
    assert set(digest) <= set("abcdefghijklmnopqrstuvwxyz234567")
    assert content_hash(b"some bytes") == digest != content_hash(b"other bytes")


def test_hash_path_subfolding():
    assert hash_path("_hash", "lab", "abcdefgh") == "_hash/lab/abcdefgh"
    assert hash_path("_hash", "lab", "abcdefgh", (2, 2)) == "_hash/lab/ab/cd/abcdefgh"


@pytest.fixture
def folder_store(tmp_path):
    (tmp_path / "store").mkdir()
    with dj.config.override(stores={"default": "f", "f": {"protocol": "file", "location": str(tmp_path / "store"),
                                                          "subfolding": [2, 2]}},
                            download_path=str(tmp_path / "downloads")):
        yield get_store()


def test_hash_codec_stores_once_and_verifies(folder_store):
    codec = HashCodec()
    ctx = {"schema": "lab", "table": "t", "field": "f", "config": None}
    meta = codec.encode(b"payload", context=ctx, store_name="")
    digest = content_hash(b"payload")
    assert meta == {"hash": digest, "path": f"_hash/lab/{digest[:2]}/{digest[2:4]}/{digest}", "schema": "lab",
                    "store": "f", "size": 7}
    assert codec.encode(b"payload", context=ctx, store_name="") == meta
    assert folder_store.list() == [meta["path"]]
    assert codec.decode(meta) == b"payload"
    (folder_store.root / meta["path"]).write_bytes(b"tampered")
    with pytest.raises(ContentMismatchError):
        codec.decode(meta)


def test_hash_codec_refuses_non_bytes(folder_store):
    with pytest.raises(CodecTypeError, match="<hash@> stores bytes; got a value of type list") as info:
        HashCodec().encode([1, 2], context={"schema": "lab"})
    assert isinstance(info.value, TypeError) and isinstance(info.value, DataJointError)
    assert folder_store.list() == []


def test_attach_codec(folder_store, tmp_path):
    source = tmp_path / "data.bin"
    source.write_bytes(b"\x00abc")
    codec = AttachCodec()
    codec.validate(source)
    stored = codec.encode(source)
    assert stored == b"data.bin\x00\x00abc"
    path = codec.decode(stored)
    assert path == str(tmp_path / "downloads" / "data.bin")
    assert codec.decode(stored) == path  # the same content is not written twice
    other = codec.decode(b"data.bin\x00different")  # a different file of that name is kept
    assert other != path and Path(path).read_bytes() == b"\x00abc"
    assert codec.decode(b"../../escape.txt\x00x").startswith(str(tmp_path / "downloads"))
    with pytest.raises(MissingFileError, match="not an existing file"):
        codec.validate(tmp_path / "nope")
    with pytest.raises(MissingFileError, match="is a folder"):
        codec.validate(tmp_path)
    with pytest.raises(TypeError):
        codec.validate(42)


# ------------------------------------------------------------------------------ stores
def test_store_spec_unknown_key_lists_allowed(tmp_path):
    with pytest.raises(DataJointError, match=r"unknown key 'bukket'\. Allowed keys: .*location.*subfolding"):
        parse_store_spec("s", {"protocol": "file", "location": str(tmp_path), "bukket": "x"})


@pytest.mark.parametrize("raw, words", [
    ({"protocol": "s3", "endpoint": "e", "location": "l"}, "missing 'bucket'"),
    ({"protocol": "ftp", "location": "/"}, "protocol 'ftp' is not supported"),
    ({"protocol": "file", "location": "/no/such/folder"}, "not an existing folder"),
    ({"protocol": "s3", "endpoint": "e", "bucket": "b", "location": "l", "secret_key": "s"},
     "has secret_key but no access_key"),
    ({"protocol": "file", "location": ".", "hash_prefix": "objects", "schema_prefix": "objects/s"}, "neither inside"),
    ({"protocol": "file", "location": ".", "subfolding": [2, "x"]}, "subfolding must be"),
    ({"protocol": "s3", "endpoint": "e", "bucket": "b", "location": "l", "secure": "yes"}, "secure must be"),
])
def test_store_spec_errors(raw, words):
    with pytest.raises(DataJointError, match=words):
        parse_store_spec("s", raw)


def test_store_spec_defaults_and_round_trip(tmp_path):
    spec = parse_store_spec("s", {"protocol": "file", "location": str(tmp_path), "token_length": 99})
    assert (spec.hash_prefix, spec.schema_prefix, spec.token_length, spec.subfolding) == ("_hash", "_schema", 16, ())
    assert parse_store_spec("s", spec.to_dict()) == spec
    s3 = parse_store_spec("r", {"protocol": "s3", "endpoint": "e", "bucket": "b", "location": "l/",
                                "access_key": "AK", "secret_key": "SK"})
    assert "SK" not in repr(s3) and s3.location == "l"


def test_get_store_errors(tmp_path):
    with dj.config.override(stores={"main": {"protocol": "file", "location": str(tmp_path)}}):
        with pytest.raises(DataJointError, match=r"stores\.default'\] is not set.*'main'"):
            get_store()
        with pytest.raises(DataJointError, match=r"'cold' is requested but not configured\. Configured stores: 'main'"):
            get_store("cold")
        assert get_store("main").name == "main"
    gcs = {"default": "g", "g": {"protocol": "gcs", "bucket": "b", "location": "l"}}
    with dj.config.override(stores=gcs), pytest.raises(UnsupportedError, match="'gcs'"):
        get_store("")


def test_folder_store_operations(tmp_path):
    store = FolderStore(parse_store_spec("f", {"protocol": "file", "location": str(tmp_path)}))
    store.put("a/b/c.bin", b"0123456789")
    assert store.exists("a/b/c.bin") and not store.exists("a/b")
    assert store.get_range("a/b/c.bin", 2, 3) == b"234" and store.size("a/b/c.bin") == 10
    with store.open("a/b/c.bin") as f:
        assert f.read(4) == b"0123"
    store.put("a/d.bin", b"x")
    assert store.list() == ["a/b/c.bin", "a/d.bin"] and store.list("a/b") == ["a/b/c.bin"]
    assert not any(p.name.endswith(".djtmp") for p in tmp_path.rglob("*"))
    store.delete("a/d.bin")
    store.delete("a/d.bin")  # already gone: not an error
    assert store.list() == ["a/b/c.bin"]
    with pytest.raises(FileNotFoundError, match="has no object 'missing'"):
        store.get("missing")
    for bad in ("/etc/passwd", "a/../../x"):
        with pytest.raises(StoreError, match="must be relative"):
            store.put(bad, b"")


def test_failed_block_removes_its_writes(tmp_path):
    store = FolderStore(parse_store_spec("f", {"protocol": "file", "location": str(tmp_path)}))
    with undo_writes_on_error() as outer:
        with undo_writes_on_error():
            store.put("kept", b"1")
        assert outer == [(store, "kept")]
    assert store.list() == ["kept"]
    with pytest.raises(RuntimeError), undo_writes_on_error():
        store.put("inner_ok", b"1")
        with undo_writes_on_error():
            store.put("undone", b"2")
        raise RuntimeError("later failure")
    assert store.list() == ["kept"]


def test_codec_value_errors_name_attribute_and_row(folder_store):
    from dj_jupyter.codecs.columns import codec_column_encoder
    from dj_jupyter.definition.types import parse_type
    from dj_jupyter.heading.heading import Attribute

    attr = Attribute("trace", parse_type("<blob@>"), sql_type="json", nullable=True)
    encode = codec_column_encoder(attr, "sqlite", schema="lab", table="t")
    with pytest.raises(DataJointError, match=r"`trace` \(<blob@>\) cannot store the value at row 1 \(type object\)"):
        encode([np.ones(2), object()], [{}, {}])
    assert folder_store.list() == []  # packing fails before anything is uploaded
    assert encode([None], [{}]) == [None]
