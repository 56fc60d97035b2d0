"""The notebook widgets drawn by JupyterLab in headless Chromium, checked against the database.

Each test writes a notebook that declares a small pipeline in its own schema (in the
SQLite file the server's ``datajoint.json`` names), runs it in a real kernel, clicks
the widgets, and compares what the page shows with SQL run here on the same file
(plain ``sqlite3``: no dj_jupyter code on the checking side).  Screenshots of every
step go to ``test-artifacts/screenshots/<test>/``.
"""

from __future__ import annotations

import re
import sqlite3
import time
from contextlib import closing

import pytest

pytestmark = pytest.mark.browser

N_SUBJECTS, N_TRIALS = 4, 15          # 60 trials: 6 pages of 10
N_METHODS = 2                         # Result: one key per trial and method
PARTS = 3                             # Result.Detail rows per Result key


def pipeline_cells(schema: str, delay: float = 0.0) -> list[str]:
    """Cells declaring and filling the test pipeline in ``schema``; ``Result.make`` sleeps ``delay`` s per key."""
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
        self.insert1({{**key, 'value': key['trial'] * key['method_id']}})
        self.Detail.insert({{**key, 'part': p, 'weight': p / 10}} for p in range({PARTS}))

Subject.insert(({{'subject_id': s, 'species': 'mouse' if s % 2 else 'rat'}} for s in range(1, {N_SUBJECTS + 1})),
               skip_duplicates=True)
Trial.insert(({{'subject_id': s, 'trial': t, 'score': (s * 37 + t * 11) % 23 + t / 100, 'signal': np.zeros(3)}}
              for s in range(1, {N_SUBJECTS + 1}) for t in range(1, {N_TRIALS + 1})), skip_duplicates=True)""",
    ]


def sql(server, query: str) -> list[tuple]:
    """Rows of ``query`` on the notebooks' SQLite file, as tuples of the strings the preview shows."""
    with closing(sqlite3.connect(server.root / "dj_jupyter.db", timeout=30)) as db:
        return [tuple(str(v) for v in row) for row in db.execute(query)]


def shown_rows(table) -> list[tuple]:
    """The body rows of a preview's table element, as tuples of cell texts."""
    return [tuple(cells) for cells in table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent))")]


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
def test_preview_pages_and_sorts_in_the_database(open_notebook, lab_server):
    schema = "browser_preview"
    nb = open_notebook("preview.ipynb", [*pipeline_cells(schema), "Trial()"])
    nb.run_cells(range(3))
    preview = nb.widget(2, ".djw-preview:not(.djw-static)")
    table = preview.locator("table")
    trial = f'"{schema}.trial"'
    select = f"SELECT subject_id, trial, score, '<blob>' FROM {trial}"

    wait_for(lambda: "Total: 60" in preview.inner_text(), "the row count", nb)
    assert shown_rows(table) == sql(lab_server, f"{select} ORDER BY subject_id, trial LIMIT 10")
    nb.screenshot("1-first-page", nb.output(2))

    preview.locator("button[title='next page']").click()
    wait_for(lambda: "page 2 of 6" in preview.inner_text(), "page 2", nb)
    assert shown_rows(table) == sql(lab_server, f"{select} ORDER BY subject_id, trial LIMIT 10 OFFSET 10")
    nb.screenshot("2-page-2", nb.output(2))

    preview.locator("th", has_text="score").click()
    wait_for(lambda: preview.locator("th.djw-sorted-asc").count(), "the ascending sort", nb)
    expected = sql(lab_server, f"{select} ORDER BY score, subject_id, trial LIMIT 10")
    wait_for(lambda: shown_rows(table) == expected, "rows sorted by score", nb)
    assert "page 1 of 6" in preview.inner_text()
    nb.screenshot("3-sorted-by-score", nb.output(2))

    preview.locator("th", has_text="score").click()
    expected = sql(lab_server, f"{select} ORDER BY score DESC, subject_id, trial LIMIT 10")
    wait_for(lambda: shown_rows(table) == expected, "rows sorted by score, descending", nb)
    preview.locator("button[title='next page']").click()
    expected = sql(lab_server, f"{select} ORDER BY score DESC, subject_id, trial LIMIT 10 OFFSET 10")
    wait_for(lambda: shown_rows(table) == expected, "page 2 sorted by score, descending", nb)
    assert preview.locator("th.djw-sorted-desc").inner_text().startswith("score")
    nb.screenshot("4-descending-page-2", nb.output(2))

    preview.locator("button[title='last page']").click()
    expected = sql(lab_server, f"{select} ORDER BY score DESC, subject_id, trial LIMIT 10 OFFSET 50")
    wait_for(lambda: shown_rows(table) == expected, "the last page", nb)
    assert preview.locator("button[title='next page']").is_disabled()
