"""A small schema made for fuzzing the query algebra, declared with either library (``lib``).

Its shape exercises what query operators care about: nullable columns of several types
(decimal, float, varchar, date, datetime, enum), a diamond (``lab_id`` reaches ``Session``
through ``Animal`` and through ``Rig``), a part table, a nullable foreign key, a table
referencing the same parent twice through a rename (``Pairing``), and a native secondary
attribute that two tables share by name only (``label`` of ``Task`` and ``Rig``: matching
on it must be refused by the semantic check).
"""

from __future__ import annotations

import datetime
import decimal
import random
from types import SimpleNamespace
from typing import Any

__all__ = ["KINDS", "TABLES", "declare", "fill", "rows_of"]

TABLES = ("Lab", "Task", "Animal", "Rig", "Session", "Session.Trial", "Pairing")

# the kind of every declared attribute: how the generator writes literals and expressions for it
KINDS = {
    "lab_id": "int", "lab_name": "str", "budget": "decimal",
    "task": "str", "difficulty": "int", "label": "str",
    "animal_id": "int", "sex": "enum", "weight": "float", "born": "date", "tag": "str",
    "rig": "int", "model": "str",
    "session": "int", "started": "datetime", "score": "float", "n_trials": "int", "note": "str",
    "trial": "int", "outcome": "enum", "rt": "float",
    "partner": "int", "strength": "int",
}


def declare(lib: Any, schema: Any) -> SimpleNamespace:
    """Declare the fuzz schema with ``lib``'s tiers in ``schema``; return the classes by name."""

    @schema
    class Lab(lib.Lookup):
        definition = """
        lab_id : int16
        ---
        lab_name : varchar(16)
        budget = null : decimal(8,2)
        """

    @schema
    class Task(lib.Lookup):
        definition = """
        task : varchar(8)
        ---
        difficulty : int16
        label = null : varchar(16)
        """

    @schema
    class Animal(lib.Manual):
        definition = """
        -> Lab
        animal_id : int32
        ---
        sex : enum('F', 'M', 'U')
        weight = null : float64
        born : date
        tag = null : varchar(16)
        """

    @schema
    class Rig(lib.Lookup):
        definition = """
        -> Lab
        rig : int16
        ---
        model : varchar(16)
        label = null : varchar(16)
        """

    @schema
    class Session(lib.Manual):
        definition = """
        -> Animal
        -> Rig
        session : int16
        ---
        -> [nullable] Task
        started : datetime
        score = null : float64
        n_trials : int32
        note = null : varchar(32)
        """

        class Trial(lib.Part):
            definition = """
            -> master
            trial : int16
            ---
            outcome : enum('hit', 'miss')
            rt = null : float64
            """

    @schema
    class Pairing(lib.Manual):
        definition = """
        -> Animal
        -> Animal.proj(partner='animal_id')
        ---
        strength : int16
        """

    return SimpleNamespace(lib=lib, schema=schema, Lab=Lab, Task=Task, Animal=Animal, Rig=Rig, Session=Session,
                           Pairing=Pairing)


def rows_of(seed: int = 7) -> dict[str, list[dict]]:
    """The rows of every table, made deterministically from ``seed``."""
    rng = random.Random(seed)
    labs = [dict(lab_id=1, lab_name="alpha", budget=decimal.Decimal("1000.50")),
            dict(lab_id=2, lab_name="beta", budget=None),
            dict(lab_id=3, lab_name="gamma", budget=decimal.Decimal("250.00"))]
    tasks = [dict(task="easy", difficulty=1, label="E"), dict(task="hard", difficulty=3, label=None),
             dict(task="mid", difficulty=2, label="M"), dict(task="unused", difficulty=5, label="U")]
    rigs = [dict(lab_id=1, rig=1, model="X100", label="E"), dict(lab_id=1, rig=2, model="X200", label=None),
            dict(lab_id=2, rig=1, model="X100", label="M"), dict(lab_id=3, rig=1, model="Z9", label=None)]
    animals, sessions, trials = [], [], []
    notes = [None, "ok", "50% done", "it's fine", "redo", "ok"]
    for lab_id, ids in ((1, (1, 2, 3)), (2, (4, 5)), (3, (6,))):
        for animal_id in ids:
            animals.append(dict(lab_id=lab_id, animal_id=animal_id, sex=rng.choice("FMU"),
                                weight=None if animal_id % 4 == 0 else round(rng.uniform(15, 40), 2),
                                born=datetime.date(2025, rng.randint(1, 12), rng.randint(1, 28)),
                                tag=None if animal_id % 3 == 0 else f"t{animal_id}"))
            if animal_id == 5:
                continue  # an animal without sessions
            lab_rigs = [r["rig"] for r in rigs if r["lab_id"] == lab_id]
            for session in range(1, rng.randint(2, 4) + 1):
                n = rng.randint(0, 3)
                sessions.append(dict(lab_id=lab_id, animal_id=animal_id, rig=rng.choice(lab_rigs), session=session,
                                     task=rng.choice(["easy", "hard", "mid", None]),
                                     started=datetime.datetime(2026, 1, animal_id, 8 + session, 15 * (session % 4)),
                                     score=None if rng.random() < 0.25 else round(rng.uniform(0, 10), 1),
                                     n_trials=n, note=rng.choice(notes)))
                for trial in range(1, n + 1):
                    trials.append(dict(lab_id=lab_id, animal_id=animal_id, rig=sessions[-1]["rig"], session=session,
                                       trial=trial, outcome=rng.choice(["hit", "miss"]),
                                       rt=None if rng.random() < 0.2 else round(rng.uniform(0.1, 2.0), 3)))
    pairings = [dict(lab_id=1, animal_id=1, partner=2, strength=3), dict(lab_id=1, animal_id=2, partner=3, strength=1),
                dict(lab_id=1, animal_id=3, partner=1, strength=2), dict(lab_id=2, animal_id=4, partner=5, strength=5)]
    return dict(Lab=labs, Task=tasks, Rig=rigs, Animal=animals, Session=sessions, Trial=trials, Pairing=pairings)


def fill(p: SimpleNamespace, rows: dict[str, list[dict]]) -> None:
    """Insert ``rows`` (from :func:`rows_of`) with ``p``'s library."""
    for name in ("Lab", "Task", "Rig", "Animal", "Session", "Pairing"):
        getattr(p, name).insert(rows[name])
    p.Session.Trial.insert(rows["Trial"])
