"""dj_jupyter: a Jupyter-native implementation of DataJoint.

``import dj_jupyter as dj`` gives the DataJoint 2.x public API.  Importing connects
to nothing and stays light: pandas, networkx and IPython load when first used.
"""

from __future__ import annotations

__version__ = "0.1.0"
__author__ = "dj_jupyter developers"

from . import errors
from .codecs.matlab import MatCell, MatStruct
from .codecs.registry import Codec, get_codec, list_codecs
from .connection import Connection, conn
from .errors import DataJointError, ThreadSafetyError
from .populate.autopopulate import AutoPopulate, Computed, Imported
from .populate.jobs import Job
from .populate.pipeline import populate_all
from .query.algebra import Top_ as Top
from .query.conditions import AndList, Not
from .query.universal import U
from .schema.expression import QueryExpression
from .schema.schema import Schema, VirtualModule, list_schemas, virtual_schema
from .schema.table import FreeTable, Table
from .schema.tiers import Lookup, Manual, Part
from .settings import config, logger

# DataJoint 2.3.4+ tier aliases: the same classes
Entry = Manual
Ingest = Imported
Compute = Computed

__all__ = [
    "AndList",
    "AutoPopulate",
    "Codec",
    "Compute",
    "Computed",
    "Connection",
    "DataJointError",
    "Diagram",
    "Entry",
    "FreeTable",
    "Imported",
    "Ingest",
    "Job",
    "Lookup",
    "Manual",
    "MatCell",
    "MatStruct",
    "Not",
    "NpyRef",
    "ObjectRef",
    "Part",
    "QueryExpression",
    "Schema",
    "SchemaCodec",
    "Table",
    "ThreadSafetyError",
    "Top",
    "U",
    "VirtualModule",
    "__author__",
    "__version__",
    "config",
    "conn",
    "errors",
    "get_codec",
    "list_codecs",
    "list_schemas",
    "logger",
    "populate_all",
    "virtual_schema",
]


# names imported on first use, so that `import dj_jupyter` stays light
_LAZY = {"Diagram": ("dj_jupyter.diagram", "Diagram"), "gc": ("dj_jupyter.gc", None),
         "NpyRef": ("dj_jupyter.codecs.npyref", "NpyRef"),
         "ObjectRef": ("dj_jupyter.codecs.objectref", "ObjectRef"),
         "SchemaCodec": ("dj_jupyter.codecs.schema_addressed", "SchemaCodec")}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        value = importlib.import_module(module)
        if attribute is not None:  # None: the name is the module itself (dj.gc)
            value = getattr(value, attribute)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'dj_jupyter' has no attribute {name!r}")


def load_ipython_extension(ipython):  # pragma: no cover - exercised through IPython
    """``%load_ext dj_jupyter``: register the ``%%dj_table`` cell magic."""
    from .jupyter.magics import load_ipython_extension as _load

    _load(ipython)
