"""The notebook widgets drawn by JupyterLab in headless Chromium, checked against the database.

Each test writes a notebook that declares a small pipeline in its own schema (in the
SQLite file the server's ``datajoint.json`` names; the preview test also on MariaDB),
runs it in a real kernel, clicks the widgets, and compares what the page shows with SQL
run here on the same database (plain ``sqlite3`` / ``pymysql``: no dj_jupyter code on
the checking side).  Screenshots of every
step go to ``test-artifacts/screenshots/<test>/``.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import time
from contextlib import closing

import pytest

from tests.browser.lab import contrast, text_contrast

pytestmark = pytest.mark.browser

N_SUBJECTS, N_TRIALS = 4, 15          # 60 trials: 6 pages of 10
N_METHODS = 2                         # Result: one key per trial and method
PARTS = 3                             # Result.Detail rows per Result key


def pipeline_cells(schema: str, delay: float = 0.0, fail_trial: int = 0) -> list[str]:
    """Cells declaring and filling the test pipeline in ``schema``.

    ``Result.make`` sleeps ``delay`` s per key, and raises for trial ``fail_trial``.
    """
    return [
        f"""import time
import numpy as np
import dj_jupyter as dj
from dj_jupyter.jupyter.widgets import PipelineView, populate_in_background
%load_ext dj_jupyter
schema = dj.Schema({schema!r})""",
        f"""@schema
class Subject(dj.Manual):
    definition = '''
    subject_id : uint16
    ---
    species : varchar(16)
    '''

@schema
class Method(dj.Lookup):
    definition = '''
    method_id : uint8
    ---
    method_name : varchar(16)
    '''
    contents = [(1, 'threshold'), (2, 'template')]

@schema
class Trial(dj.Manual):
    definition = '''
    -> Subject
    trial : uint16
    ---
    score : float64      # a made-up score
    signal : <blob>
    '''

@schema
class Result(dj.Computed):
    definition = '''
    -> Trial
    -> Method
    ---
    value : float64
    '''

    class Detail(dj.Part):
        definition = '''
        -> master
        part : uint8
        ---
        weight : float64
        '''

    def make(self, key):
        time.sleep({delay})
        if key['trial'] == {fail_trial}:
            raise ValueError(f"trial {{key['trial']}} is broken")
        self.insert1({{**key, 'value': key['trial'] * key['method_id']}})
        self.Detail.insert({{**key, 'part': p, 'weight': p / 10}} for p in range({PARTS}))

Subject.insert(({{'subject_id': s, 'species': 'mouse' if s % 2 else 'rat'}} for s in range(1, {N_SUBJECTS + 1})),
               skip_duplicates=True)
Trial.insert(({{'subject_id': s, 'trial': t, 'score': (s * 37 + t * 11) % 23 + t / 100, 'signal': np.zeros(3)}}
              for s in range(1, {N_SUBJECTS + 1}) for t in range(1, {N_TRIALS + 1})), skip_duplicates=True)""",
    ]


def sql(server, query: str, backend: str = "sqlite") -> list[tuple]:
    """Rows of ``query`` as tuples of the strings the preview shows: on the notebooks' SQLite file, or on MariaDB."""
    if backend == "mysql":
        import pymysql

        with closing(pymysql.connect(**MARIADB)) as db, db.cursor() as cursor:
            cursor.execute(query)
            return [tuple(str(v) for v in row) for row in cursor.fetchall()]
    with closing(sqlite3.connect(server.root / "dj_jupyter.db", timeout=30)) as db:
        return [tuple(str(v) for v in row) for row in db.execute(query)]


MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}


def notebook_folder(lab_server, backend: str) -> str:
    """The folder (under the server's root) of the notebooks of ``backend``: its own ``datajoint.json``.

    SQLite notebooks sit in the root (its datajoint.json names the SQLite file); MariaDB
    notebooks in ``mariadb/``, whose datajoint.json points at the test server.  An
    unreachable MariaDB skips the test (fails it with ``CI=true``).
    """
    if backend == "sqlite":
        return ""
    try:
        sql(lab_server, "SELECT 1", backend)
    except Exception as exc:  # noqa: BLE001 - any reason the server cannot be used
        message = f"the MariaDB test server is not reachable ({exc})"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(message + "; in CI every backend must be up", pytrace=False)
        pytest.skip(message)
    folder = lab_server.root / "mariadb"
    folder.mkdir(exist_ok=True)
    (folder / "datajoint.json").write_text(json.dumps({"database": {
        "backend": "mysql", "host": f"{MARIADB['host']}:{MARIADB['port']}", "user": MARIADB["user"], "use_tls": False}}))
    return "mariadb/"


