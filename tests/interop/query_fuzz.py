"""A seeded generator of query expressions over the fuzz schema, and the outcome of running one.

An expression is generated as Python source text over ``m`` (a namespace of one library's
table classes) and ``dj`` (that library), e.g. ``(m.Session() & 'score > 2.5').proj(n2='n_trials * 2')``.
The same text is evaluated with DataJoint's classes and with ours, so both libraries get
identical calls, and a failure is reproduced by pasting the text.

The generator looks at the headings of the sub-expressions it has built (with our library,
which needs no database for that) to choose attribute names, values and operands that
mostly make sense; a share of its choices is deliberately invalid, so that rejections are
compared too.  Everything it does depends only on its seed.
"""

from __future__ import annotations

import datetime
import decimal
import random
import re
from dataclasses import dataclass
from typing import Any

from tests.interop.compare import plain_rows
from tests.interop.fuzz_schema import KINDS

__all__ = ["Generator", "Outcome", "evaluate", "outcome"]

BASES = {
    "m.Lab()": ("lab_id",),
    "m.Task()": ("task",),
    "m.Animal()": ("lab_id", "animal_id"),
    "m.Rig()": ("lab_id", "rig"),
    "m.Session()": ("lab_id", "animal_id", "rig", "session"),
    "m.Session.Trial()": ("lab_id", "animal_id", "rig", "session", "trial"),
    "m.Pairing()": ("lab_id", "animal_id", "partner"),
}
NUMERIC = ("int", "float", "decimal")
_U_RESTRICTED = re.compile(r"dj\.U\([^)]*\) & ")
EVAL_GLOBALS = {"datetime": datetime, "Decimal": decimal.Decimal}


def evaluate(text: str, namespace: Any) -> Any:
    """The query that ``text`` builds with ``namespace``'s classes (``m``) and library (``dj``)."""
    return eval(text, dict(EVAL_GLOBALS, m=namespace, dj=namespace.lib))  # noqa: S307 - our own generated text


@dataclass
class Info:
    """A generated (sub-)expression: its text, and its heading as our library sees it (None: we reject it)."""

    text: str
    names: list[str] | None = None
    pk: list[str] | None = None

    @property
    def valid(self) -> bool:
        return self.names is not None

    @property
    def secondary(self) -> list[str]:
        return [n for n in self.names if n not in self.pk]


