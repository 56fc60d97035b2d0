"""Rich display of query expressions and diagrams in notebooks, through IPython's formatters.

After :func:`register_display` (``%load_ext dj_jupyter`` calls it), displaying a query
expression or a table class shows a :class:`~.widgets.PreviewWidget` (paged in the
database), displaying a ``dj.Diagram`` shows a :class:`~.widgets.PipelineView`, and
displaying the run that ``T.populate(..., background=True)`` returns shows its live
:class:`~.widgets.PopulateWidget`; a stored object fetched from ``<npy@>`` or ``<object@>``
shows as an :class:`~.widgets.ObjectView` (metadata at once, values on demand).
Each output also carries static renderings (HTML table, SVG) for GitHub, nbviewer and
HTML export.  Nothing is registered on import: the core keeps its plain
``_repr_html_`` / ``_repr_svg_`` without this module.

Examples
--------
In a notebook (``%load_ext dj_jupyter`` does the same)::

    from dj_jupyter.jupyter.display import register_display
    register_display()
"""

from __future__ import annotations

from typing import Any

from ..schema.expression import QueryExpression
from ..schema.table import TableMeta

__all__ = ["diagram_bundle", "object_bundle", "populate_bundle", "query_bundle", "register_display",
           "unregister_display"]

# registered by name: these modules are imported lazily by the core
_DIAGRAM = ("dj_jupyter.diagram.graph", "Diagram")
_RUN = ("dj_jupyter.populate.background", "BackgroundPopulate")
_NPY = ("dj_jupyter.codecs.npyref", "NpyRef")
_OBJECT = ("dj_jupyter.codecs.objectref", "ObjectRef")


def query_bundle(obj: Any) -> tuple[dict, dict] | None:
    """The mime bundle of a query expression or a table class: a preview widget plus static HTML/text.

    Returns None (IPython then uses the other formatters) for an unbound table class
    such as ``dj.Manual`` itself.
    """
    from .widgets import PreviewWidget

    if isinstance(obj, type) and (getattr(obj, "database", None) is None or obj.__dict__.get("_tier_base")):
        return None
    return PreviewWidget(obj)._repr_mimebundle_()


def diagram_bundle(diagram: Any) -> Any:
    """The mime bundle of a ``dj.Diagram``: the pipeline view plus its SVG drawing."""
    from .widgets import PipelineView

    return PipelineView(diagram)._repr_mimebundle_()


def populate_bundle(run: Any) -> Any:
    """The mime bundle of a background populate (``T.populate(..., background=True)``): its live progress widget."""
    from .widgets import PopulateWidget

    return PopulateWidget(run)._repr_mimebundle_()


def object_bundle(ref: Any) -> Any:
    """The mime bundle of a stored object (``NpyRef``, ``ObjectRef``): its metadata, values previewed on demand."""
    from .widgets import ObjectView

    return ObjectView(ref)._repr_mimebundle_()


def _formatter(ip: Any) -> Any:
    if ip is None:
        from IPython import get_ipython

        ip = get_ipython()
    if ip is None:
        raise RuntimeError("register_display() needs a running IPython (a notebook or an IPython shell).")
    return ip.display_formatter.mimebundle_formatter


def register_display(ip: Any = None) -> None:
    """Show queries, tables, diagrams, background runs and stored objects as widgets in ``ip`` (default: the running one)."""
    formatter = _formatter(ip)
    formatter.for_type(QueryExpression, query_bundle)
    formatter.for_type(TableMeta, query_bundle)
    formatter.for_type_by_name(*_DIAGRAM, diagram_bundle)
    formatter.for_type_by_name(*_RUN, populate_bundle)
    formatter.for_type_by_name(*_NPY, object_bundle)
    formatter.for_type_by_name(*_OBJECT, object_bundle)


def unregister_display(ip: Any = None) -> None:
    """Go back to the plain static displays (``_repr_html_``, ``_repr_svg_``)."""
    formatter = _formatter(ip)
    for key in (QueryExpression, TableMeta, ".".join(_DIAGRAM), ".".join(_RUN), ".".join(_NPY), ".".join(_OBJECT)):
        formatter.pop(key, None)
