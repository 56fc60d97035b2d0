"""Per-dialect type tables: core types -> SQL column types, CHECK constraints, defaults, and back.

Every dialect difference is a row in a table below, not a branch in code.

* MySQL/MariaDB store core types exactly as DataJoint 2.x does (``uint*`` as ``unsigned``).
* PostgreSQL uses the next wider signed type with a ``CHECK`` for unsigned integers
  (``uint64`` -> ``numeric(20,0)``), and a schema-level ``ENUM`` type per value set.
* SQLite keeps the DataJoint type names, which give the right type affinity, and adds
  ``CHECK`` constraints for what the other servers enforce by type (integer ranges, enum
  values, string lengths, booleans).  SQLite integers are 64-bit signed, so ``uint64``
  holds 0 ... 2**63-1 there; ``decimal`` has NUMERIC affinity, so values are stored as
  integers or doubles (at most ~15 significant digits survive).

All text returned here is driver-ready: ``%`` is already doubled for drivers that
format parameters with ``%`` (see :meth:`Dialect.escape_text`).
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal, InvalidOperation

from ..definition.syntax import Default, TypeSpec
from ..errors import DataJointError, UnsupportedError
from .dialect import Dialect

__all__ = [
    "CORE_TYPES",
    "check_constraint",
    "column_type",
    "core_type_from_sql",
    "default_sql",
    "enum_type_name",
]

# ---------------------------------------------------------------------------------------------
# forward tables: core type name -> SQL type template
# placeholders: {n} char length, {p} {s} decimal, {prec} "(n)" or "", {values} enum literals,
# {enum_type} the qualified PostgreSQL enum type
_MYSQL = {
    "int8": "tinyint", "int16": "smallint", "int32": "int", "int64": "bigint",
    "uint8": "tinyint unsigned", "uint16": "smallint unsigned",
    "uint32": "int unsigned", "uint64": "bigint unsigned",
    "float32": "float", "float64": "double", "bool": "tinyint",
    "uuid": "binary(16)", "json": "json", "bytes": "longblob",
    "date": "date", "datetime": "datetime{prec}",
    "char": "char({n})", "varchar": "varchar({n})",
    "enum": "enum({values})", "decimal": "decimal({p},{s})",
}  # fmt: skip

_POSTGRESQL = {
    "int8": "smallint", "int16": "smallint", "int32": "integer", "int64": "bigint",
    "uint8": "smallint", "uint16": "integer", "uint32": "bigint", "uint64": "numeric(20,0)",
    "float32": "real", "float64": "double precision", "bool": "boolean",
    "uuid": "uuid", "json": "jsonb", "bytes": "bytea",
    "date": "date", "datetime": "timestamp{prec}",
    "char": "char({n})", "varchar": "varchar({n})",
    "enum": "{enum_type}", "decimal": "numeric({p},{s})",
}  # fmt: skip

_SQLITE = {
    "int8": "tinyint", "int16": "smallint", "int32": "int", "int64": "bigint",
    "uint8": "smallint", "uint16": "int", "uint32": "bigint", "uint64": "bigint",
    "float32": "float", "float64": "double", "bool": "boolean",
    "uuid": "binary(16)", "json": "text", "bytes": "blob",
    "date": "date", "datetime": "datetime{prec}",
    "char": "char({n})", "varchar": "varchar({n})",
    "enum": "text", "decimal": "decimal({p},{s})",
}  # fmt: skip

_TYPE_TABLES = {"mysql": _MYSQL, "postgresql": _POSTGRESQL, "sqlite": _SQLITE}

CORE_TYPES: tuple[str, ...] = tuple(_MYSQL)

INTEGER_RANGES = {
    "int8": (-(2**7), 2**7 - 1), "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1),
    "uint8": (0, 2**8 - 1), "uint16": (0, 2**16 - 1),
    "uint32": (0, 2**32 - 1), "uint64": (0, 2**64 - 1),
}  # fmt: skip

# which CHECK each dialect adds, by core type.  PostgreSQL: unsigned ranges, and int8 because
# smallint is wider than int8.  SQLite: everything MySQL would refuse by type.
_CHECKS = {
    "mysql": {},
    "postgresql": {"int8": "range", "uint8": "range", "uint16": "range", "uint32": "range", "uint64": "range"},
    "sqlite": {
        "int8": "range", "int16": "range", "int32": "range",
        "uint8": "range", "uint16": "range", "uint32": "range", "uint64": "nonnegative",
        "bool": "boolean", "enum": "enum", "char": "length", "varchar": "length",
    },
}  # fmt: skip

# MySQL-only native types given on PostgreSQL: the core type whose PostgreSQL column fits them
_PG_NATIVE_AS_CORE = {
    "tinyint": "int8", "smallint": "int16", "mediumint": "int32", "int": "int32", "integer": "int32",
    "bigint": "int64", "tinyint unsigned": "uint8", "smallint unsigned": "uint16",
    "mediumint unsigned": "uint32", "int unsigned": "uint32", "integer unsigned": "uint32",
    "bigint unsigned": "uint64", "float": "float32", "double": "float64",
    "tinyblob": "bytes", "blob": "bytes", "mediumblob": "bytes", "longblob": "bytes",
}  # fmt: skip
_PG_NATIVE_TEXT = {"tinytext": "text", "mediumtext": "text", "longtext": "text", "datetime": "timestamp"}

_INT_DISPLAY_WIDTH = re.compile(r"\b(tinyint|smallint|mediumint|int|integer|bigint)\s*\(\s*\d+\s*\)")


def enum_type_name(values) -> str:
    """The PostgreSQL enum type name for a set of values (shared by tables with the same set).

    Examples
    --------
    >>> enum_type_name(("F", "M", "U"))
    'enum_e54fc739'
    """
    digest = hashlib.md5("_".join(sorted(values)).encode("utf-8")).hexdigest()
    return "enum_" + digest[:8]


def column_type(dialect: Dialect, spec: TypeSpec, *, schema: str | None = None) -> str:
    """The SQL column type for a core or native storage type.

    Parameters
    ----------
    dialect : Dialect
    spec : TypeSpec
        kind ``"core"`` or ``"native"`` (codecs must be resolved to their storage type first).
    schema : str, optional
        PostgreSQL only: the schema holding enum types; the returned name is qualified with it.

    Returns
    -------
    str
        Driver-ready SQL text, e.g. ``"smallint unsigned"`` or ``'"lab"."enum_e54fc739"'``.

    Examples
    --------
    >>> from dj_jupyter.sql.dialect import POSTGRESQL
    >>> column_type(POSTGRESQL, TypeSpec("uint16", "core", "uint16"))
    'integer'
    """
    if spec.kind == "native":
        return _native_type(dialect, spec.name)
    if spec.kind != "core":
        raise DataJointError(
            f"Cannot create a column of codec type {spec.text!r}: expected its storage type "
            "(a core or native type). Resolve the codec before compiling DDL."
        )
    template = _core_template(dialect, spec)
    return template.format(**_template_fields(dialect, spec, schema))


def _core_template(dialect: Dialect, spec: TypeSpec) -> str:
    try:
        return _TYPE_TABLES[dialect.name][spec.name]
    except KeyError:
        raise DataJointError(
            f"Unknown core type {spec.text!r}: expected one of {', '.join(CORE_TYPES)}."
        ) from None


def _template_fields(dialect: Dialect, spec: TypeSpec, schema: str | None) -> dict:
    args = spec.args
    fields = {"prec": "", "values": "", "enum_type": "", "n": "", "p": "", "s": ""}
    if spec.name in ("char", "varchar"):
        fields["n"] = _int_arg(spec, 0)
    elif spec.name == "decimal":
        fields["p"], fields["s"] = _int_arg(spec, 0), _int_arg(spec, 1)
    elif spec.name == "datetime" and args:
        fields["prec"] = f"({_int_arg(spec, 0)})"
    elif spec.name == "enum":
        if not args:
            raise DataJointError(f"Type {spec.text!r} lists no enum values: expected enum('a', 'b', ...).")
        fields["values"] = ",".join(dialect.string_literal(str(v)) for v in args)
        name = dialect.escape_text(dialect.quote(enum_type_name(args)))
        fields["enum_type"] = f"{dialect.escape_text(dialect.quote(schema))}.{name}" if schema else name
    return fields


def _int_arg(spec: TypeSpec, i: int) -> int:
    try:
        return int(spec.args[i])
    except (IndexError, TypeError, ValueError):
        raise DataJointError(f"Type {spec.text!r}: expected an integer argument at position {i + 1}, got {spec.args!r}.") from None


def _normalise_native(text: str) -> str:
    return " ".join(_INT_DISPLAY_WIDTH.sub(r"\1", text.lower()).split())


def _native_type(dialect: Dialect, text: str) -> str:
    if "auto_increment" in text.lower():
        return _auto_increment_type(dialect, text)
    if dialect.name == "postgresql":
        key = _normalise_native(text)
        if key in _PG_NATIVE_AS_CORE:
            return _POSTGRESQL[_PG_NATIVE_AS_CORE[key]]
        match = re.fullmatch(r"datetime\s*\((\d)\)", key)
        if match:
            return f"timestamp({match.group(1)})"
        text = _PG_NATIVE_TEXT.get(key, text)
    return dialect.escape_text(text)


def _auto_increment_type(dialect: Dialect, text: str) -> str:
    base = re.sub(r"\s*auto_increment\s*", " ", text, flags=re.IGNORECASE).strip()
    if dialect.name == "mysql":
        return dialect.escape_text(text)
    if dialect.name == "postgresql":
        return f"{_native_type(dialect, base)} GENERATED BY DEFAULT AS IDENTITY"
    raise UnsupportedError(
        f"Native type {text!r}: auto_increment is not supported on {dialect.name}. "
        "Use an explicit integer key (for example int32) and assign values on insert."
    )


def _native_as_core(dialect: Dialect, spec: TypeSpec) -> str | None:
    """The core type name whose rules (checks, defaults) apply to a native type, if any."""
    if spec.kind == "core":
        return spec.name
    if spec.kind == "native" and dialect.name == "postgresql":
        return _PG_NATIVE_AS_CORE.get(_normalise_native(spec.name))
    return None


# ---------------------------------------------------------------------------------------------
# CHECK constraints


def check_constraint(dialect: Dialect, column_name: str, spec: TypeSpec) -> str | None:
    """The ``CHECK (...)`` this dialect needs for a column, or None.

    Examples
    --------
    >>> from dj_jupyter.sql.dialect import POSTGRESQL
    >>> check_constraint(POSTGRESQL, "n", TypeSpec("uint8", "core", "uint8"))
    'CHECK ("n" BETWEEN 0 AND 255)'
    """
    core = _native_as_core(dialect, spec)
    kind = _CHECKS[dialect.name].get(core) if core else None
    if kind is None:
        return None
    col = dialect.escape_text(dialect.quote(column_name))
    if kind == "range":
        low, high = INTEGER_RANGES[core]
        condition = f"{col} BETWEEN {low} AND {high}"
    elif kind == "nonnegative":
        condition = f"{col} >= 0"
    elif kind == "boolean":
        condition = f"{col} IN (0, 1)"
    elif kind == "length":
        condition = f"length({col}) <= {_int_arg(spec, 0)}"
    else:  # enum
        condition = f"{col} IN ({', '.join(dialect.string_literal(str(v)) for v in spec.args)})"
    return f"CHECK ({condition})"


# ---------------------------------------------------------------------------------------------
# defaults

_SQL_CONSTANT = re.compile(r"current_timestamp\s*(?:\(\s*(\d?)\s*\))?", re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+)(?:\.(\d*))?|[+-]?\.(\d+)")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)?")
_BOOL_WORDS = {"1": True, "0": False, "true": True, "false": False}
_NO_DEFAULT_CORE = {"json", "bytes"}
# how each dialect writes a validated number / boolean default
_QUOTE_NUMBERS = {"mysql": True, "postgresql": True, "sqlite": False}
_BOOLEAN_LITERALS = {"mysql": ("'0'", "'1'"), "postgresql": ("FALSE", "TRUE"), "sqlite": ("0", "1")}


def default_sql(dialect: Dialect, name: str, spec: TypeSpec, default: Default | None) -> str | None:
    """The validated SQL text of a non-null default (without ``DEFAULT``), or None.

    ``None`` and ``= null`` defaults give None (the column clause says ``NOT NULL`` or
    ``DEFAULT NULL``).  Literals are checked against the type and always rendered as quoted,
    escaped literals; numbers are quoted too except on SQLite (where a quoted number in a
    column default would keep text affinity).

    Raises
    ------
    DataJointError
        The default does not fit the type: a blob/bytes/json/uuid column with a non-null
        default, a value outside an enum, a non-number for a numeric type, an unknown SQL
        constant.  The message names the attribute.
    """
    if default is None or default.kind == "null":
        return None
    if default.kind == "sql":
        return _sql_constant(dialect, name, spec, default.value or "")
    value = default.value if default.value is not None else ""
    _refuse_defaultless_types(name, spec)
    core = _native_as_core(dialect, spec)
    checker = _LITERAL_CHECKS.get(core) if core else None
    if checker is not None:
        return checker(dialect, name, spec, value)
    return dialect.string_literal(value)


def _fail(name: str, spec: TypeSpec, expected: str, got: str, hint: str = "") -> DataJointError:
    message = f"Attribute {name!r} of type {spec.text}: the default must be {expected}, got {got!r}."
    return DataJointError(message + (" " + hint if hint else ""))


def _is_blob_like(native: str) -> bool:
    return any(word in native.lower() for word in ("blob", "json", "bytea"))


def _refuse_defaultless_types(name: str, spec: TypeSpec) -> None:
    blocked = spec.name in _NO_DEFAULT_CORE | {"uuid"} if spec.kind == "core" else _is_blob_like(spec.name)
    if blocked:
        raise DataJointError(
            f"Attribute {name!r} of type {spec.text}: only `= null` is allowed as a default for "
            "blob, bytes, json and uuid attributes. Remove the default or write `= null`."
        )


def _sql_constant(dialect: Dialect, name: str, spec: TypeSpec, text: str) -> str:
    match = _SQL_CONSTANT.fullmatch(text.strip())
    is_time = (spec.kind == "core" and spec.name == "datetime") or (spec.kind == "native" and "time" in spec.name)
    if match is None or not is_time:
        raise _fail(name, spec, "a literal or CURRENT_TIMESTAMP[(n)] on a datetime attribute", text)
    precision = int(match.group(1) or 0)
    if dialect.name == "sqlite" and precision:
        # SQLite's CURRENT_TIMESTAMP has whole seconds; strftime gives milliseconds
        return dialect.escape_text("(strftime('%Y-%m-%d %H:%M:%f', 'now'))")
    return f"CURRENT_TIMESTAMP({precision})" if precision else "CURRENT_TIMESTAMP"


def _number(dialect: Dialect, text: str) -> str:
    return f"'{text}'" if _QUOTE_NUMBERS[dialect.name] else text


def _check_integer(dialect, name, spec, value):
    text = value.strip()
    core = _native_as_core(dialect, spec)
    low, high = INTEGER_RANGES[core]
    if not _INTEGER.fullmatch(text) or not low <= int(text) <= high:
        raise _fail(name, spec, f"a whole number from {low} to {high}", value)
    return _number(dialect, str(int(text)))


def _check_float(dialect, name, spec, value):
    text = value.strip()
    if not _FLOAT.fullmatch(text):
        raise _fail(name, spec, "a number such as 1.5 or 2e-3", value)
    return _number(dialect, text)


def _check_decimal(dialect, name, spec, value):
    text = value.strip()
    precision, scale = _int_arg(spec, 0), _int_arg(spec, 1)
    try:
        number = Decimal(text) if _DECIMAL.fullmatch(text) else None
    except InvalidOperation:
        number = None
    if number is None or abs(number) >= Decimal(10) ** (precision - scale):
        raise _fail(name, spec, f"a number with at most {precision - scale} digits before the point", value)
    return _number(dialect, text)


def _check_bool(dialect, name, spec, value):
    word = _BOOL_WORDS.get(value.strip().lower())
    if word is None:
        raise _fail(name, spec, "one of 0, 1, true, false", value)
    return _BOOLEAN_LITERALS[dialect.name][word]


def _check_enum(dialect, name, spec, value):
    if value not in spec.args:
        allowed = ", ".join(repr(v) for v in spec.args)
        raise _fail(name, spec, f"one of the enum values ({allowed})", value, "Enum values are case-sensitive.")
    return dialect.string_literal(value)


def _check_date(dialect, name, spec, value):
    pattern = _DATE if spec.name == "date" else _DATETIME
    if not pattern.fullmatch(value.strip()):
        shape = "YYYY-MM-DD" if spec.name == "date" else "YYYY-MM-DD[ HH:MM:SS[.ffffff]]"
        raise _fail(name, spec, f"a {spec.name} written {shape}", value, "Or use CURRENT_TIMESTAMP (unquoted).")
    return dialect.string_literal(value.strip())


def _check_string(dialect, name, spec, value):
    limit = _int_arg(spec, 0)
    if len(value) > limit:
        raise _fail(name, spec, f"at most {limit} characters long", value)
    return dialect.string_literal(value)


_LITERAL_CHECKS = {
    **{t: _check_integer for t in INTEGER_RANGES},
    "float32": _check_float, "float64": _check_float, "decimal": _check_decimal,
    "bool": _check_bool, "enum": _check_enum, "char": _check_string, "varchar": _check_string,
    "date": _check_date, "datetime": _check_date,
}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# reverse: a database-reported column type -> the best core type

_REVERSE_SIMPLE = {
    "mysql": {
        "tinyint": "int8", "smallint": "int16", "int": "int32", "bigint": "int64",
        "tinyint unsigned": "uint8", "smallint unsigned": "uint16",
        "int unsigned": "uint32", "bigint unsigned": "uint64",
        "float": "float32", "double": "float64", "json": "json", "longblob": "bytes",
        "date": "date", "datetime": "datetime",
    },
    "postgresql": {
        "smallint": "int16", "integer": "int32", "bigint": "int64",
        # numeric(20,0) is how uint64 is stored; its values are whole numbers either way
        "numeric(20,0)": "uint64",
        "real": "float32", "double precision": "float64", "boolean": "bool",
        "uuid": "uuid", "jsonb": "json", "json": "json", "bytea": "bytes", "date": "date",
        "timestamp without time zone": "datetime", "timestamp": "datetime",
    },
    "sqlite": {
        "tinyint": "int8", "smallint": "int16", "int": "int32", "bigint": "int64",
        "float": "float32", "double": "float64", "boolean": "bool", "blob": "bytes",
        "date": "date", "datetime": "datetime",
    },
}  # fmt: skip

# (pattern, core name); groups are the integer arguments
_COMMON_PATTERNS = (
    (r"char\((\d+)\)", "char"),
    (r"varchar\((\d+)\)", "varchar"),
    (r"decimal\((\d+),(\d+)\)", "decimal"),
    (r"datetime\((\d)\)", "datetime"),
)
_REVERSE_PATTERNS = {
    "mysql": _COMMON_PATTERNS,
    "sqlite": _COMMON_PATTERNS,
    "postgresql": (
        (r"(?:character|char|bpchar)\((\d+)\)", "char"),
        (r"(?:character varying|varchar)\((\d+)\)", "varchar"),
        (r"numeric\((\d+),(\d+)\)", "decimal"),
        (r"timestamp\((\d)\)(?: without time zone)?", "datetime"),
    ),
}


def core_type_from_sql(dialect: Dialect, sql_type: str) -> TypeSpec:
    """The best core type for a column type reported by the database.

    Used for columns without a ``:type:`` comment marker (columns inherited through a
    foreign key).  Returns kind ``"core"`` when the SQL type maps to one core type, else
    kind ``"native"`` with the reported text.  Ambiguous storage types resolve to the type
    that reads the values back unchanged: MySQL ``tinyint`` -> ``int8`` (not ``bool``),
    PostgreSQL ``smallint`` -> ``int16``, ``integer`` -> ``int32``.  ``binary(16)`` stays
    native: a uuid column always carries its ``:uuid:`` marker.

    An enum may be given as ``enum('a','b')`` on every dialect.  A PostgreSQL enum type
    name (``enum_1a2b3c4d``) cannot be resolved without the database: the catalog should
    read its values from ``pg_enum`` and pass the ``enum(...)`` text instead.

    Examples
    --------
    >>> from dj_jupyter.sql.dialect import POSTGRESQL
    >>> core_type_from_sql(POSTGRESQL, "character varying(32)")
    TypeSpec(text='varchar(32)', kind='core', name='varchar', args=(32,), store=None)
    """
    text = " ".join(sql_type.strip().split())
    key = _INT_DISPLAY_WIDTH.sub(r"\1", text.lower()).replace(", ", ",")
    if key.startswith("enum(") and key.endswith(")"):
        values = _parse_enum_values(text[text.index("(") + 1 : -1], dialect)
        return TypeSpec(_enum_text(values), "core", "enum", values)
    name = _REVERSE_SIMPLE[dialect.name].get(key)
    if name is not None:
        return TypeSpec(name, "core", name)
    for pattern, name in _REVERSE_PATTERNS[dialect.name]:
        match = re.fullmatch(pattern, key)
        if match:
            args = tuple(int(g) for g in match.groups())
            return TypeSpec(f"{name}({','.join(map(str, args))})", "core", name, args)
    return TypeSpec(text, "native", text.lower())


def _enum_text(values: tuple[str, ...]) -> str:
    # the marker form DataJoint writes: enum('a', 'b')
    return "enum(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def _parse_enum_values(body: str, dialect: Dialect) -> tuple[str, ...]:
    """Split ``'a','it''s'`` into python strings (MySQL may also escape with backslashes)."""
    values, i = [], 0
    while i < len(body):
        if body[i] in " ,":
            i += 1
            continue
        if body[i] != "'":
            raise DataJointError(f"Cannot read enum values {body!r}: expected quoted values such as 'a','b'.")
        value, i = _read_quoted(body, i + 1, backslash=dialect.name == "mysql")
        values.append(value)
    return tuple(values)


def _read_quoted(body: str, i: int, *, backslash: bool) -> tuple[str, int]:
    chars = []
    while i < len(body):
        c = body[i]
        if backslash and c == "\\" and i + 1 < len(body):
            chars.append(body[i + 1])
            i += 2
        elif c == "'" and body[i + 1 : i + 2] == "'":
            chars.append("'")
            i += 2
        elif c == "'":
            return "".join(chars), i + 1
        else:
            chars.append(c)
            i += 1
    raise DataJointError(f"Cannot read enum values {body!r}: a quoted value is not closed.")
