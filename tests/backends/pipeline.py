"""A small data pipeline shared by the data tests (insert, fetch, update/delete, safety, populate).

``declare_pipeline(schema)`` declares four levels with a renamed foreign key and a
Computed table with a part::

    Subject  <-  Session  <-  Analysis (Computed, part Analysis.Item)  <-  Review (Manual)
       ^--- Session.buddy (renamed: buddy_id -> subject_id, nullable secondary)

``module_database(request, tmp_path_factory)`` is the body of a module-scoped,
backend-parametrized fixture: it yields ``(connection, schema_name)`` and drops the
schema afterwards.  Tests that mutate data use the function-scoped ``connection`` and
``schema_name`` fixtures of conftest instead.
"""

from __future__ import annotations

import types

import dj_jupyter as dj
from tests.backends.conftest import (
    drop_schema,
    fresh_schema_name,
    make_connection,
    require_backend,
)

__all__ = ["declare_pipeline", "fill_pipeline", "module_database", "table_state"]


def declare_pipeline(schema: dj.Schema) -> types.SimpleNamespace:
    """Declare the pipeline tables in ``schema`` and return them by name."""

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : uint16
        ---
        name : varchar(40)
        sex = 'U' : enum('M', 'F', 'U')
        weight = null : float64
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : uint8
        ---
        session_date : date
        note = '' : varchar(255)
        -> [nullable] Subject.proj(buddy_id='subject_id')
        """

    @schema
    class Analysis(dj.Computed):
        definition = """
        -> Session
        ---
        total : float64
        """

        class Item(dj.Part):
            definition = """
            -> master
            item : uint8
            ---
            value : float64
            """

        def make(self, key):
            n = key["session"] + 1
            self.insert1(dict(key, total=float(n * (n + 1) / 2)))
            self.Item.insert([dict(key, item=i, value=float(i + 1)) for i in range(n)])

    @schema
    class Review(dj.Manual):
        definition = """
        -> Analysis
        reviewer : varchar(20)
        ---
        verdict : enum('ok', 'redo')
        """

    return types.SimpleNamespace(Subject=Subject, Session=Session, Analysis=Analysis, Review=Review)


def fill_pipeline(p: types.SimpleNamespace) -> None:
    """3 subjects, 2 sessions each (subject 3 has one), all analysed, two reviews.

    Subject 1's session 0 names subject 2 as buddy (the renamed foreign key).
    """
    p.Subject.insert([
        dict(subject_id=1, name="Ann", sex="F", weight=20.5),
        dict(subject_id=2, name="Bob", sex="M", weight=None),
        dict(subject_id=3, name="Cid", sex="U", weight=31.0),
    ])
    p.Session.insert([
        dict(subject_id=1, session=0, session_date="2024-01-01", buddy_id=2),
        dict(subject_id=1, session=1, session_date="2024-01-02", buddy_id=None),
        dict(subject_id=2, session=0, session_date="2024-02-01", buddy_id=None),
        dict(subject_id=2, session=1, session_date="2024-02-02", buddy_id=None),
        dict(subject_id=3, session=0, session_date="2024-03-01", buddy_id=None),
    ])
    p.Analysis.populate()
    p.Review.insert([
        dict(subject_id=1, session=1, reviewer="eve", verdict="ok"),
        dict(subject_id=2, session=0, reviewer="eve", verdict="redo"),
    ])


def module_database(request, tmp_path_factory):
    """Generator body of a module-scoped ``(connection, schema_name)`` fixture for ``request.param``."""
    backend = request.param
    require_backend(backend)
    conn = make_connection(backend, tmp_path_factory.mktemp(backend))
    name = fresh_schema_name()
    try:
        yield conn, name
    finally:
        try:
            drop_schema(conn, name)
        finally:
            conn.close_all()


def table_state(table) -> list[dict]:
    """Every row of a table (class or instance), ordered by primary key, for before/after comparisons."""
    return table().to_dicts(order_by="KEY") if isinstance(table, type) else table.to_dicts(order_by="KEY")
