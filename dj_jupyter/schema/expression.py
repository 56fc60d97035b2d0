"""``QueryExpression``: an immutable query (a node plus its connection) with the 2.x fetch API."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..errors import DataJointError
from ..query.algebra import Algebra
from ..query.nodes import Node
from ..sql.compiler import compile_count, compile_exists, compile_select
from . import fetch as _f
from .preview import html_preview, text_preview

__all__ = ["QueryExpression"]


class QueryExpression(Algebra):
    """A query over one connection.  Operators return new expressions; nothing runs until data is asked for."""

    def __init__(self, node: Node, connection: Any) -> None:
        self._node = node
        self._connection = connection

    def _derive(self, node: Node) -> QueryExpression:
        return QueryExpression(node, self.connection)

    @property
    def connection(self) -> Any:
        return self._connection

    @property
    def restriction(self):
        from ..query.nodes import Restrict

        node = self._node
        return node.condition if isinstance(node, Restrict) else None

    # ------------------------------------------------------------------ SQL
    def make_sql(self, fields: list[str] | None = None) -> str:
        sql, _ = compile_select(self.connection.dialect, self._node, fields)
        return sql

    def cursor(self, as_dict: bool = False):
        sql, params = compile_select(self.connection.dialect, self._node)
        return self.connection.query(sql, params, as_dict=as_dict)

    # ------------------------------------------------------------------ cardinality
    def __len__(self) -> int:
        sql, params = compile_count(self.connection.dialect, self._node)
        return int(self.connection.query(sql, params).fetchone()[0])

    def count(self, cap: int | None = None) -> int:
        """Number of rows, counted in the database.

        Parameters
        ----------
        cap : int, optional
            Stop counting after ``cap + 1`` rows: the result is then ``cap + 1`` and
            means "more than ``cap``".  Previews use it so that showing a huge table
            never counts all its rows; ``len(q)`` is always exact.

        Examples
        --------
        >>> n = Student().count()                       # doctest: +SKIP
        >>> shown = Student().count(cap=10_000)          # doctest: +SKIP
        """
        if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or cap < 0):
            raise DataJointError(f"count(cap=...) takes a non-negative integer or None; got {cap!r}.")
        sql, params = compile_count(self.connection.dialect, self._node, cap=cap)
        return int(self.connection.query(sql, params).fetchone()[0])

    def __bool__(self) -> bool:
        sql, params = compile_exists(self.connection.dialect, self._node)
        return bool(self.connection.query(sql, params).fetchone()[0])

    def __contains__(self, item: Any) -> bool:
        return bool(self & item)

    def __iter__(self) -> Iterator[dict]:
        return iter(self.to_dicts())

    # ------------------------------------------------------------------ fetch
    def _query(self, order_by=None, limit=None, offset=None) -> Node:
        return _f.with_top(self._node, order_by, limit, offset)

    def to_dicts(self, order_by=None, limit=None, offset=None, squeeze: bool = False) -> list[dict]:
        """Rows as a list of dicts; ``squeeze=True`` drops singleton dimensions of array values."""
        node = self._query(order_by, limit, offset)
        names, rows = _f.fetch_rows(self.connection, node)
        rows = _squeeze_rows(node.heading, names, rows) if squeeze else rows
        return _f.rows_to_dicts(names, rows)

    def to_pandas(self, order_by=None, limit=None, offset=None, squeeze: bool = False):
        """Rows as a pandas DataFrame indexed by the primary key."""
        node = self._query(order_by, limit, offset)
        names, columns, _ = _f.fetch_columns(self.connection, node)
        columns = _squeeze_columns(node.heading, names, columns) if squeeze else columns
        return _f.to_pandas_frame(node.heading, names, columns)

    def to_polars(self, order_by=None, limit=None, offset=None, squeeze: bool = False):
        """Rows as a polars DataFrame (needs ``pip install 'dj_jupyter[polars]'``); key columns first."""
        polars = _optional("polars", "polars", "to_polars")
        frame = self.to_pandas(order_by=order_by, limit=limit, offset=offset, squeeze=squeeze)
        return polars.from_pandas(_flat(frame))

    def to_arrow(self, order_by=None, limit=None, offset=None, squeeze: bool = False):
        """Rows as a ``pyarrow.Table`` (needs ``pip install 'dj_jupyter[arrow]'``); key columns first."""
        pyarrow = _optional("pyarrow", "arrow", "to_arrow")
        frame = self.to_pandas(order_by=order_by, limit=limit, offset=offset, squeeze=squeeze)
        return pyarrow.Table.from_pandas(_flat(frame), preserve_index=False)

    def to_arrays(self, *attrs: str, include_key: bool = False, order_by=None, limit=None, offset=None, squeeze: bool = False):
        node = self._query(order_by, limit, offset)
        heading = node.heading
        if not attrs:
            names, columns, n = _f.fetch_columns(self.connection, node)
            columns = _squeeze_columns(heading, names, columns) if squeeze else columns
            result = _f.to_structured(heading, names, columns, n)
            return ([dict(zip(heading.primary_key, k)) for k in zip(*(result[p] for p in heading.primary_key))], result) \
                if include_key else result
        _f.check_names(heading, attrs)
        pk = heading.primary_key
        wanted = list(dict.fromkeys(list(attrs) + (pk if include_key else [])))
        names, columns, n = _f.fetch_columns(self.connection, node, wanted)
        columns = _squeeze_columns(heading, names, columns) if squeeze else columns
        by_name = dict(zip(names, columns))
        arrays = [_f.column_array(heading[a], by_name[a]) for a in attrs]
        out: Any = arrays[0] if len(arrays) == 1 else tuple(arrays)
        if include_key:
            keys = [dict(zip(pk, k)) for k in zip(*(by_name[p] for p in pk))] if n else []
            return (keys, *arrays) if len(arrays) > 1 else (keys, arrays[0])
        return out

    def keys(self, order_by=None, limit=None, offset=None) -> list[dict]:
        node = self._query(order_by, limit, offset)
        names, rows = _f.fetch_rows(self.connection, node, node.heading.primary_key)
        return _f.rows_to_dicts(names, rows)

    def fetch1(self, *attrs: str, squeeze: bool = False) -> Any:
        """The one row of the query: a dict, one value (one attribute) or a tuple; ``"KEY"`` gives the key dict.

        Raises ``DataJointError`` saying how many rows the query has when it is not one.
        """
        heading = self.heading
        wanted = [a for a in attrs if a != "KEY"]
        _f.check_names(heading, wanted)
        fields = None if not attrs else list(dict.fromkeys(wanted + (heading.primary_key if "KEY" in attrs else [])))
        names, rows = _f.fetch_rows(self.connection, _f.with_top(self._node, None, 2), fields)
        if len(rows) != 1:
            # at most two rows were read: count the rest only to say how many there are
            _f.expect_one(len(rows) if len(rows) < 2 else len(self))
        row = dict(zip(names, _squeeze_rows(heading, names, rows)[0] if squeeze else rows[0]))
        if not attrs:
            return row
        values = [({k: row[k] for k in heading.primary_key} if a == "KEY" else row[a]) for a in attrs]
        return values[0] if len(values) == 1 else tuple(values)

    def head(self, limit: int = 25, **kwargs: Any) -> list[dict]:
        return self.to_dicts(limit=limit, **kwargs)

    def tail(self, limit: int = 25, **kwargs: Any) -> list[dict]:
        order = [f"{k} DESC" for k in self.primary_key]
        return self.to_dicts(order_by=order, limit=limit, **kwargs)[::-1]

    def fetch(self, *attrs: str, offset=None, limit=None, order_by=None, format=None, as_dict=None, squeeze=False):
        """Deprecated 0.14-style fetch; use to_dicts / to_pandas / to_arrays / keys."""
        warnings.warn("fetch() is deprecated: use to_dicts(), to_pandas(), to_arrays() or keys().", DeprecationWarning,
                      stacklevel=2)
        kw = {"order_by": order_by, "limit": limit, "offset": offset}
        if format == "frame":
            if attrs or as_dict:
                raise DataJointError("fetch(format='frame') cannot be combined with attribute names or as_dict.")
            return self.to_pandas(**kw)
        if attrs == ("KEY",):
            return self.keys(**kw)
        if as_dict:
            if attrs:
                fields = list(dict.fromkeys(self.primary_key + [a for a in attrs if a != "KEY"]))
                return self.proj(*[a for a in fields if a not in self.primary_key]).to_dicts(**kw)
            return self.to_dicts(**kw)
        if not attrs:
            return self.to_arrays(**kw)
        if "KEY" in attrs:
            plain = [a for a in attrs if a != "KEY"]
            keys, *arrays = self.to_arrays(*plain, include_key=True, **kw) if plain else (self.keys(**kw),)
            out, it = [], iter(arrays)
            for a in attrs:
                out.append(keys if a == "KEY" else next(it))
            return tuple(out)
        return self.to_arrays(*attrs, **kw)

    # ------------------------------------------------------------------ notebook-facing plain API
    def page(self, *, limit: int = 25, offset: int = 0, order_by: Any = None) -> list[dict]:
        """One page of rows, ordered, limited and offset in the database.

        Parameters
        ----------
        limit : int
            Rows per page.
        offset : int
            Rows skipped before the page.
        order_by : str or list of str, optional
            ``"KEY"``, attribute names with ``ASC``/``DESC``; the primary key by default,
            so pages are stable.

        Examples
        --------
        >>> rows = Student().page(limit=10, offset=20, order_by="last_name")   # doctest: +SKIP
        """
        return self.to_dicts(order_by=order_by, limit=limit, offset=offset)

    def preview(self, limit: int | None = None, width: int | None = None) -> str:
        return text_preview(self, limit=limit, width=width)

    def __repr__(self) -> str:
        return text_preview(self)

    def _repr_html_(self) -> str:
        return html_preview(self)


# ---------------------------------------------------------------------- helpers
def _optional(module: str, extra: str, method: str) -> Any:
    """Import an optional dependency, or say which extra provides it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{method}() needs the {module} package, which is not installed. "
            f"Install it with: pip install 'dj_jupyter[{extra}]' (or pip install {module})."
        ) from error


def _flat(frame: Any) -> Any:
    """The key index back as leading columns (polars and arrow have no index)."""
    return frame.reset_index() if frame.index.names != [None] else frame


def _array_columns(heading: Any, names: list[str]) -> list[int]:
    """Positions of the columns that can hold arrays (codec and blob values): only those are squeezed."""
    return [i for i, n in enumerate(names) if heading[n].is_blob_like]


def _squeeze(value: Any) -> Any:
    return value.squeeze() if isinstance(value, np.ndarray) else value


def _squeeze_columns(heading: Any, names: list[str], columns: list[list]) -> list[list]:
    columns = list(columns)
    for i in _array_columns(heading, names):
        columns[i] = [_squeeze(v) for v in columns[i]]
    return columns


def _squeeze_rows(heading: Any, names: list[str], rows: list[tuple]) -> list[tuple]:
    positions = _array_columns(heading, names)
    if not positions or not rows:
        return rows
    out = []
    for row in rows:
        row = list(row)
        for i in positions:
            row[i] = _squeeze(row[i])
        out.append(tuple(row))
    return out
