"""MySQL functions in user SQL expressions, rewritten for the other dialects.

DataJoint users write projection, aggregation and restriction expressions in MySQL's
dialect (``GROUP_CONCAT(x)``, ``YEAR(d)``, ``IF(a, b, c)``, ``CURDATE()``).  PostgreSQL
and SQLite spell several of them differently.  :func:`translate_functions` finds the
calls by name (outside string literals and quoted identifiers), translates their
arguments first, and rewrites each call with the dialect's table below.  Everything
else passes through unchanged; MySQL text is never touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["FUNCTIONS", "translate_functions"]

Rewrite = Callable[[list[str]], str]


def _group_concat(args: list[str], *, postgres: bool) -> str:
    """``GROUP_CONCAT([DISTINCT] x [ORDER BY ...] [SEPARATOR 's'])``: only one argument after parsing."""
    text = args[0] if len(args) == 1 else ", ".join(args)
    sep = "','"
    m = re.search(r"\s+SEPARATOR\s+('(?:[^']|'')*')\s*$", text, re.IGNORECASE)
    if m:
        sep, text = m.group(1), text[: m.start()]
    order = ""
    m = re.search(r"\s+ORDER\s+BY\s+", text, re.IGNORECASE)
    if m:
        order, text = " ORDER BY " + text[m.end():], text[: m.start()]
    distinct = ""
    m = re.match(r"\s*DISTINCT\s+", text, re.IGNORECASE)
    if m:
        distinct, text = "DISTINCT ", text[m.end():]
    if postgres:
        return f"STRING_AGG({distinct}CAST({text.strip()} AS TEXT), {sep}{order})"
    # SQLite's group_concat takes the separator as its second argument (none with DISTINCT);
    # ORDER BY inside an aggregate needs SQLite 3.44, older versions refuse it
    return f"GROUP_CONCAT({distinct}{text.strip()}{'' if distinct else ', ' + sep}{order})"


def _extract(part: str) -> Rewrite:
    return lambda a: f"CAST(EXTRACT({part} FROM {a[0]}) AS INTEGER)"


def _strftime(fmt: str) -> Rewrite:
    return lambda a: f"CAST(strftime('{fmt}', {a[0]}) AS INTEGER)"


def _case(a: list[str]) -> str:
    return f"(CASE WHEN {a[0]} THEN {a[1]} ELSE {a[2]} END)"


_POSTGRES: dict[str, tuple[int | None, Rewrite]] = {
    # name: (number of arguments, or None for any; rewrite of the translated arguments)
    "group_concat": (None, lambda a: _group_concat(a, postgres=True)),
    "curdate": (0, lambda a: "CURRENT_DATE"),
    "curtime": (0, lambda a: "CURRENT_TIME"),
    "year": (1, _extract("YEAR")),
    "month": (1, _extract("MONTH")),
    "day": (1, _extract("DAY")),
    "dayofmonth": (1, _extract("DAY")),
    "hour": (1, _extract("HOUR")),
    "minute": (1, _extract("MINUTE")),
    "second": (1, _extract("SECOND")),
    "if": (3, _case),
    "ifnull": (2, lambda a: f"COALESCE({a[0]}, {a[1]})"),
}

_SQLITE: dict[str, tuple[int | None, Rewrite]] = {
    "group_concat": (None, lambda a: _group_concat(a, postgres=False)),
    "now": (0, lambda a: "datetime('now')"),
    "curdate": (0, lambda a: "date('now')"),
    "curtime": (0, lambda a: "time('now')"),
    "year": (1, _strftime("%Y")),
    "month": (1, _strftime("%m")),
    "day": (1, _strftime("%d")),
    "dayofmonth": (1, _strftime("%d")),
    "hour": (1, _strftime("%H")),
    "minute": (1, _strftime("%M")),
    "second": (1, _strftime("%S")),
    "if": (3, _case),
    # MySQL's CONCAT is NULL when any argument is; SQLite's `||` is too (its own concat(), from 3.44, is not)
    "concat": (None, lambda a: "(" + " || ".join(a) + ")" if a else "''"),
}

FUNCTIONS: dict[str, dict[str, tuple[int | None, Rewrite]]] = {"postgresql": _POSTGRES, "sqlite": _SQLITE, "mysql": {}}

_TOKEN = re.compile(r"""'(?:[^'\\]|\\.|'')*'|"(?:[^"]|"")*"|`[^`]*`|(?<![\w.])([A-Za-z_][A-Za-z0-9_]*)\s*\(""")


def _closing(text: str, start: int) -> int:
    """Index of the parenthesis closing the one just before ``start`` (len(text) if unbalanced)."""
    depth, i = 1, start
    quote = None
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text)


def _split_arguments(text: str) -> list[str]:
    """Top-level comma-separated arguments (commas inside parentheses or quotes do not split)."""
    args, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(text):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
    tail = text[start:].strip()
    return args + [tail] if (tail or args) else args


def translate_functions(sql: str, dialect_name: str) -> str:
    """``sql`` with the MySQL functions that ``dialect_name`` lacks rewritten into its own.

    Examples
    --------
    >>> translate_functions("IF(n > 2, 'many', 'few')", "postgresql")
    "(CASE WHEN n > 2 THEN 'many' ELSE 'few' END)"
    >>> translate_functions("year(start_date)", "mysql")
    'year(start_date)'
    """
    table = FUNCTIONS.get(dialect_name)
    if not table:
        return sql
    out: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(sql):
        if m.start() < pos or not m.group(1):
            continue
        rule = table.get(m.group(1).lower())
        if rule is None:
            continue
        end = _closing(sql, m.end())
        args = [translate_functions(a, dialect_name) for a in _split_arguments(sql[m.end():end])]
        arity, rewrite = rule
        if end == len(sql) or (arity is not None and len(args) != arity):
            continue  # not a call we understand: leave it for the database to judge
        out.append(sql[pos:m.start()])
        out.append(rewrite(args))
        pos = end + 1
    out.append(sql[pos:])
    return "".join(out)
