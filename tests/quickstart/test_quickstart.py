"""The Quick Start runs verbatim: with no configuration (SQLite), and against MariaDB and PostgreSQL
configured only through datajoint.json + .secrets/, or only through DJ_* environment variables.

Each case runs the script in a fresh interpreter in an empty folder, as a newcomer would.
The Quick Start's schema name is fixed (`my_pipeline`): a server that already holds a
`my_pipeline` the tests did not create is left alone and the test fails with a clear reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.backends.conftest import require_backend

SCRIPT = Path(__file__).with_name("quickstart.py")
EXPECTED = "RESULT [{'subject_id': 1, 'session_idx': 1, 'result': 42.0}]"


def _clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}
    env.update(extra)
    return env


def _run(folder: Path, env: dict) -> str:
    proc = subprocess.run([sys.executable, str(SCRIPT)], cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"Quick Start failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _server_connection(backend: str):
    import dj_jupyter as dj

    if backend == "mysql":
        return dj.Connection("127.0.0.1", "root", "", backend="mysql")
    return dj.Connection("127.0.0.1", "postgres", None, backend="postgresql")


def _ensure_absent(backend: str) -> None:
    c = _server_connection(backend)
    try:
        if c.catalog.schema_exists("my_pipeline"):
            pytest.fail(f"A schema `my_pipeline` already exists on the {backend} server; the Quick Start test "
                        "will not drop what it did not create. Remove it by hand to run this test.")
    finally:
        c.close()


def _drop(backend: str) -> None:
    c = _server_connection(backend)
    try:
        q = c.dialect.quote("my_pipeline")
        c.query(f"DROP DATABASE IF EXISTS {q}" if backend == "mysql" else f"DROP SCHEMA IF EXISTS {q} CASCADE")
    finally:
        c.close()


def test_quickstart_with_no_configuration(tmp_path):
    out = _run(tmp_path, _clean_env())
    assert EXPECTED + " sqlite" in out
    assert (tmp_path / "dj_jupyter.db").exists(), "the embedded default database file is named in the README"


SERVERS = {
    "mysql": {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""},
    "postgresql": {"host": "127.0.0.1", "port": 5432, "user": "postgres", "password": ""},
}


@pytest.mark.parametrize("backend", ["mysql", "postgresql"])
def test_quickstart_with_datajoint_json_and_secrets(tmp_path, backend):
    require_backend(backend)
    s = SERVERS[backend]
    database = {"host": s["host"], "port": s["port"]}
    if backend != "mysql":  # a configured host defaults to MySQL, as in DataJoint
        database["backend"] = backend
    (tmp_path / "datajoint.json").write_text(json.dumps({"database": database}))
    secrets = tmp_path / ".secrets"
    secrets.mkdir()
    (secrets / "database.user").write_text(s["user"])
    (secrets / "database.password").write_text(s["password"])
    _ensure_absent(backend)
    try:
        out = _run(tmp_path, _clean_env())
        assert EXPECTED + f" {backend}" in out
        assert not (tmp_path / "dj_jupyter.db").exists()
    finally:
        _drop(backend)


@pytest.mark.parametrize("backend", ["mysql", "postgresql"])
def test_quickstart_with_environment_variables(tmp_path, backend):
    require_backend(backend)
    s = SERVERS[backend]
    env = _clean_env(DJ_HOST=f"{s['host']}:{s['port']}", DJ_USER=s["user"], DJ_PASS=s["password"])
    if backend != "mysql":
        env["DJ_BACKEND"] = backend
    _ensure_absent(backend)
    try:
        out = _run(tmp_path, env)
        assert EXPECTED + f" {backend}" in out
    finally:
        _drop(backend)
