"""Bad input to object columns: each a clear error, with no row and no object left behind.

Runs on every backend with a folder store and with a real S3 store (SeaweedFS).  What the
shared codec contract (``codec_cases.py``: unknown codec at declaration, ``<blob@nowhere>``,
an unserializable ``<blob@>`` value, half a key pair) and ``test_npy.py`` (object dtype on a
folder store) already pin is not repeated; this module covers the rest:

* a codec that is unknown when rows are inserted (the table was declared where it existed);
* an unknown store and an unset default store, for every kind of object column;
* S3 without any credential;
* an unserializable in-row ``<blob>`` after another column has uploaded its objects;
* an ``<npy@>`` of object dtype on S3, and beside a good row;
* ``<filepath@>`` targets outside the store, missing, or in its managed sections.

In every case the objects uploaded by the columns encoded before the failure are removed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import dj_jupyter as dj
from dj_jupyter.codecs.builtins import MissingFileError
from dj_jupyter.codecs.npy import NpyDtypeError
from dj_jupyter.codecs.registry import unregister_codec
from dj_jupyter.errors import DataJointError, StorePathError
from dj_jupyter.stores import StoreAccessError, get_store
from tests.backends.conftest import BACKENDS, drop_schema, fresh_schema_name, make_connection, require_backend
from tests.s3server import ACCESS_KEY, SECRET_KEY

CASES = [(backend, kind) for backend in BACKENDS for kind in ("folder", "s3")]


class Env:
    """One backend and one store: a table with every kind of object column, and the store's files."""

    def __init__(self, backend: str, kind: str, table: type, spec: dict) -> None:
        self.backend, self.kind, self.table, self.spec = backend, kind, table, spec

    @property
    def store(self):
        return get_store("lab")

    def files(self) -> set[str]:
        """Every object in the store."""
        return set(self.store.list())

    def assert_nothing_written(self, before: set[str], restriction="thing_id >= 100") -> None:
        assert len(self.table & restriction) == 0
        assert self.files() == before


def store_spec(kind: str, folder: Path, request) -> dict:
    if kind == "folder":
        (folder / "store").mkdir()
        return {"protocol": "file", "location": str(folder / "store")}
    return request.getfixturevalue("s3_server").store(access_key=ACCESS_KEY, secret_key=SECRET_KEY)


@pytest.fixture(scope="module", params=CASES, ids=[f"{b}-{k}" for b, k in CASES])
def env(request, tmp_path_factory):
    backend, kind = request.param
    require_backend(backend)
    folder = tmp_path_factory.mktemp(f"objerr_{backend}_{kind}")
    conn = make_connection(backend, folder)
    name = fresh_schema_name()
    spec = store_spec(kind, folder, request)
    try:
        with dj.config.override(stores={"default": "lab", "lab": spec}, safemode=False):
            schema = dj.Schema(name, connection=conn)

            @schema
            class Thing(dj.Manual):
                definition = """
                thing_id : int32
                ---
                arr = null : <npy@>
                bs = null : <blob@>
                b = null : <blob>
                fp = null : <filepath@>
                """

            env = Env(backend, kind, Thing, spec)
            env.store.put("user/present.bin", b"a file of the user")
            yield env
            for path in env.store.list():
                env.store.delete(path)
    finally:
        drop_schema(conn, name)
        conn.close_all()


GOOD = {"arr": np.arange(6.0), "bs": {"uploaded": "first"}}


# ------------------------------------------------------------------ codecs and stores
def test_codec_unknown_at_insert_time(env):
    """A table declared with a custom codec, used where that codec's class was never defined."""
    class TempCodec(dj.Codec):
        name = "objerr_temp"

        def get_dtype(self, is_store):
            return "<blob>"

        def encode(self, value, *, key=None, context=None, store_name=None):
            return value

        def decode(self, stored, *, key=None, context=None):
            return stored

    schema = dj.Schema(env.table.database, connection=env.table.connection)

    @schema
    class Custom(dj.Manual):
        definition = """
        thing_id : int32
        ---
        arr : <npy@>
        c : <objerr_temp>
        """

    Custom.insert1({"thing_id": 1, "arr": np.ones(2), "c": [1]})
    unregister_codec("objerr_temp")
    before = env.files()
    try:
        with pytest.raises(DataJointError, match=r"`c` has type <objerr_temp>: Unknown codec .*Registered codecs"):
            Custom.insert1({"thing_id": 100, "arr": np.ones(3), "c": [2]})  # arr is encoded (uploaded) first
        assert len(Custom & "thing_id >= 100") == 0 and env.files() == before
    finally:
        Custom.drop_quick()


