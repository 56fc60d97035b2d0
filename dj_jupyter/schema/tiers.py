"""Table tiers that users write rows into: Manual, Lookup, Part (Imported/Computed live in ``populate``)."""

from __future__ import annotations

from typing import Any

from ..errors import DataJointError
from .table import Table

__all__ = ["Manual", "Lookup", "Part"]


class Manual(Table):
    """Rows entered by people, instruments or scripts."""

    _tier = "Manual"
    _tier_base = True


class Lookup(Table):
    """Reference rows; ``contents`` (dicts or tuples) are inserted when the table is declared."""

    _tier = "Lookup"
    _tier_base = True
    contents: Any = ()


class Part(Table):
    """Rows that belong to a row of the master table; declared as a class nested in the master."""

    _tier = "Part"
    _tier_base = True
    _master: type | None = None

    @property
    def master(self) -> type:
        if type(self)._master is None:
            raise DataJointError(f"Part table {type(self).__name__} has no master: nest it inside a table class.")
        return type(self)._master

    def delete(self, transaction: bool = True, prompt: bool | None = None, part_integrity: str = "enforce") -> int:
        return super().delete(transaction=transaction, prompt=prompt, part_integrity=part_integrity)

    def drop(self, prompt: bool | None = None, part_integrity: str = "enforce") -> None:
        super().drop(prompt=prompt, part_integrity=part_integrity)
