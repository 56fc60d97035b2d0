"""The JupyterLab extension (``labextension/``) in headless Chromium: highlighting, validation as you type, the sidebar.

The extension must be installed where the server finds it (``pip install -e .`` ships it
under ``share/jupyter/labextensions``).  The notebook declares its tables with
``%%dj_table`` cells in a schema of its own, in the SQLite file of the server's
``datajoint.json``.  Screenshots go to ``test-artifacts/screenshots/<test>/``.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PLUGIN = "dj-jupyter-labextension:plugin"
NAME = "dj-jupyter-labextension"
BUILD = Path(__file__).parents[2] / "dj_jupyter" / "jupyter" / "labextension"
N_KEYS = 12
SIDEBAR = "#dj-jupyter-pipeline"


@pytest.fixture(scope="module", autouse=True)
def installed_extension():
    """The extension JupyterLab loads is the one built from this checkout (not an older installed copy)."""
    from jupyter_core.paths import jupyter_path

    installed = [Path(p) / NAME for p in jupyter_path("labextensions") if (Path(p) / NAME).is_dir()]
    assert installed, f"{NAME} is not installed: `pip install -e .` builds and installs it"
    built = BUILD / "package.json"
    if built.exists():
        entry = json.loads((installed[0] / "package.json").read_text())["jupyterlab"]["_build"]["load"]
        wanted = json.loads(built.read_text())["jupyterlab"]["_build"]["load"]
        assert entry == wanted, (f"the installed {NAME} ({installed[0]}) is not the build in {BUILD}: "
                                 "reinstall it with `pip install --no-deps -e .`")


def cells(schema: str) -> list[str]:
    return [
        f"import time\nimport dj_jupyter as dj\nfrom dj_jupyter.jupyter import populate_in_background\n"
        f"%load_ext dj_jupyter\nschema = dj.Schema({schema!r})",
        "%%dj_table Subject\n# experimental subjects\nsubject_id : uint16\n---\nname = '' : varchar(100)  # a name\n"
        "trace = null : <blob>\nunique index (name)",
        "%%dj_table Session\n-> Subject\nsession_idx : uint8\n---\nduration : float64",
        "def slow_make(self, key):\n    time.sleep(0.4)\n    if key['subject_id'] == 5:\n"
        "        raise ValueError('no signal for subject 5')\n    self.insert1({**key, 'value': 1.0})",
        "%%dj_table Score --tier computed --make slow_make\n-> Subject\n---\nvalue : float64",
        f"Subject.insert({{'subject_id': i, 'name': f's{{i}}'}} for i in range({N_KEYS}))",
        "run = populate_in_background(Score, reserve_jobs=True, suppress_errors=True)",
        "def slower_make(self, key):\n    time.sleep(0.6)\n    self.insert1({**key, 'value': 2.0})",
        "%%dj_table Tally --tier computed --make slower_make\n-> Subject\n---\nvalue : float64",
        "Tally.populate(suppress_errors=True)",
    ]


def editor(nb, index: int):
    return nb.cell(index).locator(".cm-content")


def token_texts(nb, index: int, kind: str) -> list[str]:
    return editor(nb, index).locator(f".cm-dj-{kind}").all_inner_texts()


def set_source(nb, index: int, source: str) -> None:
    nb.page.evaluate(
        """([path, index, source]) => {
             const panel = Array.from(window.jupyterapp.shell.widgets('main')).find((w) => w.context?.path === path);
             panel.content.widgets[index].model.sharedModel.setSource(source);
           }""", [nb.name, index, source])


def cell_source(nb, index: int) -> str:
    """The source of cell ``index`` from the notebook model (off-screen cells may not be drawn)."""
    return nb.page.evaluate(
        """([path, index]) => {
             const panel = Array.from(window.jupyterapp.shell.widgets('main')).find((w) => w.context?.path === path);
             const cell = panel.content.widgets[index];
             return cell ? cell.model.sharedModel.getSource() : null;
           }""", [nb.name, index])


def sidebar_progress(nb, table: str) -> str:
    item = nb.page.locator(f"{SIDEBAR} .dj-table[data-table='{table}'] .dj-progress-text")
    return item.first.inner_text() if item.count() else ""


def test_dj_table_cells_highlight_validate_and_fill_the_sidebar(open_notebook):
    schema = f"labext_{uuid.uuid4().hex[:8]}"
    nb = open_notebook("labext.ipynb", cells(schema))
    assert nb.page.evaluate(f"window.jupyterapp.hasPlugin({PLUGIN!r})"), (
        "the dj_jupyter JupyterLab extension is not installed: pip install -e . builds and installs it")

    # highlighting: the definition language's parts carry their classes (before anything runs)
    editor(nb, 1).locator(".cm-dj-type").first.wait_for(timeout=15000)
    assert token_texts(nb, 1, "magic") == ["%%dj_table"]
    assert token_texts(nb, 1, "class") == ["Subject"]
    assert token_texts(nb, 1, "comment") == ["# experimental subjects", "# a name"]
    assert token_texts(nb, 1, "name") == ["subject_id", "name", "trace", "name"]
    assert token_texts(nb, 1, "type") == ["uint16", "varchar(100)"]
    assert token_texts(nb, 1, "codec") == ["<blob>"]
    assert token_texts(nb, 1, "default") == ["''", "null"]
    assert token_texts(nb, 1, "divider") == ["---"]
    assert token_texts(nb, 1, "keyword") == ["unique", "index"]
    assert token_texts(nb, 2, "arrow") == ["->"] and token_texts(nb, 2, "reference") == ["Subject"]
    assert token_texts(nb, 0, "name") == []  # other cells are left alone
    nb.screenshot("highlighted", nb.cell(1))

    # references are checked against the notebook's variables, again after each cell runs
    nb.run_cell(0)
    subject_missing = editor(nb, 2).locator(".cm-dj-problem[title*='`Subject` is not defined in the notebook']")
    subject_missing.first.wait_for(timeout=15000)
    assert subject_missing.first.inner_text() == "Subject"
    nb.run_cell(1)
    subject_missing.first.wait_for(state="detached", timeout=15000)

    # validation as you type: the kernel's parser underlines every bad line before the cell runs
    prompt = nb.prompt(2)
    editor(nb, 2).click()
    nb.page.keyboard.press("Control+End")
    nb.page.keyboard.type("\nweight : flaot64  # grams\nDuration : float64")
    editor(nb, 2).locator(".cm-dj-problem[title*=\"'Duration' is not lower case\"]").wait_for(timeout=15000)
    problem = editor(nb, 2).locator(".cm-dj-problem")
    assert problem.all_inner_texts() == ["flaot64", "Duration"]
    message = problem.first.get_attribute("title")
    assert "unknown type 'flaot64'" in message and "Did you mean 'float64'?" in message
    problem.first.hover()
    tooltip = nb.page.locator(".cm-dj-tooltip")
    tooltip.first.wait_for(timeout=5000)
    assert "unknown type 'flaot64'" in tooltip.first.inner_text()
    assert nb.prompt(2) == prompt  # nothing ran
    nb.screenshot("unknown-type-underlined", nb.cell(2))

    # a parent the notebook lacks is reported at its name
    set_source(nb, 2, "%%dj_table Session\n-> Subject\nsession_idx : uint8\n---\nduration : float64\n-> Nowhere")
    missing = editor(nb, 2).locator(".cm-dj-problem[title*='`Nowhere` is not defined in the notebook']")
    missing.first.wait_for(timeout=15000)
    set_source(nb, 2, "%%dj_table Session --tier bogus\n-> Subject\nsession_idx : uint8\n---\nduration : float64")
    tier = editor(nb, 2).locator(".cm-dj-problem[title*=\"--tier 'bogus' is not a table tier\"]")
    tier.first.wait_for(timeout=15000)
    assert tier.first.inner_text() == "--tier"
    set_source(nb, 2, "%%dj_table Session\n-> Subject\nsession_idx : uint8\n---\nduration : float64")
    editor(nb, 2).locator(".cm-dj-problem").first.wait_for(state="detached", timeout=15000)

    # the sidebar lists the tables the notebook declares
    nb.page.locator(".jp-SideBar .lm-TabBar-tab[data-id='dj-jupyter-pipeline']").click()
    nb.page.locator(f"{SIDEBAR} .dj-table[data-table='subject']").wait_for(timeout=15000)
    nb.run_cells(range(2, 6))
    for table in ("session", "__score"):
        nb.page.locator(f"{SIDEBAR} .dj-table[data-table='{table}']").wait_for(timeout=15000)
    subject = nb.page.locator(f"{SIDEBAR} .dj-table[data-table='subject']")
    subject.locator(".dj-rows", has_text=f"{N_KEYS} rows").wait_for(timeout=15000)
    assert subject.locator(".dj-tier-badge").inner_text() == "M"
    assert nb.page.locator(f"{SIDEBAR} .dj-schema[data-schema='{schema}'] .dj-schema-name").inner_text() == schema
    nb.screenshot("sidebar-tables")

    # populate progress moves in the sidebar during a background populate
    nb.run_cell(6)
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while not seen or seen[-1] != f"{N_KEYS - 1}/{N_KEYS}":  # one key fails
        assert time.monotonic() < deadline, f"progress seen: {seen}; {nb.describe_errors()}"
        text = sidebar_progress(nb, "__score")
        if text and (not seen or text != seen[-1]):
            seen.append(text)
            if len(seen) == 2:
                nb.screenshot("sidebar-populating")
        nb.page.wait_for_timeout(100)
    done = [int(s.split("/")[0]) for s in seen]
    assert done == sorted(done) and len([d for d in done if 0 < d < N_KEYS - 1]) >= 2, seen
    errors = nb.page.locator(f"{SIDEBAR} .dj-table[data-table='__score'] .dj-errors")
    errors.wait_for(timeout=15000)
    assert errors.inner_text() == "1 error"
    assert "no signal for subject 5" in errors.get_attribute("title")
    nb.screenshot("sidebar-populated")

    # a populate in the foreground: the kernel is busy, the sidebar still moves (it asks a kernel subshell)
    nb.run_cells([7, 8])
    nb.page.locator(f"{SIDEBAR} .dj-table[data-table='__tally']").wait_for(timeout=15000)
    before = nb.run_cell(9, wait=False)
    moving: list[str] = []
    deadline = time.monotonic() + 60
    while not nb.finished(9, before):
        assert time.monotonic() < deadline, f"progress seen: {moving}; {nb.describe_errors()}"
        text = sidebar_progress(nb, "__tally")
        if text and (not moving or text != moving[-1]) and nb.prompt(9) == "[*]:":
            moving.append(text)
        nb.page.wait_for_timeout(100)
    assert len([m for m in moving if 0 < int(m.split("/")[0]) < N_KEYS - 1]) >= 2, moving

    # clicking a table inserts a cell previewing it; the ERD button inserts the diagram's cell
    count = nb.page.locator(".jp-Notebook .jp-Cell").count()
    nb.page.locator(f"{SIDEBAR} .dj-table[data-table='subject']").click()
    nb.page.locator(".jp-Notebook .jp-Cell").nth(count).wait_for(timeout=15000)
    assert cell_source(nb, count) == "Subject()"
    inserted = nb.page.locator(".jp-Notebook .jp-Cell").nth(count)
    inserted.scroll_into_view_if_needed()
    inserted.locator(".jp-OutputArea-output", has_text="s3").first.wait_for(timeout=30000)
    nb.page.locator(f"{SIDEBAR} .dj-schema[data-schema='{schema}'] .dj-erd-button").click()
    erd = nb.page.locator(".jp-Notebook .jp-Cell").nth(count + 1)
    erd.wait_for(timeout=15000)
    assert cell_source(nb, count + 1) == "dj.Diagram(schema)"
    erd.scroll_into_view_if_needed()
    erd.locator(".jp-OutputArea-output").first.wait_for(timeout=30000)
    nb.screenshot("preview-and-diagram")
    errors = [line for line in nb.console if line.startswith(("error", "pageerror")) and "dj" in line.lower()]
    assert not errors, errors


def test_the_extension_stays_quiet_without_dj_jupyter(open_notebook):
    nb = open_notebook("plain.ipynb", ["x = 1", "%%dj_table Thing\nthing_id : int33"])
    nb.page.locator(".jp-SideBar .lm-TabBar-tab[data-id='dj-jupyter-pipeline']").click()
    status = nb.page.locator(f"{SIDEBAR} .dj-sidebar-status")
    status.wait_for(timeout=15000)
    nb.run_cell(0)
    nb.page.wait_for_timeout(1500)  # several check delays: the kernel was asked and said nothing
    assert "No dj_jupyter in this kernel" in status.inner_text()
    assert editor(nb, 1).locator(".cm-dj-type").count() == 1  # still highlighted
    assert editor(nb, 1).locator(".cm-dj-problem").count() == 0  # but nothing to check it with
    assert nb.page.evaluate("'dj_jupyter' in window") is False
    errors = [line for line in nb.console if line.startswith(("error", "pageerror"))]
    assert not errors, errors
    nb.screenshot("quiet")


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _colours(nb, index: int) -> dict:
    return nb.page.evaluate(
        """(index) => {
             const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[index];
             const colour = (selector) => getComputedStyle(cell.querySelector(selector)).color;
             let node = cell.querySelector('.cm-content');
             while (node && ['rgba(0, 0, 0, 0)', 'transparent'].includes(getComputedStyle(node).backgroundColor)) {
               node = node.parentElement;  // the first painted background behind the text
             }
             const out = {background: getComputedStyle(node || document.body).backgroundColor};
             for (const kind of ['magic', 'class', 'name', 'type', 'codec', 'default', 'comment', 'divider', 'arrow',
                                 'reference']) {
               out[kind] = colour('.cm-dj-' + kind);
             }
             return out;
           }""", index)


def _set_theme(nb, theme: str, light: bool) -> None:
    nb.page.evaluate("(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme)
    nb.page.locator(f"body[data-jp-theme-light='{str(light).lower()}']").wait_for(state="attached", timeout=15000)
    nb.page.wait_for_timeout(500)  # the theme's CSS is applied after the attribute


def test_token_colours_follow_light_and_dark_themes(open_notebook):
    cell = ("%%dj_table Trace --tier imported\n# a recorded trace\n-> Session\n---\n"
            "rate = 30000 : float64\nsignal : <blob@raw>  # volts")
    nb = open_notebook("themes.ipynb", [cell])
    editor(nb, 0).locator(".cm-dj-codec").first.wait_for(timeout=15000)
    light = _colours(nb, 0)
    nb.screenshot("light", nb.cell(0))
    try:
        _set_theme(nb, "JupyterLab Dark", light=False)
        dark = _colours(nb, 0)
        nb.screenshot("dark", nb.cell(0))
    finally:
        _set_theme(nb, "JupyterLab Light", light=True)  # the theme is a setting of the shared server
    assert _luminance(dark["background"]) < 0.2 < _luminance(light["background"])
    for kind in light:
        if kind == "background":
            continue
        assert _contrast(light[kind], light["background"]) >= 3, (kind, light)
        assert _contrast(dark[kind], dark["background"]) >= 3, (kind, dark)
    assert len({light[k] for k in light if k != "background"}) >= 5  # the parts are told apart


def test_the_sidebar_works_again_after_a_kernel_restart(open_notebook):
    schema = f"labext_{uuid.uuid4().hex[:8]}"
    nb = open_notebook("restart.ipynb", [
        f"import dj_jupyter as dj\n%load_ext dj_jupyter\nschema = dj.Schema({schema!r})",
        "%%dj_table Animal\nanimal_id : uint16",
        "Animal.insert1({'animal_id': 1})",
    ])
    nb.page.locator(".jp-SideBar .lm-TabBar-tab[data-id='dj-jupyter-pipeline']").click()
    nb.run_cells([0, 1])
    animal = nb.page.locator(f"{SIDEBAR} .dj-table[data-table='animal'] .dj-rows")
    animal.filter(has_text="0 rows").wait_for(timeout=15000)
    nb.page.evaluate(
        """async (path) => {
             const panel = Array.from(window.jupyterapp.shell.widgets('main')).find((w) => w.context?.path === path);
             await panel.sessionContext.session.kernel.restart();
           }""", nb.name)
    nb.wait_idle()
    nb.page.locator(f"{SIDEBAR} .dj-sidebar-status", has_text="No dj_jupyter in this kernel").wait_for(timeout=15000)
    nb.run_cells([0, 1, 2])  # the table exists: the cell rebinds the class
    animal.filter(has_text="1 row").wait_for(timeout=15000)
    nb.screenshot("after-restart")
    errors = [line for line in nb.console if line.startswith(("error", "pageerror"))]
    assert not errors, errors
