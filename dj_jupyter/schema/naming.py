"""Class names <-> SQL table names, and tiers recognised from table names (spec §2.2)."""

from __future__ import annotations

import re
import warnings

from ..errors import DataJointError

__all__ = ["TIER_PREFIXES", "master_of", "table_name_for", "tier_of_table_name", "to_camel", "to_snake"]

TIER_PREFIXES = {"Manual": "", "Lookup": "#", "Imported": "_", "Computed": "__"}

_CAMEL = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_BASE = r"[a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)*"
_TIER_PATTERNS = [
    ("Part", re.compile(rf"^(?:#|_|__)?{_BASE}(?:__{_BASE})+$")),
    ("Computed", re.compile(rf"^__{_BASE}$")),
    ("Imported", re.compile(rf"^_{_BASE}$")),
    ("Lookup", re.compile(rf"^#{_BASE}$")),
    ("Manual", re.compile(rf"^{_BASE}$")),
]


def to_snake(class_name: str) -> str:
    """``SessionTrial`` -> ``session_trial``; ``ProcessedEMG`` -> ``processed_e_m_g`` (as DataJoint does)."""
    if "_" in class_name:
        warnings.warn(f"Class name {class_name!r} contains underscores; they are removed for the table name.", UserWarning,
                      stacklevel=3)
        class_name = class_name.replace("_", "")
    if not _CAMEL.match(class_name):
        raise DataJointError(
            f"Table class name {class_name!r} must be CamelCase: a capital letter followed by letters and digits (e.g. 'SessionTrial')."
        )
    return re.sub(r"(?<!^)([A-Z])", r"_\1", class_name).lower()


def to_camel(table_name: str) -> str:
    """``#session_trial`` -> ``SessionTrial`` (tier prefix dropped)."""
    base = table_name.lstrip("#_")
    return "".join(part[:1].upper() + part[1:] for part in base.split("_"))


def table_name_for(class_name: str, tier: str, master_table: str | None = None) -> str:
    snake = to_snake(class_name)
    if tier == "Part":
        if master_table is None:
            raise DataJointError(f"Part table {class_name} must be nested inside a master table class.")
        return f"{master_table}__{snake}"
    return TIER_PREFIXES.get(tier, "") + snake


def tier_of_table_name(table_name: str) -> str | None:
    """The tier a table name denotes, or None for service tables and foreign names."""
    if table_name.startswith("~"):
        return None
    for tier, pattern in _TIER_PATTERNS:
        if pattern.match(table_name):
            return tier
    return None


def master_of(part_table_name: str) -> str:
    """``__scan__unit`` -> ``__scan``."""
    head, sep, _ = part_table_name.rpartition("__")
    return head if sep and head.strip("#_") else part_table_name
