"""Reverse-engineer a table's definition text from what the database holds (``T.describe()``).

The text is built from the table's heading (declared types come from the ``:type:``
comment markers), its foreign keys in the dependency graph, and its secondary indexes.
Re-declaring the text gives the same table: same columns, keys, foreign keys and
indexes.  Hidden platform attributes (``_singleton``, job metadata) are left out, as
they are added again by declaration.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable
from typing import Any

from ..heading.heading import Attribute, split_marker
from ..heading.spec import IndexInfo, TableInfo
from .catalog_state import state_of
from .dependencies import Edge
from .naming import master_of, tier_of_table_name, to_camel

__all__ = ["default_to_definition", "describe"]

_CURRENT_TIMESTAMP = re.compile(r"current_timestamp\s*(?:\(\s*(\d*)\s*\))?", re.IGNORECASE)
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MODULE_DEPTH = 2  # how deep `-> module.Table` names are searched in the context


def describe(table: Any, context: dict | None = None) -> str:
    """The definition text of a declared table, as it exists in the database.

    Parameters
    ----------
    table : Table
        A table class or instance bound to a schema (a restriction is ignored).
    context : dict, optional
        Names to use for referenced tables (``-> Name``).  Defaults to the table's
        declaration context; tables not found there are named by their CamelCase class
        name (``Master.Part`` for parts), prefixed with the schema name when the parent
        lives in another schema.

    Returns
    -------
    str
        Definition text: ``# comment``, primary-key lines, ``---``, secondary lines and
        ``index(...)`` lines.

    Examples
    --------
    >>> print(Subject.describe())  # doctest: +SKIP
    # experimental subjects
    subject_id           : int32        # subject id
    ---
    -> Species
    dob                  : date
    """
    conn = table.connection
    state = state_of(conn)
    schema_state = state.schema(table.database)
    info = schema_state.info(table.table_name)
    heading = schema_state.heading(table.table_name)
    key = (table.database, table.table_name)
    edges = sorted(state.graph.parents(key), key=lambda e: _first_position(e, info))
    if context is None:
        context = getattr(type(table), "declaration_context", None) or {}
    namer = _ParentNamer(context, key)
    unique_sets = {frozenset(ix.columns) for ix in info.indexes if ix.unique}
    lines = [f"# {info.comment}"] if info.comment else []
    lines += _body_lines(heading, info, edges, namer, unique_sets, conn.dialect.name)
    lines += _index_lines(info.indexes, edges)
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------- attributes and keys


def _first_position(edge: Edge, info: TableInfo) -> int:
    names = [c.name for c in info.columns]
    return min(names.index(c) for c in edge.fk.columns if c in names)


def _body_lines(heading, info: TableInfo, edges: list[Edge], namer, unique_sets, dialect: str) -> list[str]:
    """Primary-key section, ``---``, secondary section; each foreign key where its first new column sits."""
    columns = {c.name: c for c in info.columns}
    visible = [a for a in heading.all_attributes if not a.hidden]
    rows: list[tuple[str, str, str] | str] = []  # (left, type, comment) for attributes, str for other lines
    covered: set[str] = set()
    pending = list(edges)
    in_key = True
    for attr in visible:
        if in_key and not attr.in_key:
            rows.append("---")
            in_key = False
        if attr.name not in covered:
            here = [e for e in pending if attr.name in e.fk.columns]
            for edge in here:
                pending.remove(edge)
                covered.update(edge.fk.columns)
                rows.append(_foreign_key_line(edge, heading, namer, unique_sets))
            if not here:
                covered.add(attr.name)
                rows.append(_attribute_row(attr, columns[attr.name].comment, dialect))
        # a foreign key whose columns all came with earlier ones (shared attributes)
        for edge in [e for e in pending if set(e.fk.columns) <= covered]:
            pending.remove(edge)
            rows.append(_foreign_key_line(edge, heading, namer, unique_sets))
    if in_key:
        rows.append("---")
    return _align(rows)


def _align(rows: list) -> list[str]:
    attrs = [r for r in rows if isinstance(r, tuple)]
    left = max((len(r[0]) for r in attrs), default=0)
    kind = max((len(r[1]) for r in attrs if r[2]), default=0)
    out = []
    for row in rows:
        if isinstance(row, str):
            out.append(row)
        elif row[2]:
            out.append(f"{row[0]:<{left}} : {row[1]:<{kind}}  # {row[2]}")
        else:
            out.append(f"{row[0]:<{left}} : {row[1]}")
    return out


def _attribute_row(attr: Attribute, stored_comment: str, dialect: str) -> tuple[str, str, str]:
    declared, comment = split_marker(stored_comment)
    type_text = attr.type.text if declared is not None else _native_text(attr, dialect)
    default = default_to_definition(attr, dialect)
    left = attr.name if default is None else f"{attr.name} = {default}"
    return left, type_text, comment


def _native_text(attr: Attribute, dialect: str) -> str:
    # a column without a marker was declared with a native type (or made outside DataJoint);
    # PostgreSQL reports types in its own words, which are not definition types
    if dialect == "postgresql" and attr.type.kind == "core":
        return attr.type.text
    return attr.sql_type


def _foreign_key_line(edge: Edge, heading, namer, unique_sets) -> str:
    options = []
    if any(heading.get(c, hidden=True) is not None and heading.get(c, hidden=True).nullable for c in edge.fk.columns):
        options.append("nullable")
    if frozenset(edge.fk.columns) in unique_sets:
        options.append("unique")
    name = namer(edge.parent)
    renames = [(c, p) for c, p in zip(edge.fk.columns, edge.fk.parent_columns) if c != p]
    if renames:
        name += ".proj(" + ", ".join(f'{c}="{p}"' for c, p in renames) + ")"
    return "-> " + (f"[{', '.join(options)}] " if options else "") + name


def _index_lines(indexes: Iterable[IndexInfo], edges: list[Edge]) -> list[str]:
    """Declared indexes; those that foreign keys imply (or that ``[unique]`` gives) are skipped."""
    fk_sets = {frozenset(e.fk.columns) for e in edges}
    lines = []
    for ix in indexes:
        if frozenset(ix.columns) in fk_sets:
            continue
        items = ", ".join(ix.columns)
        lines.append(f"{'unique index' if ix.unique else 'index'}({items})")
    return lines


# ------------------------------------------------------------------------- defaults


def default_to_definition(attr: Attribute, dialect: str) -> str | None:
    """The ``= default`` text of a definition line for a column default reported by the server.

    Parameters
    ----------
    attr : Attribute
        ``attr.default`` is the server's default expression (MariaDB ``'text'``, MySQL 8
        ``text``, PostgreSQL ``'text'::character varying``, SQLite as written).
    dialect : str
        ``"mysql"``, ``"postgresql"`` or ``"sqlite"``.

    Returns
    -------
    str or None
        ``null`` for nullable attributes, ``CURRENT_TIMESTAMP[(n)]``, a bare number for
        numeric types, a quoted string otherwise; None when there is no default.

    Examples
    --------
    >>> from dj_jupyter.definition.syntax import TypeSpec
    >>> a = Attribute("s", TypeSpec("varchar(8)", "core", "varchar", (8,)), default="'it''s'::character varying")
    >>> default_to_definition(a, "postgresql")
    '"it\\'s"'
    """
    if attr.nullable:
        return "null"
    if attr.default is None:
        return None
    text = attr.default.strip()
    if text.upper() == "NULL":
        return None
    timestamp = _timestamp_default(attr, text)
    if timestamp is not None:
        return timestamp
    value, was_quoted = _unquote(text)
    if attr.core == "bool" and value.lower() in ("true", "false"):
        return "1" if value.lower() == "true" else "0"
    if attr.is_numeric and _NUMBER.fullmatch(value):
        return value
    if not was_quoted and dialect == "postgresql":
        return text  # an expression we cannot express otherwise; shown as the server wrote it
    return _quote(value)


def _timestamp_default(attr: Attribute, text: str) -> str | None:
    match = _CURRENT_TIMESTAMP.fullmatch(text)
    if match is not None:
        precision = match.group(1)
        return f"CURRENT_TIMESTAMP({precision})" if precision and precision != "0" else "CURRENT_TIMESTAMP"
    if "strftime" in text.lower() and "'now'" in text.lower():
        # SQLite's fractional CURRENT_TIMESTAMP(n) is written with strftime; n is in the declared type
        precision = attr.type.args[0] if attr.core == "datetime" and attr.type.args else 3
        return f"CURRENT_TIMESTAMP({precision})"
    return None


def _unquote(text: str) -> tuple[str, bool]:
    """``'it''s'::text`` -> ``("it's", True)``; unquoted text comes back as it is."""
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1].strip()  # SQLite and PostgreSQL may parenthesise a constant
    if not text.startswith("'"):
        return re.sub(r"::[\w ]+$", "", text), False
    chars, i = [], 1
    while i < len(text):
        if text[i] == "'" and text[i + 1 : i + 2] == "'":
            chars.append("'")
            i += 2
        elif text[i] == "'":
            break
        else:
            chars.append(text[i])
            i += 1
    return "".join(chars), True


def _quote(value: str) -> str:
    # the parser reads \\ as one backslash and a doubled quote as one quote
    value = value.replace("\\", "\\\\")
    if '"' not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


# ------------------------------------------------------------------------- naming parents


class _ParentNamer:
    """Names a referenced table as the context knows it, else by its class name."""

    def __init__(self, context: dict, child: tuple[str, str]) -> None:
        self.context = context
        self.child = child
        self._found = _table_names_in(context)

    def __call__(self, parent: tuple[str, str]) -> str:
        schema, table = parent
        child_schema = self.child[0]
        if parent in self._found:  # a part's master too, by its class name (as DataJoint writes it)
            return self._found[parent]
        name = _class_path(table)
        return name if schema == child_schema else f"{schema}.{name}"


def _class_path(table: str) -> str:
    """``__scan__unit`` -> ``Scan.Unit`` (what a virtual module calls the class)."""
    if tier_of_table_name(table) == "Part":
        master = master_of(table)
        return f"{_class_path(master)}.{to_camel(table[len(master) + 2:])}"
    return to_camel(table)


def _table_names_in(context: dict) -> dict[tuple[str, str], str]:
    """``{(schema, table): name}`` for the table classes reachable from the context."""
    found: dict[tuple[str, str], str] = {}
    _collect(context.items(), "", found, depth=0, seen=set())
    return found


def _collect(items, prefix: str, found: dict, *, depth: int, seen: set) -> None:
    modules = []
    for name, obj in list(items):
        if name in ("self", "master") or name.startswith("_"):
            continue
        if _is_table_class(obj):
            _remember(found, obj, prefix + name)
            for part_name, part in list(vars(obj).items()):
                if part_name[:1].isupper() and _is_table_class(part):
                    _remember(found, part, f"{prefix}{name}.{part_name}")
        elif isinstance(obj, types.ModuleType) and depth < _MODULE_DEPTH and id(obj) not in seen:
            modules.append((name, obj))
    for name, module in modules:
        seen.add(id(module))
        _collect(vars(module).items(), f"{prefix}{name}.", found, depth=depth + 1, seen=seen)


def _is_table_class(obj: Any) -> bool:
    from .table import Table

    return isinstance(obj, type) and issubclass(obj, Table) and obj.__dict__.get("_table_name") is not None


def _remember(found: dict, cls: type, name: str) -> None:
    key = (cls.__dict__.get("database") or getattr(cls, "database", None), cls.__dict__["_table_name"])
    found.setdefault(key, name)  # the first (shallowest) name wins