class Generator:
    """``Generator(seed, ours, rows).expression()`` -> one expression's text, always the same for a seed."""

    def __init__(self, seed: str, ours: Any, rows: dict[str, list[dict]]) -> None:
        self.rng = random.Random(seed)
        self.ours = ours
        self.kinds = dict(KINDS)
        self.pools: dict[str, list] = {}
        for table in rows.values():
            for row in table:
                for name, value in row.items():
                    pool = self.pools.setdefault(name, [])
                    if value not in pool:
                        pool.append(value)
        self.counter = 0
        # constructs of this expression that meet a known DataJoint defect (see test_query_fuzz.REFERENCE_DEFECTS)
        self.flags: set[str] = set()

    # ------------------------------------------------------------------ helpers
    def info(self, text: str) -> Info:
        try:
            q = evaluate(text, self.ours)
            if isinstance(q, type):
                q = q()
            return Info(text, list(q.heading.names), list(q.primary_key))
        except Exception:  # noqa: BLE001 - an invalid expression is a legitimate case
            return Info(text)

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def operands(self, *texts: str) -> None:
        """Note the defects of DataJoint that using ``texts`` as operands of a join, aggr or semijoin meets."""
        for text in texts:
            if "dj.Top(" in text:
                self.flags.add("top_operand")
            if _U_RESTRICTED.search(text):
                self.flags.add("u_operand")
            if ") + (" in text:
                self.flags.add("union_operand")

    def nullable_shared(self, q: Info, other: Info) -> bool:
        """Some attribute matched between ``q`` and ``other`` is nullable on either side."""
        try:
            a, b = evaluate(q.text, self.ours).heading, evaluate(other.text, self.ours).heading
        except Exception:  # noqa: BLE001
            return False
        return any(a[n].nullable or b[n].nullable for n in a.names if n in b.names)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def kind(self, name: str) -> str:
        return self.kinds.get(name, "int")

    def values(self, name: str) -> list:
        pool = self.pools.get(name)
        if pool:
            return pool
        return {"int": [0, 1, 2, 3, 5], "float": [0.5, 1.0, 2.5], "decimal": [decimal.Decimal("1.5")],
                "str": ["a", "ok"], "enum": ["F", "hit"], "date": [datetime.date(2025, 6, 1)],
                "datetime": [datetime.datetime(2026, 1, 2, 10, 0)]}[self.kind(name)]

    def value(self, name: str, *, allow_null: bool = True) -> Any:
        pool = [v for v in self.values(name) if allow_null or v is not None] or [1]
        if self.chance(0.1) and self.kind(name) in NUMERIC:
            return 999  # a value no row has
        return self.rng.choice(pool)

    def literal(self, name: str, value: Any = None) -> str:
        v = self.value(name, allow_null=False) if value is None else value
        if isinstance(v, datetime.datetime):
            return f"'{v:%Y-%m-%d %H:%M:%S}'"
        if isinstance(v, datetime.date):
            return f"'{v.isoformat()}'"
        if isinstance(v, str):
            return "'" + v.replace("'", "''") + "'"
        return str(v)

    # ------------------------------------------------------------------ conditions
    def sql_condition(self, q: Info, depth: int = 0) -> str:
        if self.chance(0.03):
            return "nosuch_attr > 1"  # both must refuse an unknown attribute
        if not q.names:
            return "1 = 1"
        if depth < 2 and self.chance(0.25):
            a, b = self.sql_condition(q, depth + 1), self.sql_condition(q, depth + 1)
            return self.rng.choice([f"({a}) AND ({b})", f"({a}) OR ({b})", f"NOT ({a})"])
        name = self.rng.choice(q.names)
        kind = self.kind(name)
        r = self.rng.random()
        if r < 0.15:
            return f"{name} IS {'NOT ' if self.chance(0.5) else ''}NULL"
        if r < 0.3:
            values = {self.literal(name) for _ in range(self.rng.randint(1, 3))}
            return f"{name} {'NOT ' if self.chance(0.3) else ''}IN ({', '.join(sorted(values))})"
        if r < 0.4 and kind == "str":
            start = str(self.value(name, allow_null=False))[:1].replace("'", "''")
            return f"{name} LIKE '{start}%'"
        op = self.rng.choice(["=", "<>", "<", ">", "<=", ">="] if kind != "enum" else ["=", "<>"])
        return f"{name} {op} {self.literal(name)}"

    def dict_condition(self, q: Info) -> str:
        if not q.names:
            return "{}"
        names = self.rng.sample(q.names, min(len(q.names), self.rng.randint(1, 2)))
        d = {n: self.value(n) for n in names}
        if self.chance(0.1):
            d["not_an_attribute"] = 1  # ignored by both
        return repr(d)

    def condition(self, q: Info, depth: int) -> str:
        """Any restriction argument (not a Top)."""
        r = self.rng.random()
        if r < 0.3:
            return repr(self.sql_condition(q))
        if r < 0.5:
            return self.dict_condition(q)
        if r < 0.6:
            return "[" + ", ".join(self.dict_condition(q) for _ in range(self.rng.randint(0, 3))) + "]"
        if r < 0.65:
            return f"dj.AndList([{self.condition(q, depth)}, {self.condition(q, depth)}])"
        if r < 0.7:
            return f"dj.Not({self.condition(q, depth)})"
        if r < 0.75:
            return "[" + ", ".join((repr(self.sql_condition(q)), self.dict_condition(q))) + "]"
        if r < 0.78:
            return self.rng.choice(["True", "False", "[]", "dj.AndList([])"])
        other = self.related(q, depth - 1)
        self.operands(other.text)
        if other.valid and self.nullable_shared(q, other):
            self.flags.add("nullable_antijoin")
        if self.chance(0.1):
            return f"-({other.text})"
        return f"({other.text})"

    def related(self, q: Info, depth: int) -> Info:
        """An expression that shares key attributes with ``q`` (mostly), for semijoins and joins."""
        shared = [b for b, key in BASES.items() if set(key) & set(q.names)]
        base = self.rng.choice(shared if shared and self.chance(0.9) else list(BASES))
        return self.expression(max(depth, 0), base=base)

    # ------------------------------------------------------------------ operators
    def top(self, q: Info) -> str:
        if "dj.Top(" in q.text:
            self.flags.add("top_merge")
        if ") + (" in q.text:
            self.flags.add("union_top")
        limit = self.rng.choice([0, 1, 2, 3, 5, None])
        order = self.rng.choice(["'KEY'", "'KEY DESC'", "None", "order"])
        if order == "order" and not q.names:
            order = "'KEY'"
        if order == "order" and q.names:
            name = self.rng.choice(q.names)
            order = repr([f"{name}{self.rng.choice(['', ' DESC', ' ASC'])}", "KEY"])
        offset = self.rng.choice([0, 0, 1, 2])
        if limit is None and not offset:
            offset = 1
        return f"dj.Top({limit}, {order}, offset={offset})"

    def projection(self, q: Info) -> str:
        args: list[str] = []
        kw: list[str] = []
        r = self.rng.random()
        if r < 0.15:
            args.append("...")
        elif q.secondary:
            for name in self.rng.sample(q.secondary, self.rng.randint(0, len(q.secondary))):
                args.append(repr(name))
        if q.secondary and self.chance(0.15):
            args.append(repr("-" + self.rng.choice(q.secondary)))
        if self.chance(0.05) and q.names:
            args.append(repr("-" + self.rng.choice(q.pk or q.names)))  # excluding a key attribute: refused
        for _ in range(self.rng.randint(0, 2) if q.names else 0):
            name = self.rng.choice(q.names)
            if self.chance(0.4):
                new = self.fresh(name + "_")
                self.kinds[new], self.pools[new] = self.kind(name), self.values(name)
                kw.append(f"{new}={(name if self.chance(0.8) else '(' + name + ')')!r}")
            else:
                new, sql, kind = self.computed(q, name)
                self.kinds[new] = kind
                kw.append(f"{new}={sql!r}")
        if self.chance(0.03) and q.names:
            kw.append(f"c_bad='{self.rng.choice(q.names)} + nosuch_attr'")
        return f"({q.text}).proj({', '.join(args + kw)})"

    def computed(self, q: Info, name: str) -> tuple[str, str, str]:
        kind = self.kind(name)
        new = self.fresh("c")
        if kind in NUMERIC:
            other = [n for n in q.names if self.kind(n) in NUMERIC and n != name]
            choices = [(f"{name} * 2", kind), (f"{name} + 1", kind), (f"abs({name})", kind), (f"coalesce({name}, 0)", kind)]
            if other:
                choices.append((f"{name} - {self.rng.choice(other)}", "float"))
        elif kind == "str":
            choices = [(f"concat({name}, '!')", "str"), (f"length({name})", "int"), (f"upper({name})", "str")]
        elif kind == "date":
            choices = [(f"year({name})", "int"), (f"month({name})", "int")]
        elif kind == "datetime":
            choices = [(f"hour({name})", "int"), (f"date({name})", "date")]
        else:
            choices = [(f"concat({name}, '')", "str")]
        sql, kind = self.rng.choice(choices)
        return new, sql, kind

    def aggregates(self, group: Info) -> list[str]:
        out = []
        for _ in range(self.rng.randint(1, 3)):
            if not group.names:
                out.append(f"{self.fresh('a')}='count(*)'")
                self.kinds[out[-1].split("=")[0]] = "int"
                continue
            name = self.rng.choice(group.names)
            kind = self.kind(name)
            fn = self.rng.choice(["count(*)", "count", "max", "min"] + (["sum", "avg"] if kind in NUMERIC else []))
            new = self.fresh("a")
            if fn == "count(*)":
                sql, self.kinds[new] = fn, "int"
            elif fn == "count":
                sql, self.kinds[new] = f"count({name})", "int"
            else:
                sql = f"{fn}({name})"
                self.kinds[new] = kind if fn in ("max", "min") else "float"
                if fn in ("max", "min"):
                    self.pools[new] = self.values(name)
            out.append(f"{new}={sql!r}")
        return out

    def aggr(self, q: Info, depth: int) -> str:
        candidates = [b for b, key in BASES.items() if set(q.pk) <= set(key) and b != q.text]
        base = self.rng.choice(candidates) if candidates and self.chance(0.9) else self.rng.choice(list(BASES))
        group = self.expression(max(depth - 1, 0), base=base)
        if not group.valid:
            return group.text
        args = []
        if q.secondary and self.chance(0.3):
            args.append(repr(self.rng.choice(q.secondary)))
        args += self.aggregates(group)
        self.operands(q.text, group.text)
        if self.chance(0.4):
            args.append("exclude_nonmatching=True")
        elif any(op in group.text for op in (" & ", " - ", ".restrict(")):
            self.flags.add("restricted_group")
        return f"({q.text}).aggr({group.text}, {', '.join(args)})"

    def universal(self, q: Info, depth: int) -> str:
        names = self.rng.sample(q.names, min(len(q.names), self.rng.randint(0 if self.chance(0.2) else 1, 2)))
        if self.chance(0.05):
            names.append("nosuch_attr")
        attrs = ", ".join(repr(n) for n in names)
        self.operands(q.text)
        if self.chance(0.5):
            return f"dj.U({attrs}) & ({q.text})"
        extra = ", exclude_nonmatching=False" if self.chance(0.05) else ""
        if ".aggr(" in q.text:
            self.flags.add("u_aggr_of_aggr")
        return f"dj.U({attrs}).aggr({q.text}, {', '.join(self.aggregates(q))}{extra})"

    def union(self, base: str) -> str:
        def side() -> str:
            q = self.info(base)
            text = f"({base} & {repr(self.sql_condition(q))})"
            return text

        left, right = side(), side()
        pick = self.rng.random()
        q = self.info(base)
        if pick < 0.5 or not q.secondary:
            return f"({left}.proj() + {right}.proj())"
        a = self.rng.choice(q.secondary)
        b = self.rng.choice(q.secondary)  # the same name on both sides: refused
        return f"({left}.proj({a!r}) + {right}.proj({b!r}))"

    # ------------------------------------------------------------------ expressions
    def expression(self, depth: int, base: str | None = None) -> Info:
        q = self.info(base or self.rng.choice(list(BASES)))
        if not q.valid:
            return q
        steps = self.rng.randint(0, depth)
        for _ in range(steps):
            text = self.step(q, depth)
            q = self.info(text)
            if not q.valid:
                return q
        return q

    def step(self, q: Info, depth: int) -> str:
        r = self.rng.random()
        if r < 0.25:
            return f"({q.text}) & {self.condition(q, depth)}"
        if r < 0.33:
            return f"({q.text}) - {self.condition(q, depth)}"
        if r < 0.38:
            return f"({q.text}).restrict({self.condition(q, depth)})"
        if r < 0.46:
            return f"({q.text}) & {self.top(q)}"
        if r < 0.56:
            other = self.related(q, depth - 1)
            self.operands(q.text, other.text)
            return f"({q.text}) * ({other.text})"
        if r < 0.72:
            return self.projection(q)
        if r < 0.84:
            return self.aggr(q, depth)
        if r < 0.92:
            return self.universal(q, depth)
        return self.union(self.rng.choice(list(BASES)))


