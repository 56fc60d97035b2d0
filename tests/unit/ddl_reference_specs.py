"""The schema of /work/shared/spec/reference-ddl-mariadb.sql written as resolved TableSpecs.

Shared by the DDL snapshot tests (tests/unit/test_ddl.py) and the tests that execute the
DDL on real servers (tests/backends/test_ddl_execute.py).  ``uint_zoo`` is not in the
reference file: it exercises the dj_jupyter departures (unsigned core types, a unique
foreign key, ``%`` in comments and defaults, a bool default).
"""

from __future__ import annotations

from dj_jupyter.definition.syntax import Default, TypeSpec
from dj_jupyter.heading.spec import ColumnSpec, ForeignKeySpec, IndexSpec, TableSpec

__all__ = ["SCHEMA", "reference_tables", "REFERENCE_TABLE_NAMES"]

SCHEMA = "djtest_ddl"


def core(name: str, *args, text: str | None = None) -> TypeSpec:
    """A core TypeSpec; text defaults to ``name(args)`` as DataJoint writes the marker."""
    if text is None:
        text = f"{name}({','.join(map(str, args))})" if args else name
    return TypeSpec(text, "core", name, tuple(args))


def enum(*values: str) -> TypeSpec:
    text = "enum(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"
    return TypeSpec(text, "core", "enum", values)


BLOB = TypeSpec("<blob>", "codec", "blob")
BYTES = core("bytes")
NULL = Default("null")


def col(name, type_, comment="", *, key=False, null=False, default=None, declared=None, marker=True):
    return ColumnSpec(
        name=name,
        type=type_,
        declared=declared or type_,
        nullable=null,
        default=NULL if null and default is None else default,
        comment=comment,
        marker=marker,
        in_key=key,
    )


def inherited(name, type_, comment="", *, key=False, null=False):
    """A column copied from a parent through a foreign key: comment without marker."""
    return col(name, type_, comment, key=key, null=null, marker=False)


def lit(value: str) -> Default:
    return Default("literal", value, quoted=True)


def fk(columns, parent, parent_columns=None):
    columns = tuple(columns)
    return ForeignKeySpec(columns, SCHEMA, parent, tuple(parent_columns or columns))


def table(name, comment, columns, *, fks=(), indexes=()):
    pk = tuple(c.name for c in columns if c.in_key)
    return TableSpec(SCHEMA, name, comment, tuple(columns), pk, tuple(fks), tuple(indexes))


def _species():
    return table("#species", "species lookup with contents", [
        col("species_id", core("int16"), "species number", key=True),
        col("name", core("varchar", 32), "common name"),
        col("latin", core("varchar", 64), null=True),
    ])  # fmt: skip


def _blob_zoo():
    return table("blob_zoo", "one row per <blob> serialization case", [
        col("blob_id", core("varchar", 32), key=True),
        col("value", BYTES, declared=BLOB, null=True),
    ])  # fmt: skip


def _device():
    return table("device", "recording devices, uuid primary key", [
        col("device_id", core("uuid"), key=True),
        col("model", core("varchar", 32)),
        col("serial", core("varchar", 32), null=True),
    ])  # fmt: skip


def _experimenter():
    return table("experimenter", "people who run sessions", [
        col("experimenter", core("varchar", 32), key=True),
        col("full_name", core("varchar", 64)),
        col("created", core("datetime"), "volatile: server time of insert", default=Default("sql", "CURRENT_TIMESTAMP")),
        col("_prov", core("json"), "extrinsic provenance for a row that entered from outside", null=True),
    ])  # fmt: skip


def _subject():
    return table("subject", "experimental subjects", [
        col("subject_id", core("int32"), "subject id", key=True),
        inherited("species_id", core("int16"), "species number"),
        col("sex", enum("F", "M", "U")),
        col("dob", core("date")),
        col("weight_g", core("decimal", 6, 2), "grams"),
        col("notes", core("varchar", 255), default=lit("")),
    ], fks=[fk(["species_id"], "#species")])  # fmt: skip


def _session():
    return table("session", "recording sessions", [
        inherited("subject_id", core("int32"), "subject id", key=True),
        col("session_idx", core("int16"), key=True),
        col("session_start", core("datetime")),
        inherited("experimenter", core("varchar", 32), null=True),
        col("device_id", core("uuid"), null=True),  # uuid keeps its marker through a foreign key
        col("signal", BYTES, "int16 channels x samples", declared=BLOB),
        col("params", core("json")),
    ], fks=[fk(["subject_id"], "subject"), fk(["experimenter"], "experimenter"), fk(["device_id"], "device")],
       indexes=[IndexSpec(("session_start",))])  # fmt: skip


def _pairing():
    return table("pairing", "pairs of subjects, the same parent referenced twice through renames", [
        inherited("subject_a", core("int32"), "subject id", key=True),
        inherited("subject_b", core("int32"), "subject id", key=True),
        col("relation", enum("sibling", "cagemate")),
    ], fks=[fk(["subject_a"], "subject", ["subject_id"]), fk(["subject_b"], "subject", ["subject_id"])])  # fmt: skip


