"""A preview styled through ``.layout`` after it is shown, in JupyterLab (headless Chromium).

PreviewWidget makes its ipywidgets ``Layout`` when it is first shown rather than with every
preview (:mod:`dj_jupyter.jupyter.widgets.lean`): anywidget's views only take a layout the
model has when they are drawn, so this checks that styling a shown preview still reaches
the page.  Screenshots go to ``test-artifacts/screenshots/<test>/``.
"""

from __future__ import annotations

import pytest

from tests.browser.test_widgets_browser import pipeline_cells, wait_for

pytestmark = pytest.mark.browser

# the element the layout styles (the widget view's element, an ancestor of the preview's root): its border colour
STYLED = """root => {
  for (let node = root; node; node = node.parentElement) {
    if (node.style.width === "333px") return getComputedStyle(node).borderTopColor;
  }
  return null;
}"""


def test_layout_set_after_the_preview_is_shown_styles_it(open_notebook):
    cells = [*pipeline_cells("browser_layout"),
             "from dj_jupyter.jupyter.widgets import PreviewWidget\npreview = PreviewWidget(Trial)\npreview",
             "preview.layout.width = '333px'\npreview.layout.border = '3px solid rgb(255, 0, 0)'"]
    nb = open_notebook("preview_layout.ipynb", cells)
    nb.run_cells(range(3))
    preview = nb.widget(2, ".djw-preview:not(.djw-static)")
    wait_for(lambda: "Total: 60" in preview.inner_text(), "the preview", nb)
    assert preview.evaluate(STYLED) is None
    nb.run_cells([3])
    styled = wait_for(lambda: preview.evaluate(STYLED), "the layout on the page", nb)
    assert styled == "rgb(255, 0, 0)"
    nb.screenshot("styled-preview", nb.output(2))
