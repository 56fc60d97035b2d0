"""The JupyterLab extension (``labextension/``): its JavaScript unit tests (jest via ``jlpm test``), and its installation.

They cover the highlighting tokenizer and the placing of the kernel's problems in a cell.
With CI=true failing to run them is a failure; locally they are skipped when node or jlpm
is missing.  ``jlpm install`` runs first when ``node_modules`` is missing (the package
build, ``pip install -e .``, normally did it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXTENSION = Path(__file__).parents[2] / "labextension"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{reason}; CI must run the extension's JavaScript tests", pytrace=False)
    pytest.skip(reason)


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=EXTENSION, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "FORCE_COLOR": "0"})


def test_jest_suite_of_the_labextension_passes():
    for tool in ("node", "jlpm"):
        if shutil.which(tool) is None:
            _unavailable(f"`{tool}` is not on PATH")
    if not (EXTENSION / "node_modules" / ".bin" / "jest").exists():
        installed = _run(["jlpm", "install"])
        if installed.returncode != 0:
            _unavailable(f"jlpm install failed in {EXTENSION}:\n{installed.stdout[-3000:]}{installed.stderr[-3000:]}")
    result = _run(["jlpm", "test", "--ci", "--colors=false"])
    report = result.stdout + result.stderr
    assert result.returncode == 0, f"jest failed in {EXTENSION}:\n{report[-6000:]}"
    assert "Tests:" in report and "failed" not in report.split("Tests:")[-1].splitlines()[0]


def test_the_installed_extension_is_listed_enabled():
    """``pip install`` (editable or not) ships the built extension where JupyterLab finds it."""
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        _unavailable("jupyterlab is not installed")
    result = subprocess.run([sys.executable, "-m", "jupyter", "labextension", "list"], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "NO_COLOR": "1"})
    listing = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    line = next((entry for entry in listing.splitlines() if "dj-jupyter-labextension" in entry), None)
    assert line is not None, f"dj-jupyter-labextension is not installed (pip install -e .):\n{listing}"
    assert "enabled" in line and "OK" in line, line
