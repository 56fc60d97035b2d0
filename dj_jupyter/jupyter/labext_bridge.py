"""The kernel side of the JupyterLab extension (``labextension/``).

The extension asks the running kernel, never its own copy of the grammar: it sends a
silent ``execute_request`` whose user expression calls :func:`reply` with a JSON
request, and reads the JSON answer.  Two requests exist:

``{"op": "check", "text": BODY, "magic": LINE}``
    :func:`check_magic_line` of the ``%%dj_table`` line and :func:`check_definition` of the
    cell body: a list of every problem (a bad line does not hide a later one), each ``{"line", "column", "end_column", "message",
    "severity"}`` (lines and columns 1-based within the body, as
    :class:`~dj_jupyter.errors.DefinitionError` counts them; line 0 is the magic line).
``{"op": "summary"}``
    :func:`pipeline_summary`: the schemas and tables the notebook works with, for the
    sidebar.

Checking touches no database: the text is parsed by the library's parser, codec
types are resolved in the codec registry, stores are looked up in ``dj.config`` and
``-> Parent`` names in the notebook namespace.  The extension only calls :func:`reply`
when ``dj_jupyter`` is already imported in the kernel, so a kernel without it is
never changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..codecs.registry import resolve_dtype
from ..definition.parser import parse_definition_partial
from ..definition.syntax import AttributeDef, ForeignKeyDef, Span
from ..errors import DataJointError
from ..schema.table import Table
from ..stores.lookup import store_spec
from .labext_summary import pipeline_summary

__all__ = ["JsonReply", "check_definition", "check_magic_line", "pipeline_summary", "reply"]


class JsonReply:
    """A JSON value shown to the front end as ``application/json`` (and as JSON text in ``text/plain``)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def _repr_json_(self) -> Any:
        return self.value

    def __repr__(self) -> str:
        return json.dumps(self.value)


def reply(request: str, namespace: Mapping[str, Any] | None = None) -> JsonReply:
    """Answer one JSON request of the extension (see the module docstring); errors become ``{"error": ...}``."""
    try:
        message = json.loads(request)
        op = message.get("op")
        if op == "check":
            problems = check_magic_line(str(message["magic"])) if "magic" in message else []
            problems += check_definition(str(message.get("text", "")), namespace)
            return JsonReply({"problems": problems})
        if op == "summary":
            return JsonReply(pipeline_summary(namespace or {}))
        return JsonReply({"error": f"unknown request {op!r}: expected 'check' or 'summary'"})
    except Exception as exc:  # the extension shows nothing rather than breaking the editor
        return JsonReply({"error": f"{type(exc).__name__}: {exc}"})


def check_definition(text: str, namespace: Mapping[str, Any] | None = None) -> list[dict]:
    """The problems of a table definition, found without touching the database.

    Parameters
    ----------
    text : str
        The definition (a ``%%dj_table`` cell without its magic line).
    namespace : mapping, optional
        The notebook's variables: ``-> Parent`` names are looked up in it (not checked when None).

    Returns
    -------
    list of dict
        Every problem, in line order: ``line``, ``column`` (1-based, in ``text``), ``end_column``
        (exclusive), ``message`` and ``severity`` (``"error"``, or ``"warning"`` for what may still
        be configured later, such as a store).  Syntax problems come from every bad line; codec
        types and ``-> Parent`` names are checked on the lines that parsed.  Empty when the
        definition is valid.

    Examples
    --------
    >>> check_definition("subject_id : uint16\\n---\\nname : varchar(100)")
    []
    >>> [(p["line"], p["column"]) for p in check_definition("subject_id : int33")]
    [(1, 14)]
    >>> [(p["line"], p["column"]) for p in check_definition("a : int33\\n---\\nB : int32")]
    [(1, 5), (3, 1)]
    """
    tdef, errors = parse_definition_partial(text)
    problems = [_problem(exc.line or 1, exc.column or 1, exc.text, exc.message) for exc in errors]
    # the lines that parsed are checked further; a line with a syntax problem has no item
    for item in tdef.items:
        if isinstance(item, AttributeDef) and item.type.kind == "codec":
            problems.extend(_codec_problems(item))
        elif isinstance(item, ForeignKeyDef) and namespace is not None:
            problems.extend(_reference_problems(item, namespace))
    problems.sort(key=lambda p: (p["line"], p["column"]))  # stable: one line's problems keep their order
    return problems


