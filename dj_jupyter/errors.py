"""One exception hierarchy for dj_jupyter, rooted at :class:`DataJointError`.

Each class says when it is raised.  Classes that refine a builtin meaning also
subclass that builtin, so ``except KeyError`` and ``except DataJointError`` both
work where DataJoint users expect them to.  Driver errors (pymysql, psycopg,
sqlite3) are translated into these classes in ``dj_jupyter.backends`` only.
"""

from __future__ import annotations

from collections.abc import Sequence

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
    ``problems`` lists every problem found in the definition, in line order; the first
    is the one this error describes (a single problem: ``[self]``).  When there are
    more, the message names them after the first.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        text: str | None = None,
        table: str | None = None,
        problems: Sequence["DefinitionError"] | None = None,
    ) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.text = text
        self.table = table
        self.problems: list[DefinitionError] = list(problems) if problems else [self]
        where = _where(line, column)
        head = f"{table}: " if table else ""
        full = f"{head}{where}: {message}" if where else f"{head}{message}"
        if text is not None and line is not None:
            caret = ""
            if column is not None:
                caret = "\n    " + " " * (column - 1) + "^"
            full += f"\n    {text}{caret}"
        others = self.problems[1:]
        if others:
            count = f"{len(others)} more problem" + ("s" if len(others) > 1 else "")
            full += f"\n{count} in this definition:"
            for other in others:
                at = _where(other.line, other.column)
                full += f"\n    {at}: {other.message}" if at else f"\n    {other.message}"
        Exception.__init__(self, full)
        # SyntaxError attributes, so IPython and tracebacks can point at the line
        self.msg = message
        self.lineno = line
        self.offset = column
        self.filename = table or "<definition>"

    @classmethod
    def from_problems(cls, problems: Sequence["DefinitionError"]) -> "DefinitionError":
        """One error for several problems: the first's location and message, all of them in ``problems``.

        Parameters
        ----------
        problems : sequence of DefinitionError
            At least one, in the order to report them.
        """
        if not problems:
            raise ValueError("DefinitionError.from_problems needs at least one problem, got none")
        if len(problems) == 1:
            return problems[0]
        first = problems[0]
        return cls(first.message, line=first.line, column=first.column, text=first.text, table=first.table,
                   problems=problems)

    def __str__(self) -> str:  # SyntaxError.__str__ would hide our formatted text
        return self.args[0]

    def suggest(self, *args: object) -> "DefinitionError":
        extra = " ".join(str(a) for a in args)
        first = DefinitionError(
            f"{self.message} {extra}", line=self.line, column=self.column, text=self.text, table=self.table
        )
        return DefinitionError.from_problems([first, *self.problems[1:]])


def _where(line: int | None, column: int | None) -> str:
    """``line L, column C`` (empty without a line)."""
    if line is None:
        return ""
    return f"line {line}" + (f", column {column}" if column is not None else "")


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
