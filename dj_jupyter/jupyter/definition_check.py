"""Compare a table definition with the table that already exists in the database.

Re-running a ``%%dj_table`` cell must be harmless when nothing changed, and must not
silently keep an old table when the cell now says something else.  The definition is
resolved exactly as a declaration would resolve it (foreign keys expanded, types
checked) and the result is compared with the catalog's description of the table.

Compared: attribute names and order, the primary key, declared types and comments
(both live in the column comment, ``:type:comment``), nullability, the tables
referenced by foreign keys and the table comment.  Hidden attributes (``_name``) are
skipped: job metadata depends on settings, not on the definition.  Defaults and the
SQL types of native (non-core) attributes are not compared.
"""

from __future__ import annotations

from typing import Any

from ..definition.parser import parse_definition
from ..heading.heading import split_marker
from ..heading.spec import TableInfo, TableSpec
from ..schema.catalog_state import state_of
from ..schema.declare import resolve_definition

__all__ = ["definition_differences", "existing_info", "resolve_cell_definition"]


def _settings() -> Any:
    from ..settings import config

    return config


def existing_info(connection: Any, schema: str, table: str) -> TableInfo | None:
    """The catalog description of ``schema.table``, or None if the table does not exist."""
    state = state_of(connection).schema(schema)
    return state.info(table) if state.has_table(table) else None


def resolve_cell_definition(definition: str, *, schema: str, table: str, tier: str, context: dict,
                            class_name: str) -> TableSpec:
    """Resolve ``definition`` into the :class:`TableSpec` a declaration would create.

    Raises
    ------
    DefinitionError
        The definition is malformed or references a table that is not in ``context``.
    """
    cfg = _settings()
    tdef = parse_definition(definition, table=class_name)
    decl = resolve_definition(
        tdef, schema=schema, table=table, tier=tier, context=context, class_name=class_name,
        add_job_metadata=bool(cfg["jobs.add_job_metadata"]),
        allow_new_pk_in_computed=bool(cfg["jobs.allow_new_pk_fields_in_computed_tables"]),
    )
    return decl.spec


def _names(items: Any) -> str:
    return "(" + ", ".join(items) + ")" if items else "(none)"


def definition_differences(spec: TableSpec, info: TableInfo) -> list[str]:
    """Human-readable differences between a resolved definition and an existing table.

    Parameters
    ----------
    spec : TableSpec
        What the definition asks for (from :func:`resolve_cell_definition`).
    info : TableInfo
        What the database holds.

    Returns
    -------
    list of str
        One line per difference, empty if the definition matches the table.
    """
    out: list[str] = []
    wanted = {c.name: c for c in spec.columns if not c.name.startswith("_")}
    found = {c.name: c for c in info.columns if not c.name.startswith("_")}
    if list(wanted) != list(found):
        out.append(f"attributes: the table has {_names(found)}, the cell has {_names(wanted)}")
    pk_wanted = [k for k in spec.primary_key if not k.startswith("_")]
    pk_found = [k for k in info.primary_key if not k.startswith("_")]
    if pk_wanted != pk_found:
        out.append(f"primary key: the table has {_names(pk_found)}, the cell has {_names(pk_wanted)}")
    for name in [n for n in wanted if n in found]:
        out += _column_differences(name, wanted[name], found[name])
    parents_wanted = sorted(f"{fk.parent_table}" for fk in spec.foreign_keys)
    parents_found = sorted(f"{fk.parent_table}" for fk in info.foreign_keys)
    if parents_wanted != parents_found:
        out.append(f"foreign keys: the table references {_names(parents_found)}, the cell references {_names(parents_wanted)}")
    if (spec.comment or "") != (info.comment or ""):
        out.append(f"table comment: the table has {info.comment!r}, the cell has {spec.comment!r}")
    return out


def _column_differences(name: str, wanted: Any, found: Any) -> list[str]:
    out = []
    type_w, comment_w = split_marker(wanted.stored_comment)
    type_f, comment_f = split_marker(found.comment)
    if type_w != type_f and type_w is not None:
        out.append(f"`{name}`: type {type_f or found.sql_type} in the table, {type_w} in the cell")
    if comment_w != comment_f:
        out.append(f"`{name}`: comment {comment_f!r} in the table, {comment_w!r} in the cell")
    if bool(wanted.nullable) != bool(found.nullable):
        out.append(f"`{name}`: {'nullable' if found.nullable else 'not nullable'} in the table, "
                   f"{'nullable' if wanted.nullable else 'not nullable'} in the cell")
    return out