# ---------------------------------------------------------------------- running one expression
@dataclass
class Outcome:
    """What a library made of an expression: its error, or its heading and results."""

    error: BaseException | None = None
    stage: str = ""
    names: list[str] | None = None
    pk: list[str] | None = None
    rows: list | None = None
    length: int | None = None
    truth: bool | None = None
    keys: list | None = None
    one: Any = None
    page: list | None = None
    sql: str | None = None
    kind: str = ""  # the class of the query object


def sorted_plain(rows: list[dict]) -> list[dict]:
    rows = plain_rows(rows)
    return sorted(rows, key=lambda r: repr(sorted((k, repr(v)) for k, v in r.items())))


def outcome(text: str, namespace: Any, page: dict | None) -> Outcome:
    """Build ``text`` with ``namespace`` and fetch everything that is compared, recording the first error."""
    out = Outcome()
    stage = "build"
    try:
        q = evaluate(text, namespace)
        if isinstance(q, type):
            q = q()
        out.names, out.pk = list(q.heading.names), list(q.primary_key)
        out.kind = type(q).__name__
        out.sql = q.make_sql()
        stage = "to_dicts"
        out.rows = sorted_plain(q.to_dicts())
        stage = "len"
        out.length = len(q)
        stage = "bool"
        out.truth = bool(q)
        stage = "keys"
        out.keys = sorted_plain(q.keys())
        if len(out.rows) == 1:
            stage = "fetch1"
            out.one = plain_rows([q.fetch1()])[0]
        if page is not None:
            stage = "page"
            name = page["name"] if page["name"] in out.names else (out.names[0] if out.names else None)
            order = [f"{name} {page['direction']}", "KEY"] if name else "KEY"
            out.page = plain_rows(q.to_dicts(order_by=order, limit=page["limit"], offset=page["offset"]))
    except Exception as error:  # noqa: BLE001 - every failure is an outcome to compare
        out.error, out.stage = error, stage
    return out