def check_magic_line(line: str) -> list[dict]:
    """The problems of the ``%%dj_table ...`` line itself (its options), reported on line 0.

    The options are read by the magic's own argument parser and checked against each
    other by :func:`~dj_jupyter.jupyter.cell_table.parse_cell_table`, as running the cell would.

    Examples
    --------
    >>> [(p["line"], p["column"]) for p in check_magic_line("%%dj_table Session --tier bogus")]
    [(0, 20)]
    """
    from IPython.core.error import UsageError
    from IPython.core.magic_arguments import parse_argstring

    from .cell_table import parse_cell_table
    from .magics import DataJointMagics

    start = line.find("%%dj_table")
    rest = line[start + len("%%dj_table"):] if start >= 0 else line
    try:
        args = parse_argstring(DataJointMagics.dj_table, rest)
        parse_cell_table(args.class_name, "placeholder : int32", tier=args.tier, schema=args.schema,
                         part_of=args.part_of, contents=args.contents, make=args.make)
    except (UsageError, DataJointError) as exc:
        column = _magic_column(line, str(exc), start)
        return [_problem(0, column, line, f"%%dj_table: {exc}")]
    return []


def _magic_column(line: str, message: str, start: int) -> int:
    """Where on the magic line a message points: the word after the magic that the message names first."""
    best: tuple[int, int] | None = None  # (where in the message, column)
    for match in re.finditer(r"\S+", line):
        if match.start() <= start:
            continue
        found = re.search(rf"(?<![\w-]){re.escape(match.group())}(?![\w-])", message)
        if found and (best is None or found.start() < best[0]):
            best = (found.start(), match.start() + 1)
    return best[1] if best else max(start, 0) + 1


def _problem(line: int, column: int, source: str | None, message: str, severity: str = "error") -> dict:
    """One problem; it spans the word at ``column`` of ``source``."""
    end = column
    if source is not None:
        while end <= len(source) and not source[end - 1].isspace():
            end += 1
    return {"line": line, "column": column, "end_column": max(end, column + 1), "message": message,
            "severity": severity}


def _type_column(span: Span, type_text: str) -> int:
    """The 1-based column of the type on an attribute line (after the ``:``)."""
    colon = span.text.find(":")
    at = span.text.find(type_text, colon + 1 if colon >= 0 else 0)
    return at + 1 if at >= 0 else span.column


def _codec_problems(item: AttributeDef) -> list[dict]:
    text = item.span.text
    column = _type_column(item.span, item.type.text)
    try:
        resolve_dtype(item.type.text)
    except DataJointError as exc:
        return [_problem(item.span.line, column, text, str(exc))]
    if item.type.store is None:
        return []
    try:
        store_spec(item.type.store or None)
    except DataJointError as exc:
        return [_problem(item.span.line, column, text, str(exc), "warning")]
    return []


def _reference_problems(item: ForeignKeyDef, namespace: Mapping[str, Any]) -> list[dict]:
    ref = item.ref
    head = ref.names[0]
    text = item.span.text
    after = max(text.find("->") + 2, text.find("]") + 1)  # past the arrow and any [options]
    column = text.find(head, after) + 1 or item.span.column
    if head not in namespace:
        known = sorted(k for k, v in namespace.items() if isinstance(v, type) and issubclass(v, Table)
                       and getattr(v, "database", None) is not None)
        hint = f" Tables in the notebook: {', '.join(known)}." if known else ""
        return [_problem(item.span.line, column, text,
                         f"-> {ref.text}: `{head}` is not defined in the notebook.{hint} Declare the parent "
                         "table first (run its cell), or import it.")]
    obj = namespace[head]
    for attr in ref.names[1:]:
        obj = getattr(obj, attr, None)
        if obj is None:
            return [_problem(item.span.line, column, text, f"-> {ref.text}: `{attr}` not found in {head}.")]
    is_table = isinstance(obj, Table) or (isinstance(obj, type) and issubclass(obj, Table))
    if not is_table:
        return [_problem(item.span.line, column, text,
                         f"-> {ref.text} does not name a table (got {type(obj).__name__}).")]
    if getattr(obj, "database", None) is None:
        return [_problem(item.span.line, column, text,
                         f"-> {ref.text}: that table is not declared in a schema yet; run its cell first.")]
    return []