@pytest.fixture(params=["sqlite", "mysql"])
def backend(request, lab_server):
    """``(backend, folder, table reference)``: where a test's notebook goes and how SQL names its tables."""
    folder = notebook_folder(lab_server, request.param)
    if request.param == "sqlite":
        yield request.param, folder, lambda schema, table: f'"{schema}.{table}"'
        return
    yield request.param, folder, lambda schema, table: f"`{schema}`.`{table}`"
    sql(lab_server, "DROP DATABASE IF EXISTS `djtest_browser_preview`", "mysql")  # only this test's schema


def shown_rows(table) -> list[tuple]:
    """The body rows of a preview's table element, as tuples of cell texts."""
    return [tuple(cells) for cells in table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent))")]


def joined(value) -> str:
    """A saved output's text (nbformat may store it as a list of lines)."""
    return "".join(value) if isinstance(value, list) else value


def wait_for(condition, what: str, nb, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; {nb.describe_errors()}")
        nb.page.wait_for_timeout(50)


# ---------------------------------------------------------------------- previews
def test_preview_pages_and_sorts_in_the_database(open_notebook, lab_server, backend):
    backend, folder, table_ref = backend
    schema = "djtest_browser_preview" if backend == "mysql" else "browser_preview"
    if backend == "mysql":
        sql(lab_server, f"DROP DATABASE IF EXISTS `{schema}`", backend)  # left by an interrupted run
    nb = open_notebook(f"{folder}preview.ipynb", [*pipeline_cells(schema), "Trial()"])
    nb.run_cells(range(3))
    preview = nb.widget(2, ".djw-preview:not(.djw-static)")
    table = preview.locator("table")
    select = f"SELECT subject_id, trial, score, '<blob>' FROM {table_ref(schema, 'trial')}"
    query = functools.partial(sql, lab_server, backend=backend)

    wait_for(lambda: "Total: 60" in preview.inner_text(), "the row count", nb)
    assert shown_rows(table) == query(f"{select} ORDER BY subject_id, trial LIMIT 10")
    nb.screenshot("1-first-page", nb.output(2))

    preview.locator("button[title='next page']").click()
    wait_for(lambda: "page 2 of 6" in preview.inner_text(), "page 2", nb)
    assert shown_rows(table) == query(f"{select} ORDER BY subject_id, trial LIMIT 10 OFFSET 10")
    nb.screenshot("2-page-2", nb.output(2))

    preview.locator("th", has_text="score").click()
    wait_for(lambda: preview.locator("th.djw-sorted-asc").count(), "the ascending sort", nb)
    expected = query(f"{select} ORDER BY score, subject_id, trial LIMIT 10")
    wait_for(lambda: shown_rows(table) == expected, "rows sorted by score", nb)
    assert "page 1 of 6" in preview.inner_text()
    nb.screenshot("3-sorted-by-score", nb.output(2))

    preview.locator("th", has_text="score").click()
    expected = query(f"{select} ORDER BY score DESC, subject_id, trial LIMIT 10")
    wait_for(lambda: shown_rows(table) == expected, "rows sorted by score, descending", nb)
    preview.locator("button[title='next page']").click()
    expected = query(f"{select} ORDER BY score DESC, subject_id, trial LIMIT 10 OFFSET 10")
    wait_for(lambda: shown_rows(table) == expected, "page 2 sorted by score, descending", nb)
    assert preview.locator("th.djw-sorted-desc").inner_text().startswith("score")
    nb.screenshot("4-descending-page-2", nb.output(2))

    preview.locator("button[title='last page']").click()
    expected = query(f"{select} ORDER BY score DESC, subject_id, trial LIMIT 10 OFFSET 50")
    wait_for(lambda: shown_rows(table) == expected, "the last page", nb)
    assert preview.locator("button[title='next page']").is_disabled()

    # the static fallback saved with the output (GitHub, nbviewer): the first page as a plain HTML table
    data = nb.save()["cells"][2]["outputs"][0]["data"]
    static = nb.page.context.new_page()
    try:
        static.set_content(joined(data["text/html"]))
        rows = shown_rows(static.locator("table.djw-table"))
        assert rows[:10] == query(f"{select} ORDER BY subject_id, trial LIMIT 10") and rows[10] == ("\u2026",)
        assert "Total: 60" in static.inner_text("body")
        static.screenshot(path=str(nb.screenshot_path("5-static-html-fallback")))
    finally:
        static.close()


# ---------------------------------------------------------------------- the diagram
def test_diagram_draws_every_table_and_previews_the_clicked_one(open_notebook, lab_server):
    schema = "browser_diagram"
    nb = open_notebook("diagram.ipynb", [*pipeline_cells(schema), "view = PipelineView(dj.Diagram(schema))\nview"])
    nb.run_cells(range(3))
    diagram = nb.widget(2, ".djw-diagram")
    tables = sql(lab_server, f"SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '{schema}.%'"
                             " AND name NOT LIKE '%.~%'")
    nodes = diagram.locator(".djw-node")
    assert nodes.count() == len(tables) == 5
    assert sorted(nodes.evaluate_all("ns => ns.map(n => n.dataset.table)")) == sorted(t for (t,) in tables)
    labels = dict(zip(nodes.evaluate_all("ns => ns.map(n => n.dataset.table)"),
                      nodes.evaluate_all("ns => ns.map(n => n.querySelector('.djw-label').textContent)")))
    assert labels[f"{schema}.__result__detail"] == "Result.Detail"
    nb.screenshot("1-diagram", nb.output(2))

    trial = diagram.locator(f".djw-node[data-table='{schema}.trial']")
    trial.hover()
    tooltip = diagram.locator(".djw-tooltip")
    wait_for(lambda: tooltip.is_visible() and "score" in tooltip.inner_text(), "the definition on hover", nb)
    nb.screenshot("2-hover-definition", nb.output(2))

    trial.click()
    preview = nb.widget(2, ".djw-preview")
    expected = sql(lab_server, f"SELECT subject_id, trial, score, '<blob>' FROM \"{schema}.trial\" "
                               "ORDER BY subject_id, trial LIMIT 10")
    assert shown_rows(preview.locator("table")) == expected
    assert "djw-selected" in trial.get_attribute("class")
    classes = lambda table: diagram.locator(f".djw-node[data-table='{schema}.{table}']").get_attribute("class")
    assert "djw-ancestor" in classes("subject")
    assert "djw-descendant" in classes("__result") and "djw-descendant" in classes("__result__detail")
    assert "djw-dim" in classes("#method")
    nb.screenshot("3-clicked-trial", nb.output(2))

    diagram.locator(f".djw-node[data-table='{schema}.#method']").click()
    expected = sql(lab_server, f"SELECT method_id, method_name FROM \"{schema}.#method\" ORDER BY method_id")
    wait_for(lambda: shown_rows(nb.output(2).locator(".djw-preview table")) == expected, "Method's rows", nb)
    nb.screenshot("4-clicked-method", nb.output(2))

    # a plain wheel scrolls the notebook (not the diagram); Ctrl + wheel zooms; a drag pans without selecting
    world = diagram.locator(".djw-world")
    scroller = nb.page.locator(".jp-NotebookPanel .jp-WindowedPanel-outer")
    trial.hover()
    top = scroller.evaluate("el => el.scrollTop")
    nb.page.mouse.wheel(0, -100 if top > 0 else 100)  # up when it can: it may be scrolled to the end
    wait_for(lambda: scroller.evaluate("el => el.scrollTop") != top, "the notebook to scroll", nb)
    assert world.get_attribute("transform") == "translate(0,0) scale(1)"
    trial.scroll_into_view_if_needed()
    trial.hover()
    nb.page.keyboard.down("Control")
    nb.page.mouse.wheel(0, -400)
    nb.page.keyboard.up("Control")
    wait_for(lambda: "scale(1)" not in world.get_attribute("transform"), "the wheel zoom", nb)
    box = trial.bounding_box()
    nb.page.mouse.move(box["x"] + 5, box["y"] + 5)
    nb.page.mouse.down()
    nb.page.mouse.move(box["x"] + 60, box["y"] + 40, steps=5)
    nb.page.mouse.up()
    nb.page.wait_for_timeout(300)
    assert "djw-selected" in classes("#method") and "djw-selected" not in classes("trial")
    nb.screenshot("5-zoomed-and-panned", nb.output(2))
    diagram.locator("button[title='reset view']").click()
    assert world.get_attribute("transform") == "translate(0,0) scale(1)"

    # the keyboard selects too: focus a table, press Enter
    diagram.locator(f".djw-node[data-table='{schema}.subject']").focus()
    nb.page.keyboard.press("Enter")
    expected = sql(lab_server, f"SELECT subject_id, species FROM \"{schema}.subject\" ORDER BY subject_id")
    wait_for(lambda: shown_rows(nb.output(2).locator(".djw-preview table")) == expected, "Subject's rows", nb)
    assert nb.page.locator(".jp-Notebook.jp-mod-editMode").count() == 0  # the notebook did not take the Enter

    check_dark_theme(nb, diagram, schema)

    # the static fallback saved with the output: the SVG drawing, one node per table
    svg = joined(nb.save()["cells"][2]["outputs"][0]["data"]["image/svg+xml"])
    assert len(re.findall(r'<g class="dj-node ', svg)) == len(tables)


def check_dark_theme(nb, diagram, schema: str) -> None:
    """Under JupyterLab's dark theme the diagram is redrawn in the dark palette and every text stays readable."""
    from dj_jupyter.diagram.palette import EDGE, PALETTES

    manual = diagram.locator(f".djw-node[data-table='{schema}.subject'] .djw-shape")
    light = PALETTES["light"]["Manual"].fill
    assert manual.get_attribute("fill") == light
    try:
        nb.set_theme("JupyterLab Dark")
        dark = PALETTES["dark"]
        wait_for(lambda: manual.get_attribute("fill") == dark["Manual"].fill, "the dark palette", nb)
        assert diagram.locator(".djw-group").get_attribute("fill") == EDGE["dark"]["group"]
        for tier in ("Manual", "Lookup", "Computed", "Part"):
            assert contrast(dark[tier].text, dark[tier].fill) >= 4.5
        preview = nb.output(2).locator(".djw-preview")
        for cell in (preview.locator("th").first, preview.locator("td").first, preview.locator(".djw-page"),
                     diagram.locator(".djw-legend-item").first):
            assert text_contrast(cell) >= 4.5, cell
        nb.screenshot("6-dark-theme", nb.output(2))
    finally:
        nb.set_theme("JupyterLab Light")
    wait_for(lambda: manual.get_attribute("fill") == light, "the light palette again", nb)


# ---------------------------------------------------------------------- background populate
def progress_of(widget) -> tuple[int, int, str]:
    """(keys finished, total, state) as the populate widget shows them."""
    bar = widget.locator("[role=progressbar]")
    return int(bar.get_attribute("aria-valuenow")), int(bar.get_attribute("aria-valuemax")), \
        widget.get_attribute("data-state")


def test_background_populate_advances_while_another_cell_runs(open_notebook, lab_server):
    schema = "browser_populate"
    nb = open_notebook("populate.ipynb", [
        *pipeline_cells(schema, delay=0.08, fail_trial=13),
        "view = PipelineView(dj.Diagram(schema))\nview",
        "run = view.populate_in_background(Result, 'subject_id <= 2')\nrun",
        "for _ in range(20):\n    time.sleep(0.1)\nlen(Subject())",
    ])
    nb.run_cells(range(3))
    nb.run_cell(3)
    widget = nb.widget(3, ".djw-populate")
    other_cell = nb.run_cell(4, wait=False)
    seen = []
    while not nb.finished(4, other_cell):
        seen.append(progress_of(widget)[0])
        nb.page.wait_for_timeout(100)
        if len(seen) == 8:
            nb.screenshot("1-running-while-a-cell-runs")
    assert nb.output_text(4) == str(N_SUBJECTS)
    assert len(set(seen)) >= 3 and seen == sorted(seen), f"the bar did not advance during the other cell: {seen}"

    wait_for(lambda: progress_of(widget)[2] == "done", "the end of the run", nb, timeout=60)
    (keys,) = sql(lab_server, f'SELECT count(*) * {N_METHODS} FROM "{schema}.trial" WHERE subject_id <= 2')[0]
    (failing,) = sql(lab_server, f'SELECT count(*) * {N_METHODS} FROM "{schema}.trial" '
                                 'WHERE subject_id <= 2 AND trial = 13')[0]
    (results,) = sql(lab_server, f'SELECT count(*) FROM "{schema}.__result"')[0]
    (details,) = sql(lab_server, f'SELECT count(*) FROM "{schema}.__result__detail"')[0]
    assert progress_of(widget) == (int(keys), int(keys), "done")
    assert int(results) == int(keys) - int(failing) and int(details) == int(results) * PARTS
    assert f"{results} / {keys} done, {failing} failed" in widget.inner_text()
    badge = nb.output(2).locator(f".djw-node[data-table='{schema}.__result'] .djw-badge")
    wait_for(lambda: badge.text_content() != "" and not badge.text_content().startswith("running"),
             "the status painted on the diagram after the run", nb)
    nb.screenshot("2-done")

    errors = widget.locator(".djw-error-item")
    assert errors.count() == int(failing)
    assert "trial=13" in errors.first.inner_text() and "trial 13 is broken" in errors.first.inner_text()
    errors.first.locator("summary").click()
    traceback = errors.first.locator(".djw-traceback")
    wait_for(lambda: traceback.is_visible(), "the traceback", nb)
    assert "Traceback" in traceback.inner_text() and "ValueError: trial 13 is broken" in traceback.inner_text()
    nb.screenshot("3-traceback", nb.output(3))


def test_cancel_stops_a_background_populate_between_keys(open_notebook, lab_server):
    schema = "browser_cancel"
    nb = open_notebook("cancel.ipynb", [
        *pipeline_cells(schema, delay=0.25),
        "run = Result.populate(background=True, reserve_jobs=True)\nrun",   # displayed as its widget
        "from dj_jupyter.jupyter.widgets import JobsView\nJobsView(Result, interval=0.3)",
    ])
    nb.run_cells(range(4))
    widget = nb.widget(2, ".djw-populate")
    jobs = nb.widget(3, ".djw-jobs")
    wait_for(lambda: progress_of(widget)[0] >= 3, "three keys done", nb)
    # the jobs view polls the jobs table: the key being computed is reserved, by this host
    def reserved():  # read in one go: the view redraws at every poll
        return jobs.evaluate("""root => [root.querySelector('.djw-job-reserved').textContent,
                                         Array.from(root.querySelectorAll('tbody tr'), r => r.textContent)]""")

    wait_for(lambda: (lambda chip, rows: chip == "1 reserved" and len(rows) == 1 and "subject_id=" in rows[0])(
        *reserved()), "the reserved key, with its row", nb)
    nb.screenshot("1-before-cancel", nb.output(2))
    nb.screenshot("1-jobs-while-running", nb.output(3))
    widget.locator("button.djw-cancel").click()
    wait_for(lambda: progress_of(widget)[2] == "cancelled", "the cancelled state", nb)
    nb.screenshot("2-cancelled", nb.output(2))

    done, total, _ = progress_of(widget)
    (results,) = sql(lab_server, f'SELECT count(*) FROM "{schema}.__result"')[0]
    (details,) = sql(lab_server, f'SELECT count(*) FROM "{schema}.__result__detail"')[0]
    assert total == N_SUBJECTS * N_TRIALS * N_METHODS
    assert 3 <= done < total and int(results) == done and int(details) == done * PARTS
    time.sleep(0.6)  # longer than a key: nothing more arrives after the cancel
    assert sql(lab_server, f'SELECT count(*) FROM "{schema}.__result"')[0] == (results,)
    assert widget.locator("button.djw-cancel").count() == 0  # nothing left to cancel
    wait_for(lambda: jobs.locator(".djw-job-reserved").inner_text() == "0 reserved", "no key reserved", nb)
    nb.screenshot("3-jobs-after-cancel", nb.output(3))
