"""Fixtures of the browser tests: one JupyterLab server and one headless Chromium per session.

Usage in a test module (mark it ``pytestmark = pytest.mark.browser``)::

    def test_something(open_notebook):
        nb = open_notebook("demo.ipynb", ["import dj_jupyter as dj", "dj.__version__"])
        nb.run_cell(1)
        assert "0." in nb.output(1).inner_text()
        nb.screenshot("after-run")

``open_notebook`` writes the notebook into the server's root folder (``lab_server.root``,
also the kernels' working directory, with a ``datajoint.json`` choosing the SQLite file
``lab_server.root / "dj_jupyter.db"``, which tests may open too),
opens it in a new tab, waits for ``| Idle``, and closes the tab and ends its kernel
after the test.  Screenshots go to ``test-artifacts/screenshots/<test name>/``.

Without Chromium (``/usr/bin/chromium``), playwright or jupyterlab the tests are
skipped, and fail with ``CI=true``.  Playwright's own browser download is never used.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.browser.lab import ARTIFACTS, LabServer, NotebookPage, launch_chromium, missing_requirements, write_notebook

DATABASE = "dj_jupyter.db"


def _require_browser() -> None:
    problem = missing_requirements()
    if problem is None:
        return
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"browser tests cannot run: {problem}; CI must run them", pytrace=False)
    pytest.skip(f"browser tests skipped: {problem}")


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """``jupyter lab`` on loopback for the session; ``lab_server.root`` is the folder it serves."""
    _require_browser()
    root = tmp_path_factory.mktemp("lab-root")
    (root / "datajoint.json").write_text(json.dumps({"database": {"backend": "sqlite", "name": DATABASE}}))
    server = LabServer(root, tmp_path_factory.mktemp("lab-home")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    """A headless Debian Chromium driven by Playwright (a persistent context) for the session."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    context = launch_chromium(playwright, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield context
    finally:
        context.close()
        playwright.stop()


@pytest.fixture
def screenshot_dir(request) -> Path:
    """``test-artifacts/screenshots/<test name>/`` (printed at the end of the test)."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    yield folder
    if folder.exists():
        print(f"\nscreenshots: {folder}")


@pytest.fixture
def open_notebook(lab_server, chromium, screenshot_dir):
    """``open_notebook(name, cells) -> NotebookPage``: write a notebook of ``cells``, open it, wait for the kernel."""
    pages: list[NotebookPage] = []

    def open_(name: str, cells: list[str]) -> NotebookPage:
        (lab_server.root / name).parent.mkdir(parents=True, exist_ok=True)
        write_notebook(lab_server.root / name, cells)
        page = NotebookPage(chromium.new_page(), lab_server, name, screenshot_dir)
        pages.append(page)
        return page.open()

    yield open_
    for page in pages:
        page.close()
    lab_server.shutdown_kernels()


def pytest_terminal_summary(terminalreporter):
    """Say where the screenshots are (without xdist; with it, see test-artifacts/screenshots/)."""
    if ARTIFACTS.exists() and any(ARTIFACTS.iterdir()):
        terminalreporter.write_line(f"browser test screenshots: {ARTIFACTS}")
