"""``key in table`` for the many keys of one populate call, compiled once per key shape.

Populate asks, inside each key's transaction, whether the key is already in the table
(another worker may have computed it).  Going through the query algebra builds a
restriction, normalises the condition and compiles SQL for every key, which costs more
client time than the database needs to answer.  Every key of a call has the same
attributes, so the statement text is the same and only its parameters change: the text
is compiled once, by the ordinary compiler, and reused with the key's encoded values.
"""

from __future__ import annotations

import math
from typing import Any

from ..heading.values import encode_scalar
from ..sql.compiler import compile_exists

__all__ = ["KeyCheck"]


def _plain(values: list) -> bool:
    """No NULL-like value: those compile to ``IS NULL`` instead of a parameter."""
    return not any(v is None or (isinstance(v, float) and math.isnan(v)) for v in values)


def _same(a: list, b: list) -> bool:
    try:
        return len(a) == len(b) and all(type(x) is type(y) and x == y for x, y in zip(a, b))
    except (TypeError, ValueError):  # values without a plain equality: do not reuse
        return False


class KeyCheck:
    """Whether a key is already in ``table``; equivalent to ``key in table``.

    Parameters
    ----------
    table : Table
        The (unrestricted) auto-populated table; its heading is read once, here.
    """

    def __init__(self, table: Any) -> None:
        self._table = table
        self._connection = table.connection
        self._heading = table.heading
        self._sql: dict[tuple[str, ...], str] = {}

    def __call__(self, key: dict) -> bool:
        names = tuple(k for k in key if isinstance(k, str) and k in self._heading)
        values = [key[n] for n in names]
        sql = self._sql.get(names)
        if sql is not None and _plain(values):
            return self._exists(sql, self._encode(names, values))
        sql, params = compile_exists(self._connection.dialect, (self._table & key)._node)
        if names and _plain(values) and self._reusable(names, values, params):
            self._sql[names] = sql
        return self._exists(sql, params)

    def _encode(self, names: tuple[str, ...], values: list) -> list:
        dialect_name = self._connection.dialect.name
        return [encode_scalar(self._heading[n], v, dialect_name) for n, v in zip(names, values)]

    def _reusable(self, names: tuple[str, ...], values: list, params: list) -> bool:
        """The compiled statement takes exactly the key's values, in key order.

        Checked on a key whose encoded values are all different, so that their order in
        the statement is known for certain.
        """
        mine = self._encode(names, values)
        distinct = len({repr(p) for p in mine}) == len(mine)
        return distinct and _same(mine, params)

    def _exists(self, sql: str, params: list) -> bool:
        return bool(self._connection.query(sql, params).fetchone()[0])
