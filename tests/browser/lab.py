"""JupyterLab on loopback and a notebook page in headless Chromium, for the browser tests.

:class:`LabServer` starts ``jupyter lab`` with its own config/data/runtime/IPython
folders, a token and a free port; :class:`NotebookPage` drives one notebook in a
Playwright page (wait for the kernel, run cells, read outputs, save screenshots).
The fixtures in ``conftest.py`` put them together; nothing here is a pytest fixture.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("DJ_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("DJ_TEST_ARTIFACTS", REPO / "test-artifacts")) / "screenshots"


def missing_requirements() -> str | None:
    """Why the browser tests cannot run here (no chromium, playwright or jupyterlab), or None."""
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    for module in ("playwright", "jupyterlab"):
        try:
            __import__(module)
        except ImportError:
            return f"the Python package {module!r} is not installed (pip install -e '.[test]')"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_notebook(path: Path, cells: list[str]) -> Path:
    """Write a notebook of code cells (a cell starting with ``"# md\\n"`` becomes Markdown) to ``path``."""
    def cell(source: str) -> dict:
        if source.startswith("# md\n"):
            return {"cell_type": "markdown", "metadata": {}, "source": source[5:]}
        return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}

    notebook = {"nbformat": 4, "nbformat_minor": 5, "cells": [cell(c) for c in cells],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return path


class LabServer:
    """``jupyter lab`` on 127.0.0.1 serving ``root``, isolated from the user's Jupyter and IPython settings.

    Parameters
    ----------
    root : Path
        The folder the server shows (notebooks are written there).
    home : Path
        A scratch folder for the server's config, data, runtime and IPython folders and its log.
    extra_env : dict, optional
        More environment variables for the server and its kernels.
    """

    def __init__(self, root: Path, home: Path, extra_env: dict | None = None) -> None:
        self.root, self.home = Path(root), Path(home)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.home / "jupyter-lab.log"
        self.env = self._environment(extra_env or {})
        self._process: subprocess.Popen | None = None

    def _environment(self, extra: dict) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJ_")}  # the notebooks' datajoint.json decides
        for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR"):
            folder = self.home / name.lower()
            folder.mkdir(parents=True, exist_ok=True)
            env[name] = str(folder)
        env.pop("JUPYTER_PATH", None)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
        env.update(extra)
        return env

    def start(self, timeout: float = 60.0) -> LabServer:
        command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={self.port}",
                   "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={self.token}", "--allow-root",
                   f"--ServerApp.root_dir={self.root}", "--ServerApp.port_retries=0", "--LabApp.news_url=None",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                   "--LabApp.expose_app_in_browser=True"]
        log = self.log_path.open("wb")
        self._process = subprocess.Popen(command, cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self._process.returncode}; its log:\n{self.log_tail()}")
            try:
                self.api("status")
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer on {self.url} within {timeout} s; its log:\n{self.log_tail()}")

    def api(self, path: str, method: str = "GET") -> Any:
        """Call the server's REST API (``/api/<path>``) with the token; returns the decoded JSON (or None)."""
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def notebook_url(self, name: str) -> str:
        """The notebook ``name`` alone in a fresh workspace (no tabs restored from earlier tests)."""
        return f"{self.url}/lab/workspaces/{secrets.token_hex(6)}/tree/{name}?reset&token={self.token}"

    def shutdown_kernels(self) -> None:
        """End every kernel the server runs (after a test, so kernels do not pile up)."""
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)


def launch_chromium(playwright: Any, profile: Path) -> Any:
    """A headless Debian Chromium (never a downloaded one) as a Playwright persistent context."""
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900})


