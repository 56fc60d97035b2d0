"""A schema for fuzzing cascading delete, its rows, and a seeded generator of delete cases.

The graph has what a cascade must get right: a diamond (``lab_id`` reaches ``Session`` through
``Subject`` and through ``Rig``), a renamed multi-column foreign key (``Pairing`` references
``Subject`` twice), nullable secondary foreign keys (``Subject.person``, ``Session.operator``
renamed from ``Person``, the multi-column ``Review -> Session``), a master with two parts
(``Scan.Field``, ``Scan.Unit``), a part referencing another table (``Scan.Unit -> Probe``) and its
sibling part (``Scan.Unit -> [nullable] Scan.Field``), and a table below a part (``Annotation``).

A case is Python text restricting one table (``m`` is a namespace of one library's classes,
``dj`` that library), plus a ``part_integrity`` value; the same text is evaluated with DataJoint's
classes and with ours.  Everything depends only on the seed.
"""

from __future__ import annotations

import random
import re
from types import SimpleNamespace
from typing import Any

__all__ = ["ORDER", "PARTS", "Case", "declare", "fill", "generate", "rows_of"]

# every table, parents first (the order rows are inserted in); parts named as attributes of their master
ORDER = ("Lab", "Person", "Probe", "Subject", "Rig", "Session", "Scan", "Scan.Field", "Scan.Unit", "Pairing",
         "Annotation", "Review")
PARTS = ("Scan.Field", "Scan.Unit")

PK = {
    "Lab": ("lab_id",), "Person": ("person",), "Probe": ("probe",),
    "Subject": ("lab_id", "subject_id"), "Rig": ("lab_id", "rig"),
    "Session": ("lab_id", "subject_id", "rig", "session"),
    "Scan": ("lab_id", "subject_id", "rig", "session", "scan_idx"),
    "Scan.Field": ("lab_id", "subject_id", "rig", "session", "scan_idx", "field"),
    "Scan.Unit": ("lab_id", "subject_id", "rig", "session", "scan_idx", "unit"),
    "Pairing": ("lab_id", "subject_id", "partner_lab", "partner"),
    "Annotation": ("lab_id", "subject_id", "rig", "session", "scan_idx", "field", "person"),
    "Review": ("review_id",),
}
# the foreign keys, parent -> children
CHILDREN = {
    "Lab": ("Subject", "Rig"), "Person": ("Subject", "Session", "Annotation"), "Probe": ("Scan.Unit",),
    "Subject": ("Session", "Pairing"), "Rig": ("Session",), "Session": ("Scan", "Review"),
    "Scan": ("Scan.Field", "Scan.Unit"), "Scan.Field": ("Scan.Unit", "Annotation"),
}


def affected(target: str, part_integrity: str) -> set[str]:
    """The tables a delete from ``target`` may delete rows of (with "cascade": also the masters of parts reached)."""
    found, stack = {target}, [target]
    while stack:
        name = stack.pop()
        more = list(CHILDREN.get(name, ()))
        if part_integrity == "cascade" and name in PARTS:
            more.append(name.partition(".")[0])
        for child in more:
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def tables_read(text: str) -> set[str]:
    """The tables a case's text names."""
    return set(re.findall(r"m\.([A-Z]\w*(?:\.[A-Z]\w*)?)\(\)", text))


# secondary attributes a string or dict restriction may use (name -> kind)
SECONDARY = {
    "Lab": {"lab_name": "str"}, "Person": {"full_name": "str"}, "Probe": {"channels": "int"},
    "Subject": {"person": "str", "sex": "str"}, "Rig": {"model": "str"},
    "Session": {"operator": "str", "quality": "int"}, "Scan": {"depth": "int"},
    "Scan.Field": {"x": "int"}, "Scan.Unit": {"probe": "str", "field": "int", "snr": "int"},
    "Pairing": {"strength": "int"}, "Annotation": {"note": "str"},
    "Review": {"lab_id": "int", "subject_id": "int", "rig": "int", "session": "int", "grade": "int"},
}


