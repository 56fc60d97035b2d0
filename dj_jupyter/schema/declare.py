"""Resolve a parsed definition against its context into a :class:`TableSpec` and lineage.

Foreign-key references (``-> Parent``, ``-> mod.Parent``, ``-> Parent.proj(new='old')``)
are looked up by name in the declaration context, never evaluated.  The parent's
primary-key attributes become columns of the new table with the parent's type; their
lineage is the parent's.  Hidden platform columns (singleton sentinel, job metadata)
are added here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from ..codecs.registry import resolve_dtype
from ..definition.syntax import (
    AttributeDef,
    Default,
    ForeignKeyDef,
    IndexDef,
    Reference,
    Span,
    TableDef,
    TypeSpec,
)
from ..definition.types import native_type_warning, parse_type
from ..errors import DataJointError, DefinitionError
from ..heading.heading import Attribute
from ..heading.spec import ColumnSpec, ForeignKeySpec, IndexSpec, TableSpec
from ..sql.dialect import Dialect
from ..sql.types import default_sql

__all__ = ["Declaration", "lineage_spec", "resolve_definition"]

logger = logging.getLogger("dj_jupyter")

_BOOL = TypeSpec("bool", "core", "bool")
_JOB_COLUMNS = (
    ColumnSpec("_job_start_time", TypeSpec("datetime(3)", "core", "datetime", (3,)), TypeSpec("datetime(3)", "core", "datetime", (3,)),
               nullable=True, default=Default("null"), comment="when computation began"),
    ColumnSpec("_job_duration", TypeSpec("float32", "core", "float32"), TypeSpec("float32", "core", "float32"),
               nullable=True, default=Default("null"), comment="computation duration in seconds"),
    ColumnSpec("_job_version", TypeSpec("varchar(64)", "core", "varchar", (64,)), TypeSpec("varchar(64)", "core", "varchar", (64,)),
               default=Default("literal", "", quoted=True), comment="code version"),
)
_JSON = TypeSpec("json", "core", "json")
# DataJoint 2.3.4+: rows of a Manual table record where they came from (filled on insert)
_PROVENANCE_COLUMN = ColumnSpec("_prov", _JSON, _JSON, nullable=True, default=Default("null"),
                                comment="extrinsic provenance for a row that entered from outside")


@dataclass(frozen=True)
class Declaration:
    spec: TableSpec
    lineage: dict[str, str]  # attribute -> origin "schema.table.attribute"


def lineage_spec(schema: str) -> TableSpec:
    """The ``~lineage`` service table, laid out as DataJoint 2.x lays it out."""
    def col(name: str, n: int, comment: str) -> ColumnSpec:
        t = TypeSpec(f"varchar({n})", "core", "varchar", (n,))
        return ColumnSpec(name, t, t, comment=comment, marker=False, in_key=name != "lineage")

    return TableSpec(
        schema, "~lineage", "",
        (col("table_name", 64, "table name within the schema"), col("attribute_name", 64, "attribute name"),
         col("lineage", 255, "origin: schema.table.attribute")),
        ("table_name", "attribute_name"),
    )


def resolve_definition(
    tdef: TableDef,
    *,
    schema: str,
    table: str,
    tier: str,
    context: dict[str, Any],
    class_name: str = "",
    add_job_metadata: bool = False,
    add_provenance: bool = False,
    allow_new_pk_in_computed: bool = False,
    dialect: Dialect | None = None,
) -> Declaration:
    """Resolve a parsed definition into the table to create and its lineage.

    Parameters
    ----------
    tdef : TableDef
        The parsed definition.
    schema, table : str
        Where the table goes (``table`` is the SQL name, tier prefix included).
    tier : str
        ``"Manual"``, ``"Lookup"``, ``"Imported"``, ``"Computed"`` or ``"Part"``.
    context : dict
        Names that ``->`` lines may reference.
    class_name : str
        For error messages.
    add_job_metadata : bool
        Add the hidden ``_job_*`` columns (Imported and Computed tables only).
    add_provenance : bool
        Add the hidden ``_prov`` column (Manual tables only).
    allow_new_pk_in_computed : bool
        Let Imported/Computed tables declare primary-key attributes of their own.
    dialect : Dialect, optional
        When given, defaults are checked against their types here, so that a bad default
        is reported with its line and column.

    Raises
    ------
    DefinitionError
        A reference cannot be resolved, an attribute is defined twice, a primary-key
        attribute is nullable or blob-like, a codec is unknown, a default does not fit its
        type, or an auto-populated table declares its own primary-key attribute.
    """
    columns: list[ColumnSpec] = []
    primary_key: list[str] = []
    fks: list[ForeignKeySpec] = []
    indexes: list[IndexSpec] = []
    lineage: dict[str, str] = {}
    fk_columns: set[str] = set()
    key_spans: dict[str, Span] = {}

    def fail(message: str, span: Span) -> DefinitionError:
        return DefinitionError(message, line=span.line, column=span.column, text=span.text, table=class_name or table)

    for item in tdef.items:
        if isinstance(item, ForeignKeyDef):
            parent = _resolve_reference(item.ref, context, item.span, fail)
            child_cols: list[str] = []
            parent_cols: list[str] = []
            renames = dict(item.ref.renames)
            parent_heading = parent.heading
            inverse = {old: new for new, old in renames.items()}
            unknown = [old for old in renames.values() if old not in parent_heading.primary_key]
            if unknown:
                raise fail(f"-> {item.ref.text}: `{unknown[0]}` is not a primary-key attribute of {item.ref.names[-1]} "
                           f"(its key: {', '.join(parent_heading.primary_key)}).", item.span)
            for pk in parent_heading.primary_key:
                pattr = parent_heading[pk]
                name = inverse.get(pk, pk)
                child_cols.append(name)
                parent_cols.append(pk)
                if any(c.name == name for c in columns):
                    continue  # shared with an earlier foreign key
                columns.append(_inherited_column(name, pattr, item, dialect))
                fk_columns.add(name)
                if item.in_key:
                    primary_key.append(name)
                lineage[name] = pattr.lineage or f"{parent.database}.{parent.table_name}.{pk}"
            fks.append(ForeignKeySpec(tuple(child_cols), parent.database, parent.table_name, tuple(parent_cols)))
            if item.unique:
                indexes.append(IndexSpec(tuple(child_cols), unique=True))
        elif isinstance(item, AttributeDef):
            col = _declared_column(item, fail, dialect)
            if any(c.name == col.name for c in columns):
                raise fail(f"Attribute `{col.name}` is already defined (by a foreign key or an earlier line).", item.span)
            columns.append(col)
            if item.in_key:
                primary_key.append(col.name)
                key_spans[col.name] = item.span
                lineage[col.name] = f"{schema}.{table}.{col.name}"
        elif isinstance(item, IndexDef):
            indexes.append(IndexSpec(tuple(_index_item(i) for i in item.items), unique=item.unique))

    if tier in ("Computed", "Imported") and not allow_new_pk_in_computed:
        own = [k for k in primary_key if k not in fk_columns]
        if own:
            raise fail(
                f"Auto-populated table {class_name or table} may only have primary-key attributes that come from foreign keys; "
                f"`{own[0]}` is declared directly. Move it below '---', put per-key results in a part table, or set "
                "dj.config['jobs.allow_new_pk_fields_in_computed_tables'] = True.",
                key_spans[own[0]],
            )
    if not primary_key:
        columns.insert(0, ColumnSpec("_singleton", _BOOL, _BOOL, default=Default("literal", "1"), in_key=True))
        primary_key = ["_singleton"]
    if add_job_metadata and tier in ("Computed", "Imported"):
        columns.extend(_JOB_COLUMNS)
    if add_provenance and tier == "Manual":
        columns.append(_PROVENANCE_COLUMN)
    ordered = [c for c in columns if c.name in primary_key] + [c for c in columns if c.name not in primary_key]
    spec = TableSpec(schema, table, tdef.comment, tuple(ordered), tuple(primary_key), tuple(fks), tuple(indexes))
    return Declaration(spec, lineage)


def _declared_column(item: AttributeDef, fail, dialect: Dialect | None) -> ColumnSpec:
    declared = t = item.type
    if t.kind == "codec":
        t = _codec_storage(item, fail)
    if item.in_key and declared.kind == "codec":
        raise fail(f"Attribute `{item.name}` of type {declared.text} cannot be in the primary key; move it below '---'.",
                   item.span)
    if item.in_key and (t.name in ("json", "bytes") or "blob" in t.name or t.name in ("text", "longtext")):
        raise fail(f"Attribute `{item.name}` of type {t.text} cannot be in the primary key; move it below '---'.", item.span)
    if t.kind == "native":
        logger.warning(native_type_warning(t, item.name))
    nullable = item.nullable
    if nullable and item.in_key:
        raise fail("Primary key attributes cannot be nullable.", item.span)
    if dialect is not None and item.default is not None:
        try:
            default_sql(dialect, item.name, t, item.default)
        except DataJointError as error:
            raise fail(str(error), _default_span(item.span)) from None
    return ColumnSpec(item.name, t, declared, nullable=nullable, default=item.default, comment=item.comment,
                      marker=declared.kind != "native", in_key=item.in_key)


def _codec_storage(item: AttributeDef, fail) -> TypeSpec:
    """The core type that stores a codec attribute (``<blob>`` -> bytes, ``<blob@>`` -> json)."""
    try:
        final, _, _ = resolve_dtype(item.type.text)
    except DataJointError as error:
        raise fail(str(error), item.span) from None
    return parse_type(final)


def _default_span(span: Span) -> Span:
    """The span of the default value (after ``=``) on an attribute line."""
    equals = span.text.find("=")
    if equals < 0:
        return span
    rest = span.text[equals + 1 :]
    return Span(span.line, equals + 2 + len(rest) - len(rest.lstrip()), span.text)


def _inherited_column(name: str, parent: Attribute, fk: ForeignKeyDef, dialect: Dialect | None) -> ColumnSpec:
    """A column copied from the parent's key.

    On MySQL the copy carries no type marker (except uuid), exactly as DataJoint 2.x
    writes it: the SQL type says it all there.  On PostgreSQL and SQLite unsigned
    types are stored in wider signed columns, so the copy keeps the parent's marker
    and the declared type survives the foreign key.
    """
    storage = parent.type if parent.type.kind != "codec" else parse_type(parent.sql_type)
    keep_marker = parent.type.kind == "core" and (
        parent.type.name == "uuid" or (dialect is not None and dialect.name != "mysql"))
    return ColumnSpec(
        name, storage, parent.type,
        nullable=fk.nullable,
        default=Default("null") if fk.nullable else None,
        comment=parent.comment,
        marker=keep_marker,
        in_key=fk.in_key,
    )


def _index_item(text: str) -> str:
    t = text.strip()
    return t.strip("`\"") if t.replace("_", "").isalnum() else t


def _resolve_reference(ref: Reference, context: dict[str, Any], span: Span, fail) -> Any:
    head = ref.names[0]
    if head not in context:
        known = sorted(k for k, v in context.items() if isinstance(v, type) and hasattr(v, "_node_for_class"))
        hint = f" Tables in scope: {', '.join(known)}." if known else ""
        raise fail(f"-> {ref.text}: `{head}` is not defined in the declaration context.{hint} "
                   "Declare the parent table first (in this cell or an earlier one), or import it.", span)
    obj = context[head]
    for attr in ref.names[1:]:
        try:
            obj = getattr(obj, attr)
        except AttributeError:
            raise fail(f"-> {ref.text}: `{attr}` not found in {head}.", span) from None
    table = obj() if isinstance(obj, type) else obj
    if not (hasattr(table, "table_name") and hasattr(table, "database") and hasattr(table, "heading")):
        raise fail(f"-> {ref.text} does not name a table (got {type(obj).__name__}).", span)
    if getattr(table, "is_restricted", False):
        raise fail(f"-> {ref.text}: a foreign key must reference a whole table, not a restriction.", span)
    if table.database is None:
        raise fail(f"-> {ref.text}: that table is not declared in a schema yet.", span)
    return table
