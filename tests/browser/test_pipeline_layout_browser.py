"""The diagram and the preview inside a ``PipelineView``, styled through ``.layout`` after they are drawn.

Inside the view's box neither widget is shown by itself, so it would make its ipywidgets
``Layout`` only when ``.layout`` is first read, after its view is drawn, which
anywidget's views ignore (:mod:`dj_jupyter.jupyter.widgets.lean`); the view makes both
layouts before they become its children.  JupyterLab in headless Chromium; screenshots
go to ``test-artifacts/screenshots/<test>/``.
"""

from __future__ import annotations

import pytest

from tests.browser.test_widgets_browser import pipeline_cells, wait_for

pytestmark = pytest.mark.browser

# the border colour of the element the layout with this width styles (an ancestor of the widget's root)
BORDER_OF_WIDTH = """(root, width) => {
  for (let node = root; node; node = node.parentElement) {
    if (node.style.width === width) return getComputedStyle(node).borderTopColor;
  }
  return null;
}"""


def test_widgets_of_a_pipeline_view_can_be_styled_after_they_are_drawn(open_notebook):
    schema = "browser_pipeline_layout"
    cells = [*pipeline_cells(schema), "view = PipelineView(dj.Diagram(schema))\nview",
             "view.diagram_widget.layout.width = '555px'\nview.diagram_widget.layout.border = '3px solid rgb(0, 0, 255)'\n"
             "view.preview.layout.width = '333px'\nview.preview.layout.border = '3px solid rgb(255, 0, 0)'"]
    nb = open_notebook("pipeline_layout.ipynb", cells)
    nb.run_cells(range(3))
    diagram = nb.widget(2, ".djw-diagram")
    diagram.locator(f".djw-node[data-table='{schema}.trial']").click()
    preview = nb.widget(2, ".djw-preview")
    wait_for(lambda: "Total: 60" in preview.inner_text(), "the preview of Trial", nb)
    assert diagram.evaluate(BORDER_OF_WIDTH, "555px") is None and preview.evaluate(BORDER_OF_WIDTH, "333px") is None
    nb.run_cells([3])
    wait_for(lambda: preview.evaluate(BORDER_OF_WIDTH, "333px"), "the preview's layout on the page", nb)
    assert preview.evaluate(BORDER_OF_WIDTH, "333px") == "rgb(255, 0, 0)"
    assert diagram.evaluate(BORDER_OF_WIDTH, "555px") == "rgb(0, 0, 255)"
    nb.screenshot("styled-diagram-and-preview", nb.output(2))
