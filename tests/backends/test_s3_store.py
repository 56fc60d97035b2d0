"""Codec columns with objects on a real S3 server (SeaweedFS, started by this module on loopback).

The server is the session fixture ``s3_server`` (tests/conftest.py, tests/s3server.py).
"""

from __future__ import annotations

import numpy as np
import pytest

import dj_jupyter as dj
from dj_jupyter.errors import DataJointError
from dj_jupyter.stores import StoreAccessError, get_store
from tests.backends.codec_cases import CodecEnv, CodecTableContract, declare_tables
from tests.backends.conftest import (
    BACKENDS,
    drop_schema,
    fresh_schema_name,
    make_connection,
    require_backend,
)

from tests.s3server import ACCESS_KEY, SECRET_KEY


@pytest.fixture(scope="module", params=BACKENDS)
def env(request, s3_server, tmp_path_factory):
    require_backend(request.param)
    folder = tmp_path_factory.mktemp(f"s3codecs_{request.param}")
    for sub in ("files", "downloads"):
        (folder / sub).mkdir()
    conn = make_connection(request.param, folder)
    name = fresh_schema_name()
    stores = {"default": "lab", "lab": s3_server.store(access_key=ACCESS_KEY, secret_key=SECRET_KEY)}
    try:
        with dj.config.override(stores=stores, download_path=str(folder / "downloads")):
            schema = dj.Schema(name, connection=conn)
            yield CodecEnv(request.param, schema, declare_tables(schema, "lab"), "lab", folder / "files",
                           folder / "downloads")
            store = get_store("lab")
            for path in store.list():
                store.delete(path)
    finally:
        drop_schema(conn, name)
        conn.close_all()


class TestS3Store(CodecTableContract):
    """The contract on an S3 store."""


def test_objects_are_in_the_bucket(env, s3_server):
    env.tables["Objects"].insert1({"obj_id": 9500, "h": b"in the bucket"})
    store = env.store
    from dj_jupyter.codecs.hashing import content_hash

    path = f"_hash/{env.schema.database}/{content_hash(b'in the bucket')}"
    assert store.fs.cat_file(f"{s3_server.bucket}/{store.spec.location}/{path}") == b"in the bucket"
    assert store.get_range(path, 3, 3) == b"the" and store.size(path) == 13


def _insert_with_store(env: CodecEnv, spec: dict, key: int) -> None:
    """Insert one <blob@> row with ``spec`` as the default store; its objects are removed afterwards."""
    with dj.config.override(stores={"default": "other", "other": spec}):
        try:
            env.tables["Objects"].insert1({"obj_id": key, "bs": np.arange(4)})
        finally:
            _empty(dict(spec, access_key=ACCESS_KEY, secret_key=SECRET_KEY))


def _empty(spec: dict) -> None:
    with dj.config.override(stores={"cleanup": spec}):
        store = get_store("cleanup")
        for path in store.list():
            store.delete(path)


def test_missing_secret_key_is_a_clear_error(env, s3_server):
    spec = s3_server.store(access_key=ACCESS_KEY)
    with pytest.raises(DataJointError, match="has access_key but no secret_key") as info:
        _insert_with_store(env, spec, 9600)
    assert ".secrets/stores.other.secret_key" in str(info.value)
    assert len(env.tables["Objects"] & {"obj_id": 9600}) == 0


def test_wrong_credentials_write_nothing(env, s3_server):
    spec = s3_server.store(access_key=ACCESS_KEY, secret_key="wrong")
    with pytest.raises(StoreAccessError, match="Check its credentials"):
        _insert_with_store(env, spec, 9700)
    assert len(env.tables["Objects"] & {"obj_id": 9700}) == 0
    with dj.config.override(stores={"x": dict(spec, secret_key=SECRET_KEY)}):
        assert get_store("x").list() == []


def test_credentials_from_secrets_folder(env, s3_server, tmp_path, monkeypatch):
    secrets = tmp_path / ".secrets"
    secrets.mkdir()
    (secrets / "stores.other.access_key").write_text(ACCESS_KEY)
    (secrets / "stores.other.secret_key").write_text(SECRET_KEY + "\n")
    monkeypatch.chdir(tmp_path)
    spec = s3_server.store()
    with dj.config.override(stores={"default": "other", "other": spec}):
        assert get_store().spec.access_key == ACCESS_KEY
        env.tables["Objects"].insert1({"obj_id": 9800, "bs": np.arange(4)})
        np.testing.assert_array_equal((env.tables["Objects"] & {"obj_id": 9800}).fetch1("bs"), np.arange(4))
        assert len(get_store().list()) == 1
    _empty(dict(spec, access_key=ACCESS_KEY, secret_key=SECRET_KEY))
