"""Declare a table from a notebook cell: the library side of ``%%dj_table``.

Nothing here imports IPython: :func:`declare_cell_table` takes the parsed options, the
cell body and the notebook namespace, builds the table class exactly as a ``class``
statement would (``type(name, (dj.Manual,), {"definition": body, ...})``), declares it
with its schema and binds it in the namespace.  Every user mistake is raised as a
:class:`~dj_jupyter.errors.DataJointError` whose message says what to do; the magic
turns those into IPython ``UsageError`` (no traceback).

How the options map to class syntax
-----------------------------------
==========================  =================================================
``%%dj_table`` option       class syntax
==========================  =================================================
``--tier computed``         ``class T(dj.Computed)``
``--contents ROWS``         ``contents = ROWS`` (Lookup only)
``--make FUNC``             ``def make(self, key)`` (Imported/Computed only)
``--tier part --part-of M`` a ``class T(dj.Part)`` nested in ``M``
``--schema S``              ``@S`` (a Schema variable, or a schema name)
==========================  =================================================
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import DataJointError
from ..populate.autopopulate import Computed, Imported
from ..schema.catalog_state import state_of
from ..schema.naming import TIER_PREFIXES, table_name_for, to_snake
from ..schema.schema import Schema
from ..schema.table import Table
from ..schema.tiers import Lookup, Manual, Part
from .definition_check import (
    definition_differences,
    existing_info,
    resolve_cell_definition,
)

__all__ = [
    "TIERS",
    "CellTable",
    "CellTableResult",
    "SchemaCache",
    "declare_cell_table",
    "parse_cell_table",
    "resolve_schema",
]

#: ``--tier`` values (DataJoint 2.3.4+ aliases included) -> tier name.
TIERS = {
    "manual": "Manual", "entry": "Manual", "lookup": "Lookup", "imported": "Imported", "ingest": "Imported",
    "computed": "Computed", "compute": "Computed", "part": "Part",
}
_CAMEL_CASE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_BASES = {"Manual": Manual, "Lookup": Lookup, "Imported": Imported, "Computed": Computed, "Part": Part}


@dataclass(frozen=True)
class CellTable:
    """A validated ``%%dj_table`` request; build it with :func:`parse_cell_table`."""

    class_name: str
    definition: str
    tier: str
    schema: str | None = None
    part_of: str | None = None
    contents: str | None = None
    make: str | None = None


@dataclass
class CellTableResult:
    """What a cell declared: the class, where its table is, and notes for the user."""

    cls: type
    full_name: str
    created: bool
    notes: list[str] = field(default_factory=list)


def parse_cell_table(class_name: str, definition: str, *, tier: str | None = None, schema: str | None = None,
                     part_of: str | None = None, contents: str | None = None, make: str | None = None) -> CellTable:
    """Check the options of one ``%%dj_table`` cell against each other.

    ``tier`` defaults to ``"part"`` when ``part_of`` is given, else ``"manual"``.

    Raises
    ------
    DataJointError
        A bad class name, an empty definition, an unknown tier, or options that do
        not fit the tier (``--contents`` outside lookup, ``--make`` outside
        imported/computed, ``--part-of`` outside part).
    """
    _check_class_name(class_name)
    if not definition.strip():
        raise DataJointError(f"%%dj_table {class_name}: the cell body is empty; write the table definition below "
                             "the magic line, e.g.\n    subject_id : uint16\n    ---\n    name : varchar(100)")
    key = (tier or ("part" if part_of else "manual")).strip().lower()
    if key not in TIERS:
        raise DataJointError(f"--tier {tier!r} is not a table tier; use one of: manual, lookup, imported, computed, part.")
    name = TIERS[key]
    if name == "Part" and not part_of:
        raise DataJointError(f"--tier part needs its master: add --part-of Master (a table class declared earlier), "
                             f"and {class_name} becomes Master.{class_name}.")
    if part_of and name != "Part":
        raise DataJointError(f"--part-of is for part tables, but --tier is {key}; use --tier part (or drop --tier).")
    if contents and name != "Lookup":
        raise DataJointError(f"--contents is for lookup tables, but --tier is {key}; use --tier lookup, or insert "
                             f"the rows after declaring: {class_name}.insert(rows).")
    if make and name not in ("Imported", "Computed"):
        raise DataJointError(f"--make is for computed and imported tables, but --tier is {key}; "
                             "use --tier computed (or imported).")
    return CellTable(class_name, definition, name, schema, part_of, contents, make)


def _check_class_name(class_name: str) -> None:
    if not _CAMEL_CASE.match(class_name):
        raise DataJointError(f"%%dj_table {class_name!r}: the table class name must be a CamelCase Python name "
                             "(a capital letter, then letters and digits), e.g. SessionTrial.")


class SchemaCache:
    """One :class:`dj.Schema` per schema name, reused by later cells that name it."""

    def __init__(self) -> None:
        self._schemas: dict[str, Schema] = {}

    def get(self, name: str, connection: Any = None) -> tuple[Schema, bool]:
        """The schema called ``name`` on ``connection`` (default ``dj.conn()``) and whether it was just created."""
        if connection is None:
            from ..connection import conn

            connection = conn()
        cached = self._schemas.get(name)
        if cached is not None and cached.connection is connection and cached.exists:
            return cached, False
        is_new = not connection.catalog.schema_exists(name)
        schema = Schema(name, connection=connection)
        self._schemas[name] = schema
        return schema, is_new


def resolve_schema(option: str | None, namespace: Mapping[str, Any], cache: SchemaCache,
                   master: type | None = None) -> tuple[Schema, list[str]]:
    """The schema a cell declares into, and notes (e.g. "created schema ...").

    ``option`` names a ``dj.Schema`` variable of the namespace or, failing that, a schema
    name.  Without it: the master's schema for a part table, else the variable
    ``schema``.
    """
    if option is None and master is not None:
        schema, _ = cache.get(master.database, master._connection)
        return schema, []
    if option is None:
        candidate = namespace.get("schema")
        if isinstance(candidate, Schema):
            return _activated(candidate, "schema"), []
        got = "" if candidate is None else f" (`schema` is a {type(candidate).__name__}, not a dj.Schema)"
        raise DataJointError(
            f"%%dj_table does not know which schema to use{got}. Either create one first, "
            "`schema = dj.Schema('my_pipeline')` (or `%dj_schema my_pipeline`), or name it in the magic line: "
            "--schema my_pipeline (a schema name) or --schema my_schema (a dj.Schema variable)."
        )
    value = namespace.get(option)
    if isinstance(value, Schema):
        return _activated(value, option), []
    schema, is_new = cache.get(option)
    return schema, [f"Created schema `{option}`."] if is_new else []


def _activated(schema: Schema, variable: str) -> Schema:
    if not schema.is_activated():
        raise DataJointError(f"The schema in `{variable}` is not activated: call {variable}.activate('schema_name') first.")
    return schema


def _lookup(namespace: Mapping[str, Any], name: str, option: str) -> Any:
    if name not in namespace:
        raise DataJointError(f"--{option} {name}: there is no variable `{name}` in the notebook. Define it in a cell "
                             "above and run that cell first.")
    return namespace[name]


def _master(namespace: Mapping[str, Any], name: str) -> type:
    value = _lookup(namespace, name, "part-of")
    ok = (isinstance(value, type) and issubclass(value, Table) and value._tier in ("Manual", "Lookup", "Imported", "Computed")
          and value.database is not None and value._table_name is not None)
    if not ok:
        raise DataJointError(f"--part-of {name}: `{name}` is not a declared table class (got {_kind(value)}); "
                             "the master must be a Manual, Lookup, Imported or Computed table declared earlier.")
    return value


def _kind(value: Any) -> str:
    return f"class {value.__name__}" if isinstance(value, type) else f"a {type(value).__name__}"


def _contents(namespace: Mapping[str, Any], name: str) -> list:
    value = _lookup(namespace, name, "contents")
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
        raise DataJointError(f"--contents {name}: expected a list of rows (dicts or tuples), got {_kind(value)}.")
    rows = list(value)
    bad = [r for r in rows if isinstance(r, (str, bytes)) or not (isinstance(r, Mapping) or hasattr(r, "__len__"))]
    if bad:
        raise DataJointError(f"--contents {name}: each row must be a dict or a tuple; got {bad[0]!r}.")
    return rows


def _make(namespace: Mapping[str, Any], name: str) -> Any:
    func = _lookup(namespace, name, "make")
    if not callable(func):
        raise DataJointError(f"--make {name}: expected a function `def {name}(self, key): ...`, got {_kind(func)}.")
    try:
        inspect.signature(func).bind(object(), {})
    except TypeError:
        raise DataJointError(f"--make {name}: the function must take two arguments, (self, key): "
                             f"`def {name}(self, key): ...`.") from None
    except ValueError:  # no signature available (some builtins): trust the caller
        pass
    return func


def _build_class(request: CellTable, namespace: Mapping[str, Any], master: type | None) -> type:
    """The class a ``class`` statement with this body would have made."""
    attrs: dict[str, Any] = {
        "definition": request.definition,
        "__module__": "__main__",
        "__qualname__": f"{master.__name__}.{request.class_name}" if master else request.class_name,
        "__doc__": None,
    }
    if request.contents:
        attrs["contents"] = _contents(namespace, request.contents)
    if request.make:
        attrs["make"] = _make(namespace, request.make)
    return type(request.class_name, (_BASES[request.tier],), attrs)


def declare_cell_table(request: CellTable, namespace: dict[str, Any], cache: SchemaCache) -> CellTableResult:
    """Declare the table of one cell and bind its class in ``namespace``.

    A table that already exists with the same definition is reused (the class is
    rebound); a different definition raises, leaving the namespace unchanged.

    Parameters
    ----------
    request : CellTable
        The parsed cell (:func:`parse_cell_table`).
    namespace : dict
        The notebook's namespace: ``-> Parent`` lines, ``--contents``, ``--make``,
        ``--part-of`` and ``--schema`` are looked up in it.
    cache : SchemaCache
        Schemas created from names by earlier cells.

    Returns
    -------
    CellTableResult

    Examples
    --------
    >>> import dj_jupyter as dj
    >>> ns = {"schema": dj.Schema("doc_cells")}  # doctest: +SKIP
    >>> req = parse_cell_table("Subject", "subject_id : uint16\\n---\\nname : varchar(30)")
    >>> declare_cell_table(req, ns, SchemaCache()).cls is ns["Subject"]  # doctest: +SKIP
    True
    """
    master = _master(namespace, request.part_of) if request.part_of else None
    schema, notes = resolve_schema(request.schema, namespace, cache, master)
    cls = _build_class(request, namespace, master)
    table = table_name_for(request.class_name, request.tier, master._table_name if master else None)
    exists = _check_existing(request, schema, table, cls, namespace, master)
    _declare(request, schema, cls, namespace, master)
    full_name = f"`{schema.database}`.`{table}`"
    if master is not None:
        notes.append(f"{request.class_name} is reachable as {master.__name__}.{request.class_name} ({full_name}).")
    else:
        namespace[request.class_name] = cls
    if exists:
        notes.append(f"{request.class_name}: the table {full_name} already exists with this definition; the class is rebound.")
    if request.tier in ("Imported", "Computed") and not request.make:
        notes.append(f"{request.class_name} has no make yet: define `def make(self, key): ...` and attach it with "
                     f"`{request.class_name}.make = make` (or pass --make) before populate().")
    return CellTableResult(cls, full_name, not exists, notes)


def _check_existing(request: CellTable, schema: Schema, table: str, cls: type, namespace: Mapping[str, Any],
                    master: type | None) -> bool:
    """True if the table exists with the same definition; raise if it exists otherwise."""
    info = existing_info(schema.connection, schema.database, table)
    if info is None:
        if master is None:
            _check_other_tiers(request, schema)
        return False
    context = {**namespace, request.class_name: cls, "self": cls}
    if master is not None:
        context.update({master.__name__: master, "master": master})
    spec = resolve_cell_definition(request.definition, schema=schema.database, table=table, tier=request.tier,
                                   context=context, class_name=request.class_name)
    differences = definition_differences(spec, info)
    if differences:
        name = f"{master.__name__}.{request.class_name}" if master else request.class_name
        listing = "\n".join(f"  - {d}" for d in differences)
        raise DataJointError(
            f"{name} already exists as `{schema.database}`.`{table}` with a different definition:\n{listing}\n"
            f"Nothing was changed. To redefine the table, drop it first ({name}.drop(), which also drops the tables "
            "that depend on it, with their rows) and re-run this cell; or restore the old definition."
        )
    return True


def _check_other_tiers(request: CellTable, schema: Schema) -> None:
    """A re-run cell whose --tier changed would otherwise create a second table of the same class name."""
    state = state_of(schema.connection).schema(schema.database)
    for tier, prefix in TIER_PREFIXES.items():
        other = prefix + to_snake(request.class_name)
        if tier != request.tier and state.has_table(other):
            raise DataJointError(
                f"{request.class_name} already exists in `{schema.database}` as a {tier.lower()} table (`{other}`), "
                f"but this cell declares a {request.tier.lower()} table. Use --tier {tier.lower()}, or drop the "
                f"existing table first ({request.class_name}.drop())."
            )


def _declare(request: CellTable, schema: Schema, cls: type, namespace: dict[str, Any], master: type | None) -> None:
    try:
        if master is not None:
            schema.add_part(master, cls, context=namespace)
        else:
            schema(cls, context=namespace)
    except DataJointError as exc:
        if request.contents and cls._table_name and existing_info(schema.connection, schema.database, cls._table_name):
            raise DataJointError(
                f"{request.class_name} is declared, but inserting --contents {request.contents} failed: {exc}\n"
                "Fix the rows and re-run this cell: rows already inserted are kept, the others are added."
            ) from exc
        raise
