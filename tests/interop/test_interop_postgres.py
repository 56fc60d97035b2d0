"""The same checks on PostgreSQL (DataJoint 2.3.5 with ``database.backend = "postgresql"``, psycopg2).

DataJoint cannot insert ``uuid`` values on PostgreSQL (it sends bytes to a ``uuid`` column) nor read them
(it expects bytes and gets text), so the pipeline it fills here leaves ``Subject.uid`` null, and DataJoint
reads what dj_jupyter wrote without that column; both failures are pinned below (reference defects, the
columns are declared alike).  Everything else dj_jupyter writes, DataJoint reads back equal.
"""

from __future__ import annotations

import re
import uuid
from types import SimpleNamespace

import pytest

import dj_jupyter as dj
from tests.interop import pipeline
from tests.interop.compare import table_rows
from tests.interop.test_interop_ddl import CORE_TYPES

TABLES = ("Species", "Experimenter", "Subject", "Pairing", "Session", "Recording", "Analysis")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("interop-pg-work")


def both(djref, pg, name, workdir):
    ref = pipeline.declare(djref, djref.Schema(name, connection=pg.ref_conn), workdir)
    ours = pipeline.declare(dj, dj.Schema(name, connection=pg.conn), workdir)
    return SimpleNamespace(ref=ref, ours=ours)


def pick(p, name):
    return p.Analysis.Channel if name == "Analysis.Channel" else getattr(p, name)


@pytest.fixture(scope="module")
def from_ref(djref, pg, stores, workdir):
    """Declared and filled by DataJoint; half of Analysis left to populate."""
    name = pg.new_schema()
    ref = pipeline.declare(djref, djref.Schema(name, connection=pg.ref_conn), workdir)
    pipeline.fill_manual(ref, uuids=False)
    ref.Recording.populate(reserve_jobs=True)
    ref.Analysis.populate(reserve_jobs=True, max_calls=3)
    return both(djref, pg, name, workdir)


@pytest.fixture(scope="module")
def from_ours(djref, pg, stores, workdir):
    """Declared and filled by dj_jupyter (uuids included); half of Analysis left to populate."""
    name = pg.new_schema()
    ours = pipeline.declare(dj, dj.Schema(name, connection=pg.conn), workdir)
    pipeline.fill_manual(ours)
    ours.Recording.populate(reserve_jobs=True)
    ours.Analysis.populate(reserve_jobs=True, max_calls=3)
    return both(djref, pg, name, workdir)


@pytest.mark.parametrize("table", TABLES + ("Analysis.Channel",))
def test_we_read_what_datajoint_wrote(from_ref, table):
    expected = table_rows(pick(from_ref.ref, table), attach=("report",))
    assert expected
    assert table_rows(pick(from_ref.ours, table), attach=("report",)) == expected


@pytest.mark.parametrize("table", TABLES + ("Analysis.Channel",))
def test_datajoint_reads_what_we_wrote(from_ours, table):
    ours, ref = pick(from_ours.ours, table), pick(from_ours.ref, table)
    if table == "Subject":  # DataJoint cannot read uuid on PostgreSQL (pinned below)
        ours, ref = (t.proj(*[a for a in t.heading.secondary_attributes if a != "uid"]) for t in (ours, ref()))
    expected = table_rows(ours, attach=("report",))
    assert expected
    assert table_rows(ref, attach=("report",)) == expected


def test_populate_across_libraries(from_ref, from_ours):
    from_ref.ours.Analysis.populate(reserve_jobs=True)
    assert from_ref.ref.Analysis.progress() == (0, 6)
    from_ours.ref.Analysis.populate(reserve_jobs=True)
    assert from_ours.ours.Analysis.progress() == (0, 6)
    assert table_rows(from_ref.ours.Analysis) == table_rows(from_ours.ours.Analysis)
    for w in (from_ref, from_ours):
        assert not w.ref.Analysis.jobs.pending and not w.ours.Analysis.jobs.errors


def test_reference_cannot_write_or_read_uuid_on_postgres(djref, pg, stores):
    name = pg.new_schema()
    table = djref.Schema(name, connection=pg.ref_conn)(type("Tagged", (djref.Manual,), {"definition": "k : int32\n---\nu : uuid\n"}))
    with pytest.raises(Exception, match="uuid but expression is of type bytea"):
        table.insert1(dict(k=1, u=uuid.UUID(int=1)))
    ours = dj.Schema(name, connection=pg.conn)(type("Tagged", (dj.Manual,), {"definition": "k : int32\n---\nu : uuid\n"}))
    ours.insert1(dict(k=1, u=uuid.UUID(int=1)))
    with pytest.raises(ValueError, match="bytes is not a 16-char string"):
        table.fetch1("u")
    assert ours.fetch1("u") == uuid.UUID(int=1)