def declare(lib: Any, schema: Any) -> SimpleNamespace:
    """Declare the delete-fuzz schema with ``lib``'s tiers in ``schema``; return the classes by name."""

    @schema
    class Lab(lib.Manual):
        definition = """
        lab_id : int16
        ---
        lab_name : varchar(16)
        """

    @schema
    class Person(lib.Manual):
        definition = """
        person : varchar(12)
        ---
        full_name : varchar(32)
        """

    @schema
    class Probe(lib.Lookup):
        definition = """
        probe : varchar(8)
        ---
        channels : int16
        """

    @schema
    class Subject(lib.Manual):
        definition = """
        -> Lab
        subject_id : int32
        ---
        -> [nullable] Person
        sex : enum('F', 'M', 'U')
        """

    @schema
    class Rig(lib.Manual):
        definition = """
        -> Lab
        rig : int16
        ---
        model : varchar(16)
        """

    @schema
    class Session(lib.Manual):
        definition = """
        -> Subject
        -> Rig
        session : int16
        ---
        -> [nullable] Person.proj(operator='person')
        quality : int16
        """

    @schema
    class Scan(lib.Manual):
        definition = """
        -> Session
        scan_idx : int16
        ---
        depth : int32
        """

        class Field(lib.Part):
            definition = """
            -> master
            field : int16
            ---
            x : int32
            """

        class Unit(lib.Part):
            definition = """
            -> master
            unit : int16
            ---
            -> Probe
            -> [nullable] Scan.Field
            snr : int16
            """

    @schema
    class Pairing(lib.Manual):
        definition = """
        -> Subject
        -> Subject.proj(partner_lab='lab_id', partner='subject_id')
        ---
        strength : int16
        """

    @schema
    class Annotation(lib.Manual):
        definition = """
        -> Scan.Field
        -> Person
        ---
        note : varchar(24)
        """

    @schema
    class Review(lib.Manual):
        definition = """
        review_id : int32
        ---
        -> [nullable] Session
        grade : int16
        """

    return SimpleNamespace(lib=lib, schema=schema, Lab=Lab, Person=Person, Probe=Probe, Subject=Subject, Rig=Rig,
                           Session=Session, Scan=Scan, Pairing=Pairing, Annotation=Annotation, Review=Review)


def table_of(p: SimpleNamespace, name: str) -> Any:
    master, _, part = name.partition(".")
    return getattr(getattr(p, master), part) if part else getattr(p, master)


def rows_of(seed: int) -> dict[str, list[dict]]:
    """The rows of every table, made deterministically from ``seed``."""
    rng = random.Random(f"rows-{seed}")
    rows: dict[str, list[dict]] = {name: [] for name in ORDER}
    rows["Lab"] = [dict(lab_id=i, lab_name=n) for i, n in ((1, "alpha"), (2, "beta"), (3, "gamma"))]
    people = ["ann", "bo", "cy", "di"]
    rows["Person"] = [dict(person=p, full_name=p.title() + " X") for p in people]
    rows["Probe"] = [dict(probe=p, channels=c) for p, c in (("np1", 384), ("np2", 768), ("tet", 4))]
    for lab in (1, 2, 3):
        for rig in range(1, rng.randint(1, 2) + 1):
            rows["Rig"].append(dict(lab_id=lab, rig=rig, model=rng.choice(["X1", "X2", "Z9"])))
        for subject in range(1, rng.randint(2, 4) + 1):
            rows["Subject"].append(dict(lab_id=lab, subject_id=subject, person=rng.choice(people + [None]),
                                        sex=rng.choice("FMU")))
    for s in rows["Subject"]:
        rigs = [r["rig"] for r in rows["Rig"] if r["lab_id"] == s["lab_id"]]
        for session in range(1, rng.randint(0, 3) + 1):
            key = dict(lab_id=s["lab_id"], subject_id=s["subject_id"], rig=rng.choice(rigs), session=session)
            rows["Session"].append(dict(key, operator=rng.choice(people + [None, None]), quality=rng.randint(0, 5)))
            for scan_idx in range(1, rng.randint(0, 2) + 1):
                scan = dict(key, scan_idx=scan_idx)
                rows["Scan"].append(dict(scan, depth=rng.randint(50, 400)))
                fields = list(range(1, rng.randint(0, 3) + 1))
                for field in fields:
                    rows["Scan.Field"].append(dict(scan, field=field, x=rng.randint(0, 9)))
                    for person in rng.sample(people, rng.choice([0, 0, 1, 2])):
                        rows["Annotation"].append(dict(scan, field=field, person=person,
                                                       note=rng.choice(["ok", "bad", "50%"])))
                for unit in range(1, rng.randint(0, 3) + 1):
                    rows["Scan.Unit"].append(dict(scan, unit=unit, probe=rng.choice(["np1", "np2", "tet"]),
                                                  field=rng.choice(fields + [None]), snr=rng.randint(1, 20)))
    subjects = [(s["lab_id"], s["subject_id"]) for s in rows["Subject"]]
    for a, b in {tuple(rng.sample(subjects, 2)) for _ in range(7)}:
        rows["Pairing"].append(dict(lab_id=a[0], subject_id=a[1], partner_lab=b[0], partner=b[1],
                                    strength=rng.randint(1, 5)))
    sessions = [{k: s[k] for k in PK["Session"]} for s in rows["Session"]]
    for review_id in range(1, 8):
        target = rng.choice(sessions) if rng.random() < 0.75 else dict.fromkeys(PK["Session"])
        rows["Review"].append(dict(target, review_id=review_id, grade=rng.randint(1, 3)))
    return rows


