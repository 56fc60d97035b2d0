"""A university pipeline with deterministic data: the test bed of the query algebra.

``declare_university(schema)`` declares the tables and returns them by name::

    Department (Lookup) <- Course <- Section -> Term (Lookup)
         ^                             ^
         |--[nullable]-- Student <- Enroll <- Grade -> LetterGrade (Lookup)
                           ^  ^
                           Advising (advisee, advisor: two renamed foreign keys)

``make_university_data(seed)`` generates the rows (a few thousand, from
``numpy.random.default_rng(seed)``) as pandas DataFrames, the independent oracle's
input; ``populate_university(ns, data)`` inserts exactly those rows.

The data has NULLs in every nullable column, strings with single quotes, a decimal
column per level, enums, a boolean and dates, so that restrictions and aggregations
meet every value kind the backends treat differently.
"""

from __future__ import annotations

import datetime
import types
from decimal import Decimal

import numpy as np
import pandas as pd

import dj_jupyter as dj

__all__ = [
    "DEPARTMENTS",
    "LETTER_GRADES",
    "TERMS",
    "antijoin",
    "declare_university",
    "make_university_data",
    "natural_join",
    "populate_university",
    "semijoin",
    "shared_columns",
]

DEPARTMENTS = [
    ("BIO", "Biology", "Life Sciences Hall"),
    ("CHEM", "Chemistry", "Life Sciences Hall"),
    ("CS", "Computer Science", "Engineering Tower"),
    ("ECON", "Economics", None),
    ("ENG", "English", "O'Neill Hall"),
    ("HIST", "History", "O'Neill Hall"),
    ("MATH", "Mathematics", "Engineering Tower"),
    ("PHYS", "Physics", "Engineering Tower"),
    ("PSY", "Psychology", None),
    ("WGS", "Women's & Gender Studies", "O'Neill Hall"),
]

LETTER_GRADES = [
    ("A", Decimal("4.00")), ("A-", Decimal("3.70")), ("B+", Decimal("3.30")), ("B", Decimal("3.00")),
    ("B-", Decimal("2.70")), ("C+", Decimal("2.30")), ("C", Decimal("2.00")), ("D", Decimal("1.00")),
    ("F", Decimal("0.00")),
]

TERMS = [
    (1, 2022, "spring", datetime.date(2022, 1, 18)),
    (2, 2022, "fall", datetime.date(2022, 8, 29)),
    (3, 2023, "spring", datetime.date(2023, 1, 17)),
    (4, 2023, "fall", datetime.date(2023, 8, 28)),
    (5, 2024, "spring", datetime.date(2024, 1, 16)),
    (6, 2024, "fall", datetime.date(2024, 8, 26)),
]