def _type_zoo():
    return table("type_zoo", "one column per core type", [
        col("row_id", core("int16"), key=True),
        col("v_int8", core("int8")), col("v_int16", core("int16")),
        col("v_int32", core("int32")), col("v_int64", core("int64")),
        col("v_float32", core("float32")), col("v_float64", core("float64")),
        col("v_bool", core("bool")), col("v_uuid", core("uuid")), col("v_json", core("json")),
        col("v_date", core("date")), col("v_datetime", core("datetime")),
        col("v_datetime6", core("datetime", 6)), col("v_char", core("char", 4)),
        col("v_varchar", core("varchar", 100), "free \"text\" with 'quotes'"),
        col("v_enum", enum("alpha", "beta", "gamma")), col("v_decimal", core("decimal", 10, 4)),
        col("v_bytes", BYTES),
        col("n_int32", core("int32"), null=True), col("n_float64", core("float64"), null=True),
        col("n_varchar", core("varchar", 10), null=True), col("n_json", core("json"), null=True),
        col("n_uuid", core("uuid"), null=True), col("n_date", core("date"), null=True),
        col("d_int", core("int32"), default=Default("literal", "42")),
        col("d_str", core("varchar", 16), default=lit("dflt")),
        col("d_dec", core("decimal", 4, 2), default=Default("literal", "1.50")),
    ])  # fmt: skip


def _processed():
    return table("__processed_e_m_g", "per-session signal statistics", [
        inherited("subject_id", core("int32"), "subject id", key=True),
        inherited("session_idx", core("int16"), key=True),
        col("n_channels", core("int16")), col("n_samples", core("int32")),
        col("mean_rms", core("float64")), col("summary", BYTES, declared=BLOB),
        col("_job_start_time", core("datetime", 3), "when computation began", null=True),
        col("_job_duration", core("float32"), "computation duration in seconds", null=True),
        col("_job_version", core("varchar", 64), "code version", default=lit("")),
    ], fks=[fk(["subject_id", "session_idx"], "session")])  # fmt: skip


def _channel():
    return table("__processed_e_m_g__channel", "", [
        inherited("subject_id", core("int32"), "subject id", key=True),
        inherited("session_idx", core("int16"), key=True),
        col("channel", core("int16"), key=True),
        col("rms", core("float64")), col("peak_count", core("int32")),
        col("mean_abs", core("float32")), col("trace", BYTES, declared=BLOB),
    ], fks=[fk(["subject_id", "session_idx"], "__processed_e_m_g")])  # fmt: skip


def _peak():
    return table("__processed_e_m_g__peak", "", [
        inherited("subject_id", core("int32"), "subject id", key=True),
        inherited("session_idx", core("int16"), key=True),
        inherited("channel", core("int16"), key=True),
        col("peak_idx", core("int32"), key=True),
        col("sample", core("int32")), col("amplitude", core("int16")),
    ], fks=[fk(["subject_id", "session_idx", "channel"], "__processed_e_m_g__channel")])  # fmt: skip


def _lineage():
    return table("~lineage", "", [
        inherited("table_name", core("varchar", 64), "table name within the schema", key=True),
        inherited("attribute_name", core("varchar", 64), "attribute name", key=True),
        inherited("lineage", core("varchar", 255), "origin: schema.table.attribute"),
    ])  # fmt: skip


def _jobs():
    dt3, now3 = core("datetime", 3), Default("sql", "CURRENT_TIMESTAMP(3)")
    return table("~~processed_e_m_g", "Job queue for `interop_reference`.`__processed_e_m_g`", [
        inherited("subject_id", core("int32"), key=True),
        inherited("session_idx", core("int16"), key=True),
        col("status", enum("pending", "reserved", "success", "error", "ignore")),
        col("priority", core("int8")),
        col("created_time", dt3, default=now3), col("scheduled_time", dt3, default=now3),
        col("reserved_time", dt3, null=True), col("completed_time", dt3, null=True),
        col("duration", core("float64"), null=True),
        col("error_message", core("varchar", 2047), default=lit("")),
        col("error_stack", BYTES, declared=BLOB, null=True),
        col("user", core("varchar", 255), default=lit("")),
        col("host", core("varchar", 255), default=lit("")),
        col("pid", core("int32"), default=Default("literal", "0")),
        col("connection_id", core("int64"), default=Default("literal", "0")),
        col("version", core("varchar", 64), default=lit("")),
    ], indexes=[IndexSpec(("status", "priority", "scheduled_time"))])  # fmt: skip


def _uint_zoo():
    return table("uint_zoo", "unsigned types; 100% dj_jupyter", [
        col("u8", core("uint8"), "rate in %", key=True),
        col("u16", core("uint16")), col("u32", core("uint32")), col("u64", core("uint64")),
        col("flag", core("bool"), default=Default("literal", "true")),
        col("label", core("varchar", 8), default=lit("50%")),
        inherited("species_id", core("int16"), "species number", null=True),
        col("mood", enum("F", "M", "U"), null=True),  # same value set as subject.sex: one PG type
    ], fks=[fk(["species_id"], "#species")], indexes=[IndexSpec(("species_id",), unique=True)])  # fmt: skip


_BUILDERS = (
    _species, _blob_zoo, _device, _experimenter, _subject, _session, _pairing,
    _type_zoo, _processed, _channel, _peak, _lineage, _jobs, _uint_zoo,
)  # fmt: skip


def reference_tables() -> list[TableSpec]:
    """All tables, parents before children."""
    return [build() for build in _BUILDERS]


REFERENCE_TABLE_NAMES = tuple(t.name for t in reference_tables() if t.name != "uint_zoo")
