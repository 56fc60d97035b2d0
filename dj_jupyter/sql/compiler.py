"""Query nodes -> SQL text and bound parameters, for one dialect.

``compile_select(dialect, node)`` lowers the tree bottom-up into a :class:`Shape` (FROM,
WHERE, GROUP BY, ORDER/LIMIT and the expression of each output column), asking
``dj_jupyter.query.lower`` when an operand must first become a sub-query.  Values are
never pasted into the text: every value is a parameter, encoded for its attribute's
type.  Compiling needs no connection.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ..errors import UnsupportedError
from ..heading.heading import Heading
from ..heading.values import column_encoder, encode_scalar
from ..query import lower
from ..query.conditions import (
    And,
    Cond,
    Const,
    Equals,
    InQuery,
    InValues,
    IsNull,
    Negate,
    Or,
    SqlText,
)
from ..query.nodes import (
    Aggregate,
    GroupBy,
    Join,
    Node,
    Project,
    Restrict,
    TableRef,
    Top,
    Union,
    remember,
)
from .dialect import Dialect
from .functions import translate_functions

__all__ = ["Shape", "compile_condition_for_table", "compile_count", "compile_exists", "compile_select"]

_NO_LIMIT = {"mysql": "18446744073709551615", "postgresql": "ALL", "sqlite": "-1"}


@dataclass
class Shape:
    """A SELECT under construction.  ``columns`` maps every output name to its SQL expression."""

    from_sql: str
    columns: dict[str, str]
    heading: Heading
    from_params: list = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    where_params: list = field(default_factory=list)
    group_by: list[str] = field(default_factory=list)
    order_by: list[str] = field(default_factory=list)
    limit: int | None = None
    offset: int = 0
    distinct: bool = False


class _Compiler:
    def __init__(self, dialect: Dialect) -> None:
        self.d = dialect
        self._aliases = itertools.count(1)

    # ------------------------------------------------------------------ entry points
    def select(self, node: Node, fields: Sequence[str] | None = None, *, distinct: bool = False) -> tuple[str, list]:
        shape = self.lower(node)
        names = list(fields) if fields is not None else shape.heading.names
        return self.render(shape, names, distinct=distinct)

    def render(self, s: Shape, names: Sequence[str], *, distinct: bool = False) -> tuple[str, list]:
        q = self.d.quote
        cols = []
        for n in names:
            expr = s.columns[n]
            cols.append(expr if expr == q(n) else f"{expr} AS {q(n)}")
        sql = "SELECT " + ("DISTINCT " if (distinct or s.distinct) else "") + (", ".join(cols) or "1")
        sql += " FROM " + s.from_sql
        if s.where:
            sql += " WHERE " + " AND ".join(s.where)
        if s.group_by:
            sql += " GROUP BY " + ", ".join(s.group_by)
        if s.order_by:
            sql += " ORDER BY " + ", ".join(s.order_by)
        if s.limit is not None or s.offset:
            sql += " LIMIT " + (str(s.limit) if s.limit is not None else _NO_LIMIT[self.d.name])
            if s.offset:
                sql += f" OFFSET {int(s.offset)}"
        return sql, s.from_params + s.where_params

    # ------------------------------------------------------------------ lowering
    def lower(self, node: Node) -> Shape:
        method = getattr(self, "lower_" + type(node).__name__, None)
        if method is None:
            raise UnsupportedError(f"{type(node).__name__} cannot be compiled for {self.d.name} yet.")
        return method(node)

    def wrap(self, node: Node, shape: Shape | None = None) -> Shape:
        """Turn a node into ``(SELECT ...) AS alias`` with plain output columns."""
        shape = shape or self.lower(node)
        sql, params = self.render(shape, [a.name for a in shape.heading.all_attributes if a.name in shape.columns])
        alias = self.d.quote(f"${next(self._aliases):x}")
        columns = {n: self.d.quote(n) for n in shape.columns}
        return Shape(f"({sql}) AS {alias}", columns, shape.heading, list(params))

    def lower_TableRef(self, node: TableRef) -> Shape:
        q = self.d.quote
        cols = {a.name: q(a.name) for a in node.heading.all_attributes}
        return Shape(self.d.full_name(node.schema, node.table), cols, node.heading)

    def lower_Restrict(self, node: Restrict) -> Shape:
        if lower.restrict_needs_subquery(node.source, node.condition):
            shape = self.wrap(node.source)
        else:
            shape = self.lower(node.source)
        text, params = self.condition(node.condition, shape)
        if text != "TRUE":
            shape = replace(shape, where=shape.where + [text], where_params=shape.where_params + params)
        return shape

    def lower_Project(self, node: Project) -> Shape:
        computes = any(i.sql is not None for i in node.items)
        shape = self.wrap(node.source) if lower.project_needs_subquery(node.source, computes) else self.lower(node.source)
        cols: dict[str, str] = {}
        for item in node.items:
            cols[item.name] = self.expression(item.sql) if item.sql is not None else shape.columns[item.source]
        return replace(shape, columns=cols, heading=node.heading)

    def expression(self, sql: str) -> str:
        """A user's SQL expression: MySQL functions translated for this dialect, ``%`` escaped."""
        return "(" + self.d.escape_text(translate_functions(sql, self.d.name)) + ")"

    def lower_Join(self, node: Join) -> Shape:
        wrap_a, wrap_b = lower.join_operands_need_subquery(node)
        a = self.wrap(node.left) if wrap_a else self.lower(node.left)
        b = self.wrap(node.right) if wrap_b else self.lower(node.right)
        q = self.d.quote
        shared = node.shared
        if shared:
            using = " USING (" + ", ".join(q(n) for n in shared) + ")"
            join = (" LEFT JOIN " if node.outer else " JOIN ") + b.from_sql + using
        else:
            join = (" LEFT JOIN " + b.from_sql + " ON TRUE") if node.outer else (" CROSS JOIN " + b.from_sql)
        cols = {n: q(n) for n in node.heading.names}
        return Shape(
            a.from_sql + join, cols, node.heading,
            from_params=a.from_params + b.from_params,
            where=a.where + b.where,
            where_params=a.where_params + b.where_params,
        )

    def operand(self, node: Node) -> Shape:
        return self.wrap(node) if lower.join_operand_needs_subquery(node) else self.lower(node)

    def lower_Aggregate(self, node: Aggregate) -> Shape:
        a = self.wrap(node.source) if lower.aggregate_source_needs_subquery(node) else self.lower(node.source)
        b = self.wrap(node.group)
        q = self.d.quote
        shared = [n for n in node.source.heading.names if n in node.group.heading]
        using = " USING (" + ", ".join(q(n) for n in shared) + ")"
        kind = " LEFT JOIN " if node.keep_all else " JOIN "
        cols = {}
        for item in node.items:
            cols[item.name] = self.expression(item.sql) if item.sql is not None else a.columns[item.source]
        # kept secondary attributes are grouped too: they depend on the key, and MariaDB's
        # ONLY_FULL_GROUP_BY refuses a bare column it cannot prove is functionally dependent
        kept = [i.source for i in node.items if i.sql is None and i.source not in node.source.heading.primary_key]
        return Shape(
            a.from_sql + kind + b.from_sql + using, cols, node.heading,
            from_params=a.from_params + b.from_params, where=a.where, where_params=a.where_params,
            group_by=[a.columns[k] for k in node.source.heading.primary_key + kept],
        )

    def lower_GroupBy(self, node: GroupBy) -> Shape:
        s = self.operand(node.source)
        cols = {a: s.columns[a] for a in node.attributes}
        cols.update({i.name: self.expression(i.sql) for i in node.items})
        group_by = [s.columns[a] for a in node.attributes] if node.items else []
        # without aggregates the result is the distinct values (also of no attribute: one row if any)
        return Shape(s.from_sql, cols, node.heading, from_params=s.from_params, where=s.where,
                     where_params=s.where_params, group_by=group_by, distinct=not node.items)

    def lower_Union(self, node: Union) -> Shape:
        names = node.heading.names
        if node.is_outer:
            left, right = lower.outer_union_operands(node)
            op = " UNION ALL "  # the two parts have disjoint keys
        else:
            left, right, op = node.left, node.right, " UNION "
        sa, pa = self.select(left, names)
        sb, pb = self.select(right, names)
        alias = self.d.quote(f"${next(self._aliases):x}")
        cols = {n: self.d.quote(n) for n in names}
        return Shape(f"({sa}{op}{sb}) AS {alias}", cols, node.heading, list(pa) + list(pb))

    def lower_Top(self, node: Top) -> Shape:
        shape = self.wrap(node.source) if lower.top_needs_subquery(node.source) else self.lower(node.source)
        order = [self.order_term(t, shape) for t in node.order_by]
        return replace(shape, order_by=order, limit=node.limit, offset=node.offset)

    def order_term(self, term: str, shape: Shape) -> str:
        parts = term.strip().split()
        name = parts[0].strip("`\"")
        direction = (" " + parts[1].upper()) if len(parts) > 1 else ""
        if name in shape.columns:
            return shape.columns[name] + direction
        return self.d.escape_text(term)

    # ------------------------------------------------------------------ conditions
    def condition(self, cond: Cond, shape: Shape) -> tuple[str, list]:
        params: list = []
        text = self._cond(cond, shape, params, False)
        return text, params

    def _cond(self, c: Cond, shape: Shape, params: list, negated: bool) -> str:
        """SQL of one condition; ``negated``: an odd number of NOTs encloses it."""
        if isinstance(c, Const):
            return "TRUE" if c.value else "FALSE"
        if isinstance(c, Equals):
            attr = shape.heading.get(c.attribute, hidden=True)
            value = encode_scalar(attr, c.value, self.d.name) if attr is not None else c.value
            params.append(value)
            return f"{shape.columns[c.attribute]} = {self.d.placeholder}"
        if isinstance(c, IsNull):
            return f"{shape.columns[c.attribute]} IS NULL"
        if isinstance(c, InValues):
            return self._in_values(c, shape, params)
        if isinstance(c, SqlText):
            return "(" + self.d.escape_text(translate_functions(c.text, self.d.name)) + ")"
        if isinstance(c, (And, Or)):
            op = " AND " if isinstance(c, And) else " OR "
            return "(" + op.join(self._cond(x, shape, params, negated) for x in c.items) + ")"
        if isinstance(c, Negate):
            return "NOT " + self._cond(c.item, shape, params, not negated)
        if isinstance(c, InQuery):
            if negated and c.attributes and lower.antijoin_needs_exists(shape.heading, c):
                return self._correlated_exists(c, shape, params)
            return self._in_query(c, shape, params)
        raise UnsupportedError(f"Cannot compile condition {c!r}")

    def _in_values(self, c: InValues, shape: Shape, params: list) -> str:
        d = self.d
        encoded, attrs = [], []  # one encoder call per attribute, not per value
        for j, name in enumerate(c.attributes):
            attr = shape.heading.get(name, hidden=True)
            values = [row[j] for row in c.rows]
            encoded.append(column_encoder(attr, d.name)(values) if attr is not None else values)
            attrs.append(attr)
        params.extend(v for row in zip(*encoded) for v in row)
        columns = [shape.columns[a] for a in c.attributes]
        if len(columns) == 1:
            return f"{columns[0]} IN ({d.placeholders(len(c.rows))})"
        one = "(" + d.placeholders(len(columns)) + ")"
        rows = ", ".join([one] * len(c.rows))
        if d.row_in_values_from is None or len(c.rows) < d.row_in_values_from:
            return f"({', '.join(columns)}) IN ({rows})"
        if d.name == "postgresql":
            columns = [f"CAST({col} AS text)" if a is not None and a.core == "enum" else col
                       for col, a in zip(columns, attrs)]
        return f"({', '.join(columns)}) IN (VALUES {rows})"

    def _subcompiler(self) -> _Compiler:
        sub = _Compiler(self.d)
        sub._aliases = self._aliases  # aliases stay unique across the whole statement
        return sub

    def _in_query(self, c: InQuery, shape: Shape, params: list) -> str:
        sub = self._subcompiler()
        inner = sub.lower(c.query)
        if inner.limit is not None or inner.offset:
            # MariaDB and MySQL refuse LIMIT directly inside IN (...) (error 1235); inside a derived table it is fine
            inner = sub.wrap(c.query, inner)
        sql, sub_params = sub.render(inner, list(c.attributes) or inner.heading.names)
        params.extend(sub_params)
        if not c.attributes:
            return f"EXISTS ({sql})"
        outer = [shape.columns[a] for a in c.attributes]
        lhs = outer[0] if len(outer) == 1 else "(" + ", ".join(outer) + ")"
        return f"{lhs} IN ({sql})"

    def _correlated_exists(self, c: InQuery, shape: Shape, params: list) -> str:
        """``EXISTS (SELECT 1 FROM (sub) AS k WHERE k.c0 = outer_a AND ...)``: never unknown, so NOT keeps NULL rows.

        The sub-query's columns are renamed ``$c0``, ``$c1``...: no name inside it can
        capture the outer query's unqualified column names.
        """
        sub = self._subcompiler()
        inner = sub.lower(c.query)
        aliased = {f"$c{i}": inner.columns[a] for i, a in enumerate(c.attributes)}
        sql, sub_params = sub.render(replace(inner, columns=aliased), list(aliased))
        params.extend(sub_params)
        q = self.d.quote
        alias = q(f"${next(self._aliases):x}")
        match = " AND ".join(f"{alias}.{q(k)} = {shape.columns[a]}" for k, a in zip(aliased, c.attributes))
        return f"EXISTS (SELECT 1 FROM ({sql}) AS {alias} WHERE {match})"


