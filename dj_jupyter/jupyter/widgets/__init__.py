"""Notebook widgets (anywidget): paged previews, the pipeline diagram, background populate, stored arrays.

Each widget is a small class with its front end (``.js``, an ES module) and style
(``.css``) in files beside it; the front end sends typed messages
(:mod:`.messages`).  Importing this package imports anywidget and ipywidgets; the rest
of dj_jupyter never does.
"""

from __future__ import annotations

from .diagram import DiagramWidget
from .jobs import JobsView
from .messages import WidgetMessageError
from .objectview import ObjectView
from .pipeline import PipelineView, table_status
from .populate import PopulateWidget, populate_in_background
from .preview import PreviewWidget

__all__ = [
    "DiagramWidget",
    "JobsView",
    "ObjectView",
    "PipelineView",
    "PopulateWidget",
    "PreviewWidget",
    "WidgetMessageError",
    "populate_in_background",
    "table_status",
]
