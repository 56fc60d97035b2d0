"""``QueryExpression``: an immutable query (a node plus its connection) with the 2.x fetch API."""

from __future__ import annotations

import warnings
from typing import Any, Iterator

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

    def _derive(self, node: Node) -> "QueryExpression":
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

    def count(self) -> int:
        """Number of rows, counted in the database."""
        return len(self)

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
        names, rows = _f.fetch_rows(self.connection, self._query(order_by, limit, offset))
        return _f.rows_to_dicts(names, rows)

    def to_pandas(self, order_by=None, limit=None, offset=None, squeeze: bool = False):
        node = self._query(order_by, limit, offset)
        names, columns, _ = _f.fetch_columns(self.connection, node)
        return _f.to_pandas_frame(node.heading, names, columns)

    def to_arrays(self, *attrs: str, include_key: bool = False, order_by=None, limit=None, offset=None, squeeze: bool = False):
        node = self._query(order_by, limit, offset)
        heading = node.heading
        if not attrs:
            names, columns, n = _f.fetch_columns(self.connection, node)
            result = _f.to_structured(heading, names, columns, n)
            return ([dict(zip(heading.primary_key, k)) for k in zip(*(result[p] for p in heading.primary_key))], result) \
                if include_key else result
        _f.check_names(heading, attrs)
        pk = heading.primary_key
        wanted = list(dict.fromkeys(list(attrs) + (pk if include_key else [])))
        names, columns, n = _f.fetch_columns(self.connection, node, wanted)
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
        heading = self.heading
        if not attrs:
            names, rows = _f.fetch_rows(self.connection, _f.with_top(self._node, None, 2))
            _f.expect_one(len(rows))
            return dict(zip(names, rows[0]))
        wanted = [a for a in attrs if a != "KEY"]
        _f.check_names(heading, wanted)
        fields = list(dict.fromkeys(wanted + (heading.primary_key if "KEY" in attrs else [])))
        names, rows = _f.fetch_rows(self.connection, _f.with_top(self._node, None, 2), fields)
        _f.expect_one(len(rows))
        row = dict(zip(names, rows[0]))
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
        kw = dict(order_by=order_by, limit=limit, offset=offset)
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
        """One page of rows, ordered, limited and offset in the database."""
        return self.to_dicts(order_by=order_by, limit=limit, offset=offset)

    def preview(self, limit: int | None = None, width: int | None = None) -> str:
        return text_preview(self, limit=limit, width=width)

    def __repr__(self) -> str:
        return text_preview(self)

    def _repr_html_(self) -> str:
        return html_preview(self)