_FIRST = ["Ann", "Bob", "Chloé", "D'Angelo", "Eve", "Farah", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lena", "Mo", "Noor"]
_LAST = ["O'Brien", "Smith", "Nguyen", "Garcia", "Müller", "D'Souza", "Kim", "Okafor", "Rossi", "Wang", "Lee"]
_STATES = ["NY", "CA", "TX", "MA", "WA", "IL"]
_TOPICS = ["Foundations", "Methods", "Seminar", "Shakespeare's Plays", "Lab", "Theory", "Topics", "Data", "50% Studio"]


def declare_university(schema: dj.Schema) -> types.SimpleNamespace:
    """Declare the university tables in ``schema`` and return them by class name."""

    @schema
    class Department(dj.Lookup):
        definition = """
        # academic department
        dept : varchar(6)
        ---
        dept_name : varchar(60)
        building = null : varchar(40)
        """
        contents = DEPARTMENTS

    @schema
    class Term(dj.Lookup):
        definition = """
        term_id : uint8
        ---
        term_year : uint16
        season : enum('spring', 'summer', 'fall')
        start_date : date
        """
        contents = TERMS

    @schema
    class LetterGrade(dj.Lookup):
        definition = """
        grade : varchar(2)
        ---
        points : decimal(3, 2)
        """
        contents = LETTER_GRADES

    @schema
    class Student(dj.Manual):
        definition = """
        student_id : uint32
        ---
        first_name : varchar(40)
        last_name : varchar(40)
        sex : enum('F', 'M', 'U')
        date_of_birth : date
        home_state = null : char(2)
        enroll_year : uint16
        -> [nullable] Department
        scholarship = null : decimal(8, 2)
        is_international : bool
        """

    @schema
    class Course(dj.Manual):
        definition = """
        course_id : uint16
        ---
        -> Department
        course_name : varchar(120)
        code : char(8)             # e.g. CS300: shorter than the column, so PostgreSQL pads it
        credits : decimal(3, 1)
        level : uint16
        """

    @schema
    class Section(dj.Manual):
        definition = """
        -> Course
        -> Term
        section_id : char(1)
        ---
        room = null : varchar(16)
        capacity : uint16
        """

    @schema
    class Enroll(dj.Manual):
        definition = """
        -> Student
        -> Section
        """

    @schema
    class Grade(dj.Manual):
        definition = """
        -> Enroll
        ---
        -> LetterGrade
        remark = null : varchar(255)
        """

    @schema
    class Advising(dj.Manual):
        definition = """
        # peer advising: a senior student advises a junior one
        -> Student.proj(advisee='student_id')
        ---
        -> Student.proj(advisor='student_id')
        since : date
        """

    return types.SimpleNamespace(
        Department=Department, Term=Term, LetterGrade=LetterGrade, Student=Student, Course=Course,
        Section=Section, Enroll=Enroll, Grade=Grade, Advising=Advising,
    )


# ------------------------------------------------------------------------------ data
def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """Object columns throughout, so values stay exact Python values (Decimal, date, None)."""
    return pd.DataFrame([list(r) for r in rows], columns=columns, dtype=object)


def _students(rng: np.random.Generator, n: int) -> pd.DataFrame:
    depts = [d[0] for d in DEPARTMENTS]
    rows = []
    for i in range(n):
        sid = 1000 + i
        dob = datetime.date(1998, 1, 1) + datetime.timedelta(days=int(rng.integers(0, 2500)))
        state = None if rng.random() < 0.1 else _STATES[rng.integers(len(_STATES))]
        dept = None if rng.random() < 0.15 else depts[rng.integers(len(depts))]
        scholarship = None if rng.random() < 0.5 else Decimal(int(rng.integers(50000, 2000000))) / 100
        rows.append((
            sid, _FIRST[rng.integers(len(_FIRST))], _LAST[rng.integers(len(_LAST))], "FMU"[rng.choice(3, p=[.48, .48, .04])],
            dob, state, int(rng.integers(2019, 2024)), dept, scholarship, bool(rng.random() < 0.2),
        ))
    cols = ["student_id", "first_name", "last_name", "sex", "date_of_birth", "home_state", "enroll_year", "dept",
            "scholarship", "is_international"]
    return _frame(rows, cols)


def _courses(rng: np.random.Generator, n: int) -> pd.DataFrame:
    depts = [d[0] for d in DEPARTMENTS]
    rows = []
    for i in range(n):
        dept = depts[i % len(depts)] if i < len(depts) else depts[rng.integers(len(depts))]
        level = int(rng.choice([100, 200, 300, 400]))
        name = f"{dept} {_TOPICS[rng.integers(len(_TOPICS))]} {level + i}"
        credits = Decimal(str(rng.choice(["1.0", "3.0", "4.0", "4.5"])))
        rows.append((100 + i, dept, name, f"{dept}{level}", credits, level))
    return _frame(rows, ["course_id", "dept", "course_name", "code", "credits", "level"])


def _sections(rng: np.random.Generator, courses: pd.DataFrame, n: int) -> pd.DataFrame:
    combos = [(c, t, s) for c in courses.course_id for t in range(1, len(TERMS) + 1) for s in "ABC"]
    picked = sorted(rng.choice(len(combos), size=n, replace=False))
    rows = []
    for i in picked:
        c, t, s = combos[i]
        room = None if rng.random() < 0.1 else f"R{int(rng.integers(100, 500))}"
        rows.append((c, t, s, room, int(rng.integers(10, 61))))
    return _frame(rows, ["course_id", "term_id", "section_id", "room", "capacity"])


def _enrollments(rng: np.random.Generator, students: pd.DataFrame, sections: pd.DataFrame, n: int) -> pd.DataFrame:
    # the newest students (the last 5%) have not enrolled yet: aggregations meet empty groups
    sids = students.student_id.to_numpy(dtype=object)[: len(students) * 19 // 20]
    total = len(sids) * len(sections)
    picked = sorted(rng.choice(total, size=n, replace=False))
    sec = sections[["course_id", "term_id", "section_id"]].to_numpy(dtype=object)
    rows = [(sids[i // len(sections)], *sec[i % len(sections)]) for i in picked]
    return _frame(rows, ["student_id", "course_id", "term_id", "section_id"])


def _grades(rng: np.random.Generator, enroll: pd.DataFrame, n: int) -> pd.DataFrame:
    letters = [g for g, _ in LETTER_GRADES]
    weights = np.array([14, 12, 12, 14, 10, 9, 9, 5, 4], dtype=float)
    picked = sorted(rng.choice(len(enroll), size=n, replace=False))
    remarks = [None] * 8 + ["didn't submit the final", "excellent", "50% attendance", 'said "later"']
    rows = []
    for i in picked:
        key = tuple(enroll.iloc[i])
        grade = letters[rng.choice(len(letters), p=weights / weights.sum())]
        rows.append((*key, grade, remarks[rng.integers(len(remarks))]))
    return _frame(rows, ["student_id", "course_id", "term_id", "section_id", "grade", "remark"])


def _advising(rng: np.random.Generator, students: pd.DataFrame, n: int) -> pd.DataFrame:
    sids = list(students.student_id)
    advisees = sorted(rng.choice(len(sids), size=n, replace=False))
    rows = []
    for i in advisees:
        advisor = sids[(i + 1 + int(rng.integers(0, len(sids) - 1))) % len(sids)]  # never oneself
        since = datetime.date(2022, 9, 1) + datetime.timedelta(days=int(rng.integers(0, 700)))
        rows.append((sids[i], advisor, since))
    return _frame(rows, ["advisee", "advisor", "since"])


def make_university_data(seed: int = 2024, *, students: int = 300, courses: int = 60, sections: int = 300,
                         enrollments: int = 3000, grades: int = 2500, advisees: int = 100) -> dict[str, pd.DataFrame]:
    """Every table's rows as an object-typed DataFrame (same seed, same data).

    Keys are the class names of :func:`declare_university`.
    """
    rng = np.random.default_rng(seed)
    student = _students(rng, students)
    course = _courses(rng, courses)
    section = _sections(rng, course, sections)
    enroll = _enrollments(rng, student, section, enrollments)
    return {
        "Department": _frame(DEPARTMENTS, ["dept", "dept_name", "building"]),
        "Term": _frame(TERMS, ["term_id", "term_year", "season", "start_date"]),
        "LetterGrade": _frame(LETTER_GRADES, ["grade", "points"]),
        "Student": student,
        "Course": course,
        "Section": section,
        "Enroll": enroll,
        "Grade": _grades(rng, enroll, grades),
        "Advising": _advising(rng, student, advisees),
    }


def _records(frame: pd.DataFrame) -> list[dict]:
    return [dict(zip(frame.columns, row)) for row in frame.itertuples(index=False, name=None)]


def populate_university(ns: types.SimpleNamespace, data: dict[str, pd.DataFrame] | None = None) -> dict[str, pd.DataFrame]:
    """Insert the generated rows (Lookup tables fill themselves) and return the data inserted."""
    data = data if data is not None else make_university_data()
    for name in ("Student", "Course", "Section", "Enroll", "Grade", "Advising"):
        getattr(ns, name).insert(_records(data[name]))
    return data


# ------------------------------------------------------------------------------ the pandas oracle's algebra
# Written from relational algebra, not from the library: natural join on namesakes,
# semijoin/antijoin on namesakes, with SQL's rule that a NULL key never matches.
def shared_columns(a: pd.DataFrame, b: pd.DataFrame) -> list[str]:
    return [c for c in a.columns if c in b.columns]


def natural_join(a: pd.DataFrame, b: pd.DataFrame, *, how: str = "inner") -> pd.DataFrame:
    """Natural join on shared columns (cross join when none); ``how="left"`` keeps every row of ``a``."""
    on = shared_columns(a, b)
    if not on:
        return a.merge(b, how="cross")
    b = b.dropna(subset=on)  # NULL never equals anything
    if how == "inner":
        a = a.dropna(subset=on)
    return a.merge(b, on=on, how=how)


def _key_set(frame: pd.DataFrame, on: list[str]) -> set[tuple]:
    return set(frame[on].dropna().itertuples(index=False, name=None))


def semijoin(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``a`` matching some row of ``b`` on the shared columns."""
    on = shared_columns(a, b)
    if not on:
        return a if len(b) else a.iloc[0:0]
    keys = _key_set(b, on)
    mask = [t in keys for t in a[on].itertuples(index=False, name=None)]
    return a[mask]


def antijoin(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``a`` matching no row of ``b``: the complement of :func:`semijoin`.

    A NULL never matches, so a row of ``a`` with a NULL key is kept (SQL's ``NOT IN``
    would make it unknown and lose it; the library compiles a null-safe NOT EXISTS).
    """
    on = shared_columns(a, b)
    if not on:
        return a.iloc[0:0] if len(b) else a
    keys = _key_set(b, on)
    mask = [t not in keys for t in a[on].itertuples(index=False, name=None)]
    return a[mask]