@pytest.mark.parametrize("column", ["<npy@nowhere>", "<attach@nowhere>", "<object@nowhere>", "<filepath@nowhere>"])
def test_unknown_store_for_every_kind_of_column(env, column):
    """(``<blob@nowhere>`` is in the shared contract.)  The <npy@> column before it has uploaded: removed again."""
    schema = dj.Schema(env.table.database, connection=env.table.connection)
    cls = type("Nowhere", (dj.Manual,), {"definition": f"thing_id : int32\n---\narr : <npy@>\nx : {column}"})
    table = schema(cls, context={})
    try:
        before = env.files()
        value = {"npy": np.ones(2), "attach": __file__, "object": b"payload", "filepath": "user/present.bin"}[column[1:-9]]
        with pytest.raises(DataJointError, match="'nowhere' is requested but not configured") as info:
            table.insert1({"thing_id": 100, "arr": np.ones(3), "x": value})
        assert "'lab'" in str(info.value)  # the configured stores are listed
        assert len(table()) == 0 and env.files() == before
    finally:
        table.drop_quick()


def test_unset_default_store(env):
    before = env.files()
    with dj.config.override(stores={"lab": env.spec}):  # no stores.default
        for column, value in (("arr", np.ones(2)), ("bs", [1]), ("fp", "user/present.bin")):
            with pytest.raises(DataJointError, match=r"default store is requested.*stores.default") as info:
                env.table.insert1({"thing_id": 100, column: value})
            assert "'lab'" in str(info.value)
    env.assert_nothing_written(before)


def test_s3_without_any_credential(env):
    if env.kind != "s3":
        pytest.skip("credentials are an S3 matter")
    before = env.files()
    bare = {k: v for k, v in env.spec.items() if k not in ("access_key", "secret_key")}
    with dj.config.override(stores={"default": "bare", "bare": bare}):
        for column, value in (("arr", np.ones(2)), ("bs", [1]), ("fp", "user/present.bin")):
            with pytest.raises(StoreAccessError, match=r"stores\.bare\.access_key") as info:
                env.table.insert1({"thing_id": 100, column: value})
            assert isinstance(info.value, PermissionError) and SECRET_KEY not in str(info.value)
    env.assert_nothing_written(before)


# ------------------------------------------------------------------ values
def test_unserializable_in_row_blob_after_uploads(env):
    before = env.files()
    rows = [{"thing_id": 100, **GOOD, "b": [1, 2]}, {"thing_id": 101, **GOOD, "b": object()}]
    with pytest.raises(DataJointError, match=r"`b` \(<blob>\) cannot store the value at row 1") as info:
        env.table.insert(rows)
    assert isinstance(info.value, ValueError) and "Supported:" in str(info.value)
    env.assert_nothing_written(before)


def test_npy_of_object_dtype(env):
    before = env.files()
    rows = [{"thing_id": 100, "arr": np.ones(3), "bs": [1]},
            {"thing_id": 101, "arr": np.array([1, "a", None], dtype=object), "bs": [2]}]
    with pytest.raises(NpyDtypeError, match=r"`arr` \(<npy@>\).*row 1.*dtype object") as info:
        env.table.insert(rows)
    assert isinstance(info.value, ValueError) and "<blob@>" in str(info.value)
    env.assert_nothing_written(before)


# ------------------------------------------------------------------ <filepath@>
FILEPATH_ERRORS = {
    "parent folder": ("../outside.bin", StorePathError, "lies outside the store"),
    "absolute": ("/etc/hostname", StorePathError, "lies outside the store"),
    "deep escape": ("user/../../outside.bin", StorePathError, "lies outside the store"),
    "missing file": ("user/absent.bin", MissingFileError, "not an existing file or folder"),
    "missing folder": ("nothing/here/", MissingFileError, "not an existing file or folder"),
    "hash section": ("_hash/x/y", StorePathError, "hash_prefix section '_hash'"),
    "schema section": ("_schema", StorePathError, "schema_prefix section '_schema'"),
    "not a path": (42, TypeError, "takes the path of a file or folder"),
}


@pytest.mark.parametrize("label", list(FILEPATH_ERRORS))
def test_filepath_bad_targets(env, label):
    value, error, message = FILEPATH_ERRORS[label]
    store = env.store
    store.put("_hash/x/y", b"managed")  # a real object: refused for where it is, not for being absent
    before = env.files()
    try:
        with pytest.raises(error, match=message) as info:
            env.table.insert([{"thing_id": 100, **GOOD, "fp": "user/present.bin"},
                              {"thing_id": 101, **GOOD, "fp": value}])
        assert "`fp`" in str(info.value) and "row 1" in str(info.value)
        if error is MissingFileError:
            assert isinstance(info.value, FileNotFoundError)
        elif error is StorePathError:
            assert isinstance(info.value, ValueError)
        env.assert_nothing_written(before)
    finally:
        store.delete("_hash/x/y")
    assert store.get("user/present.bin") == b"a file of the user"