def fill(p: SimpleNamespace, rows: dict[str, list[dict]]) -> None:
    """Insert ``rows`` with ``p``'s library, parents first."""
    for name in ORDER:
        if rows[name]:
            table_of(p, name).insert(rows[name])


class Case(SimpleNamespace):
    """``text`` (the restricted table), ``target`` (its table's name), ``part_integrity``."""

    def evaluate(self, p: SimpleNamespace) -> Any:
        return eval(self.text, {"m": p, "dj": p.lib})  # noqa: S307 - our own generated text

    def __str__(self) -> str:
        return f"({self.text}).delete(prompt=False, part_integrity={self.part_integrity!r})"


def _literal(value: Any) -> str:
    return repr(value)


def _sql_literal(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def generate(seed: int, case: int, rows: dict[str, list[dict]]) -> Case:
    """Case ``case`` of ``seed``: a restriction of a random table, and a ``part_integrity``."""
    rng = random.Random(f"{seed}-{case}")
    # parts are chosen often enough that each part_integrity meets them
    target = rng.choice(ORDER + PARTS)
    base = f"m.{target}()"
    text = base
    for _ in range(rng.choice([1, 1, 1, 2])):
        text = f"({text}) & {_restriction(rng, target, rows)}"
    if rng.random() < 0.08:
        text = f"({text}) & dj.Top({rng.randint(1, 3)}, order_by={rng.choice(['KEY', 'KEY DESC'])!r})"
    part_integrity = rng.choice(["enforce"] * 6 + ["ignore", "cascade"])
    return Case(text=text, target=target, part_integrity=part_integrity)


def _restriction(rng: random.Random, target: str, rows: dict[str, list[dict]]) -> str:
    table_rows = rows[target]
    row = rng.choice(table_rows) if table_rows else None
    kind = rng.choice(["dict", "dict", "string", "string", "query", "query", "keys", "not"])
    pk = PK[target]
    if kind == "dict" and row:
        names = rng.sample(pk, rng.randint(1, len(pk)))
        if rng.random() < 0.3 and SECONDARY[target]:
            names.append(rng.choice(list(SECONDARY[target])))
        key = {n: row[n] for n in names}
        if rng.random() < 0.1:
            key[names[0]] = 99 if isinstance(key[names[0]], int) else "nobody"  # matches nothing
        return _literal(key)
    if kind == "keys":
        n = rng.choice([0, 1, 2, 3])
        keys = [{k: r[k] for k in pk} for r in rng.sample(table_rows, min(n, len(table_rows)))]
        return _literal(keys)
    if kind == "string" and row:
        name = rng.choice(list(pk) + list(SECONDARY[target]))
        value = row[name]
        if value is None or rng.random() < 0.15:
            return repr(f"{name} IS {rng.choice(['', 'NOT '])}NULL")
        if isinstance(value, int):
            op = rng.choice([">", "<=", "=", "!="])
            return repr(f"{name} {op} {value}")
        other = rng.choice(table_rows)[name]
        values = ", ".join(_sql_literal(v) for v in {value, other} if v is not None)
        return repr(f"{name} IN ({values})")
    if kind in ("query", "not"):
        related = [name for name in ORDER if name != target and set(PK[name]) & set(pk + tuple(SECONDARY[target]))]
        other = rng.choice(related or ["Lab"])
        operand = f"m.{other}()"
        other_rows = rows[other]
        if other_rows and rng.random() < 0.6:
            r = rng.choice(other_rows)
            name = rng.choice(PK[other])
            operand = f"({operand} & {_literal({name: r[name]})})"
        if other == "Pairing" and rng.random() < 0.5:
            operand = "m.Pairing().proj(lab_id='partner_lab', subject_id='partner', p='lab_id', q='subject_id')"
        return f"dj.Not({operand})" if kind == "not" else operand
    return repr("TRUE") if rng.random() < 0.5 else repr("FALSE")
