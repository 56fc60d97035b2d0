"""SQL dialects: quoting, placeholders, naming and declared capabilities.

A dialect is a frozen value; differences between backends are data here (and type
tables in ``types.py``), not if-chains spread through the compilers.  Nothing in
this module talks to a database.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Dialect", "MYSQL", "POSTGRESQL", "SQLITE", "get_dialect"]


@dataclass(frozen=True)
class Dialect:
    """What differs between SQL backends, as values.

    name:            ``"mysql"`` (MariaDB too), ``"postgresql"`` or ``"sqlite"``.
    quote_char:      identifier quote character.
    placeholder:     the driver's parameter marker (``%s`` or ``?``).
    percent_escaped: the driver treats ``%`` in SQL text as a format character, so literal
                     ``%`` in SQL text must be written ``%%`` whenever parameters are passed
                     (we always pass parameters, possibly an empty tuple).
    max_name_length: longest table name.
    schema_separator: how a schema and a table name are joined.  SQLite has no schemas:
                     a schema is a name prefix ``schema.table`` inside one quoted identifier.
    """

    name: str
    quote_char: str
    placeholder: str
    percent_escaped: bool
    max_name_length: int
    supports_schemas: bool
    supports_transactional_ddl: bool
    supports_inline_comments: bool
    supports_enum_type: bool  # MySQL inline enum; PostgreSQL needs CREATE TYPE; SQLite uses CHECK
    supports_replace_into: bool
    # ``(a, b) IN (VALUES (..), ..)`` from this many rows on (None: never).  SQLite takes no bare
    # row list; PostgreSQL compares a row list row by row (VALUES becomes a hashed semi-join), but
    # types VALUES columns of string parameters as text, so enum columns are compared as text there
    row_in_values_from: int | None = None

    def quote(self, identifier: str) -> str:
        """Quote one identifier, doubling any quote character inside it."""
        q = self.quote_char
        return q + identifier.replace(q, q + q) + q

    def full_name(self, schema: str, table: str) -> str:
        """The quoted full table name."""
        if self.supports_schemas:
            return f"{self.quote(schema)}.{self.quote(table)}"
        return self.quote(f"{schema}.{table}")

    def string_literal(self, value: str) -> str:
        """A SQL string literal (for DDL, where parameters cannot be bound)."""
        text = "'" + value.replace("'", "''") + "'"
        if self.name == "mysql":
            text = text.replace("\\", "\\\\")
        return self.escape_text(text)

    def escape_text(self, sql_text: str) -> str:
        """Escape ``%`` in SQL text for drivers that format parameters with ``%``."""
        return sql_text.replace("%", "%%") if self.percent_escaped else sql_text

    def placeholders(self, n: int) -> str:
        return ", ".join([self.placeholder] * n)


MYSQL = Dialect(
    name="mysql",
    quote_char="`",
    placeholder="%s",
    percent_escaped=True,
    max_name_length=64,
    supports_schemas=True,
    supports_transactional_ddl=False,
    supports_inline_comments=True,
    supports_enum_type=True,
    supports_replace_into=True,
)

POSTGRESQL = Dialect(
    name="postgresql",
    quote_char='"',
    placeholder="%s",
    percent_escaped=True,
    max_name_length=63,
    supports_schemas=True,
    supports_transactional_ddl=True,
    supports_inline_comments=False,
    supports_enum_type=False,
    supports_replace_into=False,
    row_in_values_from=64,
)

SQLITE = Dialect(
    name="sqlite",
    quote_char='"',
    placeholder="?",
    percent_escaped=False,
    max_name_length=1024,
    supports_schemas=False,
    supports_transactional_ddl=True,
    supports_inline_comments=False,
    supports_enum_type=False,
    supports_replace_into=False,
    row_in_values_from=0,
)

_BY_NAME = {"mysql": MYSQL, "mariadb": MYSQL, "postgresql": POSTGRESQL, "postgres": POSTGRESQL, "sqlite": SQLITE}


def get_dialect(name: str) -> Dialect:
    try:
        return _BY_NAME[name.lower()]
    except KeyError:
        from ..errors import DataJointError

        raise DataJointError(
            f"Unknown database backend {name!r}: expected one of 'sqlite', 'mysql' (MariaDB too) or 'postgresql'."
        ) from None