LAYOUT_QUERIES = {
    "columns": """SELECT c.table_name, c.column_name, c.ordinal_position, c.data_type, c.udt_name, c.is_nullable,
                         c.column_default, c.character_maximum_length, c.numeric_precision, c.numeric_scale,
                         col_description(format('%%I.%%I', c.table_schema, c.table_name)::regclass, c.ordinal_position)
                  FROM information_schema.columns c WHERE c.table_schema = %s""",
    "tables": """SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'""",
    "constraints": """SELECT r.relname, k.conname, k.contype, pg_get_constraintdef(k.oid) FROM pg_constraint k
                      JOIN pg_class r ON r.oid = k.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
                      WHERE n.nspname = %s""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s",
    "enums": """SELECT t.typname, e.enumsortorder, e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
                JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = %s""",
}


def pg_layout(conn, schema: str) -> dict[str, list[tuple]]:
    """The catalog's description of a schema (what SHOW CREATE TABLE gives on MySQL), schema name masked."""
    def mask(row):
        return tuple(v.replace(schema, "S") if isinstance(v, str) else v for v in row)

    return {what: sorted((mask(row) for row in conn.query(sql, (schema,)).fetchall()), key=repr)
            for what, sql in LAYOUT_QUERIES.items()}


def test_same_layout_on_postgres(djref, pg, stores, workdir):
    """Each library declares the pipeline and a table of core types, and populates Recording (jobs table).

    The catalogs agree except where we add to DataJoint's layout (not listed in the spec's departures;
    reported): on PostgreSQL DataJoint writes no column comment for columns inherited through a foreign key
    nor for ``~lineage``, while we write the type marker there as on MySQL (it is how a ``uint8`` key is told
    from an ``int16`` one, departure 1); a nullable column gets an explicit ``DEFAULT NULL``; and ``int8``
    columns (jobs ``priority``) carry a CHECK on their range, as our ``uint`` columns do.
    """
    names = {}
    for lib, connection in ((djref, pg.ref_conn), (dj, pg.conn)):
        names[lib.__name__] = pg.new_schema()
        schema = lib.Schema(names[lib.__name__], connection=connection)
        p = pipeline.declare(lib, schema, workdir)
        schema(type("CoreTypes", (lib.Manual,), {"definition": CORE_TYPES}))
        pipeline.fill_manual(p, uuids=False)
        p.Recording.populate(reserve_jobs=True)
    expected = pg_layout(pg.conn, names["datajoint"])
    assert {"~~recording", "__analysis__channel", "~lineage", "core_types"} <= {row[0] for row in expected["tables"]}
    got = pg_layout(pg.conn, names["dj_jupyter"])
    for what in ("tables", "indexes", "enums"):
        assert got[what] == expected[what], what
    ref_columns = {row[:2]: row for row in expected["columns"]}
    our_columns = {row[:2]: row for row in got["columns"]}
    assert our_columns.keys() == ref_columns.keys()
    added_comments = []
    for key, ref in ref_columns.items():
        ours = list(our_columns[key])
        if ours[6] is not None and ours[6].startswith("NULL::") and ref[6] is None:
            ours[6] = None  # DEFAULT NULL said explicitly
        if ref[10] is None and ours[10] is not None:
            added_comments.append(key)
            ours[10] = None
        if ref[10] and '\\"' in ref[10]:  # a reference defect: it keeps MySQL's escaping of " in PostgreSQL comments
            assert ours[10] == ref[10].replace('\\"', '"'), key
            ours[10] = ref[10]
        assert tuple(ours) == ref, key
    assert ("subject", "species_id") in added_comments and ("core_types", "v_int8") not in added_comments
    range_checks = [row for row in set(got["constraints"]) - set(expected["constraints"]) if row[2] == "c"]
    assert sorted(set(got["constraints"]) - set(range_checks)) == sorted(expected["constraints"])
    assert all(re.fullmatch(r"CHECK \(\(\(\w+ >= '?-?\d+'?(::integer)?\) AND \(\w+ <= \d+\)\)\)", row[3])
               for row in range_checks), range_checks


@pytest.mark.parametrize("table", ("Subject", "Pairing", "Session", "Recording", "Analysis"))
def test_describe_is_equivalent_on_postgres(from_ref, pg, table):
    from tests.interop.test_interop_from_datajoint import describe_lines

    schema = from_ref.ref.schema.database
    names = {}
    for name, cls in vars(from_ref.ours).items():
        if name[0].isupper():
            names[f'"{schema}"."{cls.table_name}"'] = names[f"`{schema}`.`{cls.table_name}`"] = name
    expected = describe_lines(getattr(from_ref.ref, table).describe(printout=False), names)
    got = describe_lines(getattr(from_ref.ours, table).describe(printout=False), names)
    # two reference defects on PostgreSQL, pinned: a default is shown as the catalog's raw text
    # (notes="''::character varying"), and secondary indexes are left out
    if table == "Subject":
        (at,) = [i for i, line in enumerate(expected) if line.startswith("('notes'")]
        assert "character varying" in expected[at]
        expected[at] = repr(("notes", '""', "varchar(255)", None))
    if table == "Session":
        assert "index(session_start)" not in expected and got[-1] == "index(session_start)"
        got.pop()
    assert got == expected


def test_cascade_delete_on_postgres(djref, pg, stores, workdir):
    """The same deletes in two copies of the pipeline, DataJoint deleting in one, dj_jupyter in the other."""
    from tests.interop.test_interop_from_datajoint import DELETES, keys_of

    copies = []
    for _ in range(2):
        name = pg.new_schema()
        ref = pipeline.declare(djref, djref.Schema(name, connection=pg.ref_conn), workdir)
        pipeline.fill_manual(ref, uuids=False)
        ref.Recording.populate()
        ref.Analysis.populate()
        copies.append(both(djref, pg, name, workdir))
    theirs, ours = copies
    for table, key in DELETES:
        (getattr(theirs.ref, table)() & key).delete(prompt=False)
        (getattr(ours.ours, table) & key).delete(prompt=False)
        for name in TABLES + ("Analysis.Channel",):
            assert keys_of(pick(ours.ref, name)) == keys_of(pick(theirs.ref, name)), (table, key, name)
    assert keys_of(ours.ref.Subject) == [{"subject_id": 3}]