_MEMO_MAX_PARAMS = 1000  # a statement binding more values (a long key list) is compiled each time, not kept


def compile_select(dialect: Dialect, node: Node, fields: Sequence[str] | None = None, *, distinct: bool = False) -> tuple[str, list]:
    """SELECT of ``fields`` (default: the visible heading) of ``node``.

    Nodes are immutable, so a statement is compiled once per node and remembered by it.  An
    order/limit/offset (``Top``) is remembered by the node beneath it: ``T.page(offset=...)``
    builds a new ``Top`` on every call over the same table node.
    """
    anchor, key = node, (dialect.name, None if fields is None else tuple(fields), distinct)
    if isinstance(node, Top):
        anchor, key = node.source, key + (node.limit, node.order_by, node.offset)
    memo = anchor.memo("sql")
    known = memo.get(key)
    if known is None:
        known = _Compiler(dialect).select(node, fields, distinct=distinct)
        if len(known[1]) <= _MEMO_MAX_PARAMS:
            remember(memo, key, known)
    return known[0], list(known[1])


def compile_count(dialect: Dialect, node: Node, *, cap: int | None = None) -> tuple[str, list]:
    """Number of rows of ``node``; with ``cap``, counting stops after ``cap + 1`` rows.

    A capped count reads at most ``cap + 1`` keys, so a preview of a huge table stays
    cheap; ``result > cap`` means "more than ``cap``".
    """
    c = _Compiler(dialect)
    if cap is None and isinstance(node, TableRef):
        return f"SELECT count(*) FROM {dialect.full_name(node.schema, node.table)}", []
    if cap is not None:
        node = Top(node, int(cap) + 1, (), 0)
    pk = node.heading.primary_key
    sql, params = c.select(node, pk or None)
    return f"SELECT count(*) FROM ({sql}) AS {dialect.quote('$count')}", params


def compile_exists(dialect: Dialect, node: Node) -> tuple[str, list]:
    c = _Compiler(dialect)
    shape = c.lower(node)
    sql, params = c.render(replace(shape, limit=1 if shape.limit is None else shape.limit), shape.heading.primary_key[:1] or [])
    return f"SELECT EXISTS ({sql})", params


def compile_condition_for_table(dialect: Dialect, table: TableRef, cond: Cond) -> tuple[str, list]:
    """A WHERE clause body over a single table's own columns (DELETE, UPDATE)."""
    c = _Compiler(dialect)
    shape = c.lower_TableRef(table)
    return c.condition(cond, shape)