class NotebookPage:
    """One notebook open in JupyterLab in a browser tab.

    Parameters
    ----------
    page : playwright Page
    server : LabServer
    name : str
        The notebook's file name, relative to the server's root.
    shots : Path
        Where :meth:`screenshot` saves PNGs.
    """

    def __init__(self, page: Any, server: LabServer, name: str, shots: Path) -> None:
        self.page, self.server, self.name, self.shots = page, server, name, shots
        self.console: list[str] = []
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))

    # ------------------------------------------------------------------ opening
    def open(self, timeout: float = 60.0) -> NotebookPage:
        """Open the notebook and wait until its kernel is idle (the status bar reads ``| Idle``)."""
        self.page.goto(self.server.notebook_url(self.name))
        self.page.wait_for_selector(".jp-Notebook", timeout=timeout * 1000)
        self.dismiss_toasts()
        self.wait_idle(timeout)
        self.page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # more room for the notebook
        return self

    def dismiss_toasts(self) -> None:
        button = self.page.locator(".jp-toast-button:has-text('No')")
        if button.count():
            button.first.click()

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Wait for the kernel to be connected and idle."""
        self.page.locator(".jp-StatusBar-TextItem", has_text="| Idle").first.wait_for(timeout=timeout * 1000)

    # ------------------------------------------------------------------ cells
    def cell(self, index: int) -> Any:
        """The locator of code or markdown cell ``index`` (0-based, in notebook order)."""
        return self.page.locator(".jp-Notebook .jp-Cell").nth(index)

    def output(self, index: int) -> Any:
        """The output area of cell ``index``."""
        return self.cell(index).locator(".jp-OutputArea")

    def output_text(self, index: int) -> str:
        """The text of cell ``index``'s outputs (without the ``[n]:`` prompt)."""
        return "\n".join(self.output(index).locator(".jp-OutputArea-output").all_inner_texts()).strip()

    def prompt(self, index: int) -> str:
        """Cell ``index``'s prompt: ``"[ ]:"`` (never ran), ``"[*]:"`` (running) or ``"[n]:"``."""
        return (self.cell(index).locator(".jp-InputArea-prompt").text_content() or "").strip()

    def finished(self, index: int, run: str | None = None) -> bool:
        """Whether run ``run`` (from :meth:`run_cell`) of cell ``index`` ended; without ``run``: whether the
        cell shows an execution number (it ran, and is not running now)."""
        if run is not None:
            return self.page.evaluate("(run) => window.__djRuns?.[run] !== 'running'", run)
        return re.fullmatch(r"\[\d+\]:", self.prompt(index)) is not None

    def run_cell(self, index: int, *, wait: bool = True, timeout: float = 60.0) -> str:
        """Run cell ``index`` as Shift+Enter does; wait until it finished unless ``wait=False``.

        Returns the id of this run (pass it to :meth:`finished` or :meth:`wait_cell`).
        """
        run = secrets.token_hex(6)
        self.page.evaluate(
            """([path, index, run]) => {
                 const app = window.jupyterapp;
                 const panel = Array.from(app.shell.widgets('main')).find((w) => w.context?.path === path);
                 app.shell.activateById(panel.id);
                 panel.content.activeCellIndex = index;
                 panel.content.deselectAll();
                 const runs = (window.__djRuns ??= {});
                 runs[run] = 'running';
                 // the command's promise settles when the kernel has answered the execution
                 app.commands.execute('notebook:run-cell').then(
                   () => { runs[run] = 'done'; }, (error) => { runs[run] = `failed: ${error}`; });
               }""", [self.name, index, run])
        if wait:
            self.wait_cell(index, run, timeout)
        return run

    def wait_cell(self, index: int, run: str | None = None, timeout: float = 60.0) -> None:
        """Wait until run ``run`` of cell ``index`` ended (see :meth:`finished`); fail on an error output."""
        deadline = time.monotonic() + timeout
        while not self.finished(index, run):
            if time.monotonic() > deadline:
                raise AssertionError(f"cell {index} did not finish within {timeout} s; {self.describe_errors()}")
            self.page.wait_for_timeout(50)
        error = self.output(index).locator("[data-mime-type='application/vnd.jupyter.stderr']")
        if error.count() and "Traceback" in (error.first.text_content() or ""):
            raise AssertionError(f"cell {index} raised:\n{error.first.text_content()}")

    def run_cells(self, indices: Any, timeout: float = 60.0) -> None:
        for index in indices:
            self.run_cell(index, timeout=timeout)

    def widget(self, index: int, selector: str, timeout: float = 30.0) -> Any:
        """The element ``selector`` inside cell ``index``'s output, once it is drawn."""
        locator = self.output(index).locator(selector).first
        locator.wait_for(timeout=timeout * 1000)
        return locator

    # ------------------------------------------------------------------ theme, saved outputs
    def set_theme(self, theme: str) -> None:
        """Switch JupyterLab's theme (``"JupyterLab Light"``, ``"JupyterLab Dark"``) and wait until the page shows it."""
        light = "true" if "Light" in theme else "false"
        self.page.evaluate("(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme)
        self.page.wait_for_selector(f"body[data-jp-theme-light='{light}']", state="attached", timeout=20_000)

    def save(self) -> dict:
        """Save the notebook (as Ctrl+S does) and return the saved file's JSON."""
        self.page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        path = self.server.root / self.name
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            notebook = json.loads(path.read_text(encoding="utf-8"))
            if any(cell.get("outputs") for cell in notebook["cells"]):
                return notebook
            time.sleep(0.1)
        raise AssertionError(f"{self.name} was not saved with its outputs")

    # ------------------------------------------------------------------ artifacts
    def screenshot_path(self, name: str) -> Path:
        """``<shots>/<name>.png`` (the folder is created)."""
        self.shots.mkdir(parents=True, exist_ok=True)
        return self.shots / f"{name}.png"

    def screenshot(self, name: str, target: Any = None) -> Path:
        """Save a PNG of ``target`` (a locator; default the whole page) as ``<shots>/<name>.png``."""
        path = self.screenshot_path(name)
        (target or self.page).screenshot(path=str(path))
        return path

    def describe_errors(self) -> str:
        """The browser console's errors and warnings, for failure messages."""
        lines = [line for line in self.console if line.startswith(("error", "pageerror", "warning"))]
        return "browser console:\n" + "\n".join(lines[-20:]) if lines else "no browser console errors"

    def close(self) -> None:
        self.page.close()


def text_contrast(locator: Any) -> float:
    """WCAG contrast ratio of an element's text colour against the first opaque background behind it."""
    fg, bg = locator.evaluate("""(el) => {
        const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
        let node = el, bg = [255, 255, 255];
        while (node && node.nodeType === 1) {
          const c = rgb(getComputedStyle(node).backgroundColor);
          if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) { bg = c.slice(0, 3); break; }
          node = node.parentElement;
        }
        return [rgb(getComputedStyle(el).color).slice(0, 3), bg];
      }""")
    return contrast(fg, bg)


def contrast(a: Any, b: Any) -> float:
    """WCAG contrast ratio of two colours given as ``[r, g, b]`` (0-255) or ``"#rrggbb"``."""
    def luminance(color: Any) -> float:
        if isinstance(color, str):
            color = [int(color.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]
        linear = [(v / 255) / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in color]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)

