"""IPython magics: ``%%dj_table`` declares a table from a cell, ``%dj_schema`` binds a schema.

Load them with ``%load_ext dj_jupyter``.  This module only parses arguments and
reports; the work is done by :mod:`dj_jupyter.jupyter.cell_table`.  Every
:class:`~dj_jupyter.errors.DataJointError` (a bad definition, an unknown parent, a
missing schema...) is shown as an IPython ``UsageError``: the message, no traceback.

Examples
--------
In a notebook::

    %load_ext dj_jupyter
    %dj_schema my_pipeline

    %%dj_table Session --tier manual
    -> Subject
    session_idx : uint8
    ---
    session_date : date
"""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from ..errors import DataJointError, DefinitionError
from .cell_table import SchemaCache, declare_cell_table, parse_cell_table
from .display import register_display

__all__ = ["DataJointMagics", "load_ipython_extension"]


@magics_class
class DataJointMagics(Magics):
    """The ``%%dj_table`` cell magic and the ``%dj_schema`` line magic."""

    def __init__(self, shell: Any = None) -> None:
        super().__init__(shell)
        # schemas named by string in magic lines, reused by later cells
        self.schemas = SchemaCache()

    @magic_arguments()
    @argument("class_name", help="CamelCase name of the table class, bound in the notebook namespace.")
    @argument("--schema", "-s", default=None,
              help="a dj.Schema variable, or a schema name (created if missing). Default: the variable `schema`.")
    @argument("--tier", "-t", default=None,
              help="manual (default), lookup, imported, computed or part.")
    @argument("--part-of", "-p", dest="part_of", default=None,
              help="the master table class of a part table (implies --tier part).")
    @argument("--contents", "-c", default=None,
              help="lookup tables: a variable holding the rows (dicts or tuples) to insert.")
    @argument("--make", "-m", default=None,
              help="computed/imported tables: a function `def make(self, key)` to use as the table's make.")
    @cell_magic
    def dj_table(self, line: str, cell: str) -> None:
        """Declare a table whose definition is the cell body and bind its class in the notebook.

        ::

            %%dj_table ClassName [--schema S] [--tier manual|lookup|imported|computed|part]
                                 [--part-of Master] [--contents ROWS] [--make FUNC]
        """
        args = parse_argstring(self.dj_table, line)
        try:
            request = parse_cell_table(args.class_name, cell, tier=args.tier, schema=args.schema, part_of=args.part_of,
                                       contents=args.contents, make=args.make)
            result = declare_cell_table(request, self.shell.user_ns, self.schemas)
        except DataJointError as exc:
            raise UsageError(_message(exc)) from None
        for note in result.notes:
            print(note)

    @magic_arguments()
    @argument("name", help="the schema name in the database (created if missing).")
    @argument("--as", dest="variable", default="schema", help="the variable to bind (default: schema).")
    @line_magic
    def dj_schema(self, line: str) -> None:
        """Create (or open) a schema and bind it as ``schema``: ``%dj_schema NAME [--as VARIABLE]``."""
        args = parse_argstring(self.dj_schema, line)
        if not args.variable.isidentifier():
            raise UsageError(f"--as {args.variable!r}: expected a Python variable name, e.g. --as schema.")
        try:
            schema, is_new = self.schemas.get(args.name)
        except DataJointError as exc:
            raise UsageError(str(exc)) from None
        self.shell.user_ns[args.variable] = schema
        print(f"{args.variable} = dj.Schema({args.name!r})" + ("  (new schema)" if is_new else ""))


def _message(exc: DataJointError) -> str:
    """The error text; definition line numbers also given as cell line numbers (the magic line is line 1)."""
    text = str(exc)
    if isinstance(exc, DefinitionError) and exc.line is not None:
        lines = [p.line for p in getattr(exc, "problems", None) or [exc] if p.line is not None]
        if len(lines) > 1:
            text += f"\n(definition lines {', '.join(map(str, lines))} are cell lines " \
                    f"{', '.join(str(n + 1) for n in lines)}: the magic line is line 1)"
        else:
            text += f"\n(line {exc.line} of the definition is line {exc.line + 1} of the cell)"
    return text


def load_ipython_extension(ipython: Any) -> None:
    """Register the dj_jupyter magics with ``ipython`` (called by ``%load_ext dj_jupyter``)."""
    ipython.register_magics(DataJointMagics)
    register_display(ipython)  # query expressions and diagrams display as widgets
