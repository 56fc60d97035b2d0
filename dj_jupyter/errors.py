"""One exception hierarchy for dj_jupyter, rooted at :class:`DataJointError`.

Each class says when it is raised.  Classes that refine a builtin meaning also
subclass that builtin, so ``except KeyError`` and ``except DataJointError`` both
work where DataJoint users expect them to.  Driver errors (pymysql, psycopg,
sqlite3) are translated into these classes in ``dj_jupyter.backends`` only.
"""

from __future__ import annotations

__all__ = [
    "DataJointError",
    "DefinitionError",
    "LostConnectionError",
    "ConnectionFailedError",
    "QueryError",
    "QuerySyntaxError",
    "AccessError",
    "DuplicateError",
    "IntegrityError",
    "UnknownAttributeError",
    "MissingAttributeError",
    "MissingTableError",
    "ValidationError",
    "StorePathError",
    "ThreadSafetyError",
    "UnsupportedError",
]


class DataJointError(Exception):
    """Base class of every error raised by dj_jupyter."""

    def suggest(self, *args: object) -> "DataJointError":
        """Return a copy of this error with more arguments (hints) appended."""
        return self.__class__(*(self.args + args))


class DefinitionError(DataJointError, SyntaxError):
    """A table definition is malformed.

    Carries the definition line number (1-based, within the definition text), the
    column (1-based), the offending line, what was expected and what was found.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        text: str | None = None,
        table: str | None = None,
    ) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.text = text
        self.table = table
        where = ""
        if line is not None:
            where = f"line {line}" + (f", column {column}" if column is not None else "")
        head = f"{table}: " if table else ""
        full = f"{head}{where}: {message}" if where else f"{head}{message}"
        if text is not None and line is not None:
            caret = ""
            if column is not None:
                caret = "\n    " + " " * (column - 1) + "^"
            full += f"\n    {text}{caret}"
        Exception.__init__(self, full)
        # SyntaxError attributes, so IPython and tracebacks can point at the line
        self.msg = message
        self.lineno = line
        self.offset = column
        self.filename = table or "<definition>"

    def __str__(self) -> str:  # SyntaxError.__str__ would hide our formatted text
        return self.args[0]

    def suggest(self, *args: object) -> "DefinitionError":
        extra = " ".join(str(a) for a in args)
        return DefinitionError(
            f"{self.message} {extra}", line=self.line, column=self.column, text=self.text, table=self.table
        )


class LostConnectionError(DataJointError, ConnectionError):
    """The database connection was lost (inside a transaction it is never retried)."""


class ConnectionFailedError(DataJointError, ConnectionError):
    """The database server could not be reached or refused the credentials."""


class QueryError(DataJointError):
    """The database refused a statement."""


class QuerySyntaxError(QueryError):
    """The database could not parse a statement (often a bad SQL string restriction)."""


class AccessError(QueryError, PermissionError):
    """The database user lacks a privilege."""


class DuplicateError(QueryError):
    """A row with the same primary key (or unique index value) already exists."""


class IntegrityError(QueryError):
    """A foreign key or other integrity constraint was violated."""


class UnknownAttributeError(QueryError, KeyError):
    """An attribute name is not in the heading."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class MissingAttributeError(QueryError):
    """A required attribute was not given a value."""


class MissingTableError(DataJointError):
    """A table does not exist in the database."""


class ValidationError(DataJointError, ValueError):
    """A value does not fit its attribute's type (checked before any SQL runs)."""


class StorePathError(ValidationError):
    """A path given for a stored object lies outside its store, or inside a section the store manages
    (``hash_prefix``, ``schema_prefix``), or outside ``filepath_prefix`` (``<filepath@>``)."""


class ThreadSafetyError(DataJointError):
    """Global configuration or connection used in thread-safe mode."""


class UnsupportedError(DataJointError, NotImplementedError):
    """An operation that this backend (or this version) does not support."""
