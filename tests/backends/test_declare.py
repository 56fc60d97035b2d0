"""Declaration, schemas, layout, describe() and virtual modules on every backend.

The reference schema (``reference_schema.py``, the tables of
``/work/shared/spec/reference-ddl-mariadb.sql``) is declared once per backend; tests that
drop or change things declare their own small schema.  On MariaDB the tables are compared,
line by line, with what DataJoint 2.3.5 writes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import dj_jupyter as dj
from dj_jupyter.errors import DataJointError, DuplicateError
from dj_jupyter.schema.catalog_state import state_of
from tests.backends.conftest import BACKENDS, drop_schema, fresh_schema_name
from tests.backends.pipeline import module_database
from tests.backends.reference_schema import SPECIES, declare_reference

REFERENCE_DDL = Path("/work/shared/spec/reference-ddl-mariadb.sql")


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory):
    yield from module_database(request, tmp_path_factory)


@pytest.fixture(scope="module")
def ref(db):
    conn, name = db
    return declare_reference(dj.Schema(name, connection=conn))


def _catalog(conn, name) -> dict:
    return conn.catalog.table_infos(name)


# --------------------------------------------------------------------------- names, headings, lineage


def test_table_names_by_tier(ref):
    assert ref.Species.table_name == "#species"
    assert ref.Subject.table_name == "subject"
    assert ref.Recording.table_name == "_recording"
    assert ref.ProcessedEMG.table_name == "__processed_e_m_g"
    assert ref.ProcessedEMG.Channel.table_name == "__processed_e_m_g__channel"
    assert ref.ProcessedEMG.Peak.table_name == "__processed_e_m_g__peak"
    assert ref.TypeZoo.table_name == "type_zoo"


def test_all_tables_exist_with_lineage_table(ref, db):
    conn, name = db
    names = set(_catalog(conn, name))
    expected = {"#species", "device", "experimenter", "subject", "pairing", "session", "type_zoo",
                "__processed_e_m_g", "__processed_e_m_g__channel", "__processed_e_m_g__peak", "_recording", "~lineage"}
    assert names == expected


def test_headings_names_keys_types(ref):
    h = ref.Session.heading
    assert h.names == ["subject_id", "session_idx", "session_start", "experimenter", "device_id", "params"]
    assert h.primary_key == ["subject_id", "session_idx"]
    types = {n: h[n].type.text for n in h.names}
    assert types == {"subject_id": "int32", "session_idx": "int16", "session_start": "datetime",
                     "experimenter": "varchar(32)", "device_id": "uuid", "params": "json"}
    assert h["experimenter"].nullable and h["device_id"].nullable and not h["params"].nullable
    assert h.table_comment == "recording sessions"
    assert ref.Subject.heading["species_id"].type.text == "int16"
    assert ref.Subject.heading["species_id"].comment == "species number"
    assert ref.Subject.heading["sex"].type.args == ("F", "M", "U")
    assert ref.Pairing.heading.primary_key == ["subject_a", "subject_b"]
    assert ref.Pairing.heading["subject_b"].type.text == "int32"
    assert ref.ProcessedEMG.Peak.heading.primary_key == ["subject_id", "session_idx", "channel", "peak_idx"]


def test_type_zoo_declared_types_read_back(ref):
    h = ref.TypeZoo.heading
    declared = {n: h[n].type.text for n in h.names}
    assert declared["v_int8"] == "int8" and declared["v_bool"] == "bool" and declared["v_uuid"] == "uuid"
    assert declared["v_datetime6"] == "datetime(6)" and declared["v_decimal"] == "decimal(10,4)"
    assert declared["v_enum"] == "enum('alpha', 'beta', 'gamma')" and declared["v_bytes"] == "bytes"
    assert h["v_varchar"].comment == "free \"text\" with 'quotes'"
    assert [n for n in h.names if h[n].nullable] == ["n_int32", "n_float64", "n_varchar", "n_json", "n_uuid", "n_date"]


def test_hidden_attributes_invisible(ref):
    h = ref.ProcessedEMG.heading
    assert h.names == ["subject_id", "session_idx", "n_channels", "n_samples", "mean_rms"]
    assert h.hidden_names == ["_job_start_time", "_job_duration", "_job_version"]
    assert "_job_version" not in h
    assert ref.ProcessedEMG.Channel.heading.hidden_names == []  # parts get no job metadata
    assert ref.Experimenter.heading.hidden_names == ["_prov"]
    assert "_job" not in ref.ProcessedEMG.describe() and "_prov" not in ref.Experimenter.describe()


def test_hidden_attributes_not_fetched(ref):
    ref.Experimenter.insert1({"experimenter": "ann", "full_name": "Ann Smith"})
    try:
        row = ref.Experimenter.fetch1()
        assert set(row) == {"experimenter", "full_name", "created"}
    finally:
        (ref.Experimenter & {"experimenter": "ann"}).delete_quick()


def test_lineage_rows(ref, db):
    conn, name = db
    lineage = ref.schema.lineage
    assert lineage[f"{name}.session.subject_id"] == f"{name}.subject.subject_id"
    assert lineage[f"{name}.session.session_idx"] == f"{name}.session.session_idx"
    assert lineage[f"{name}.session.device_id"] == f"{name}.device.device_id"
    assert lineage[f"{name}.pairing.subject_a"] == f"{name}.subject.subject_id"
    assert lineage[f"{name}.pairing.subject_b"] == f"{name}.subject.subject_id"
    assert lineage[f"{name}.subject.species_id"] == f"{name}.#species.species_id"
    assert lineage[f"{name}.__processed_e_m_g__peak.channel"] == f"{name}.__processed_e_m_g__channel.channel"
    assert lineage[f"{name}.__processed_e_m_g__peak.subject_id"] == f"{name}.subject.subject_id"
    assert f"{name}.subject.sex" not in lineage  # secondary attributes declared directly have none
    assert ref.schema.lineage_table_exists
    rows = conn.query(f"SELECT count(*) FROM {conn.dialect.full_name(name, '~lineage')}").fetchone()[0]
    assert rows == len(lineage)


def test_list_tables_parents_first_parts_after_master(ref):
    tables = ref.schema.list_tables()
    assert "~lineage" not in tables
    assert set(tables) == {"#species", "device", "experimenter", "subject", "pairing", "session", "type_zoo",
                           "__processed_e_m_g", "__processed_e_m_g__channel", "__processed_e_m_g__peak", "_recording"}
    pos = tables.index
    assert pos("#species") < pos("subject") < pos("session") < pos("__processed_e_m_g")
    assert pos("subject") < pos("pairing")
    assert pos("experimenter") < pos("session") and pos("device") < pos("session")
    master = pos("__processed_e_m_g")
    assert tables[master + 1 : master + 3] == ["__processed_e_m_g__channel", "__processed_e_m_g__peak"]


def test_list_schemas(ref, db):
    conn, name = db
    schemas = dj.list_schemas(connection=conn)
    assert name in schemas
    assert all(not s.startswith("~") for s in schemas)


def test_get_table_and_contains(ref, db):
    _, name = db
    assert ref.schema.get_table("Species").table_name == "#species"
    assert ref.schema["ProcessedEMG"].table_name == "__processed_e_m_g"
    assert "Session" in ref.schema and "Nope" not in ref.schema
    with pytest.raises(DataJointError, match="not found"):
        ref.schema.get_table("Nope")
    assert [t.table_name for t in ref.schema] == ref.schema.list_tables()
    assert repr(ref.schema) == f"Schema `{name}`"


def test_lookup_contents_inserted(ref):
    assert len(ref.Species()) == len(SPECIES)
    assert ref.Species.to_dicts(order_by="KEY")[1] == {"species_id": 2, "name": "rat", "latin": None}


def test_class_doc_gets_definition(ref):
    assert "Table definition:" in ref.Subject.__doc__
    assert "weight_g" in ref.Subject.__doc__


def test_navigation(ref, db):
    conn, name = db
    full = conn.dialect.full_name
    assert set(ref.Session.parents()) == {full(name, t) for t in ("subject", "experimenter", "device")}
    assert ref.Session.parents(primary=True) == [full(name, "subject")]
    assert set(ref.Subject.children()) == {full(name, "session"), full(name, "pairing")}
    info = dict(ref.Pairing.parents(foreign_key_info=True))
    assert info[full(name, "subject")]["aliased"]
    assert ref.ProcessedEMG.parts() == [full(name, "__processed_e_m_g__channel"), full(name, "__processed_e_m_g__peak")]


# --------------------------------------------------------------------------- describe


def test_describe_text(ref):
    assert ref.Session.describe() == (
        "# recording sessions\n"
        "-> Subject\n"
        "session_idx   : int16\n"
        "---\n"
        "session_start : datetime\n"
        "-> [nullable] Experimenter\n"
        "-> [nullable] Device\n"
        "params        : json\n"
        "index(session_start)\n"
    )
    pairing = ref.Pairing.describe()
    assert '-> Subject.proj(subject_a="subject_id")\n-> Subject.proj(subject_b="subject_id")\n---\n' in pairing
    assert ref.ProcessedEMG.Channel.describe().startswith("-> ProcessedEMG\n")  # the master by name, as DataJoint
    assert ref.ProcessedEMG.Peak.describe().startswith("-> ProcessedEMG.Channel\n")
    subject = ref.Subject.describe()
    assert 'notes = "" : varchar(255)' in subject and "weight_g   : decimal(6,2)  # grams" in subject


def test_describe_defaults(ref):
    text = ref.TypeZoo.describe()
    assert re.search(r"^d_int = 42 +: int32$", text, re.MULTILINE)
    assert re.search(r'^d_str = "dflt" +: varchar\(16\)$', text, re.MULTILINE)
    assert re.search(r"^d_dec = 1.50 +: decimal\(4,2\)$", text, re.MULTILINE)
    assert re.search(r"^n_json = null +: json$", text, re.MULTILINE)
    assert re.search(r"^created = CURRENT_TIMESTAMP : datetime +# volatile: server time of insert$",
                     ref.Experimenter.describe(), re.MULTILINE)


def test_describe_printout(ref, capsys):
    text = ref.Device.describe(printout=True)
    assert capsys.readouterr().out == text + "\n"


def _normalised(info, name: str) -> str:
    return repr(info).replace(name, "SCHEMA")


def test_describe_round_trip(ref, db):
    """describe() of every table, declared again in a second schema, gives the same table."""
    conn, name = db
    other = fresh_schema_name()
    assert len(other) == len(name)
    copy = dj.Schema(other, connection=conn)
    try:
        context: dict = {}
        for table in ref.schema.list_tables():
            original = ref.schema.get_table(table)
            cls_name = _class_name(table)
            if "." in cls_name:
                continue  # parts are declared with their master below
            source = getattr(ref, cls_name)
            namespace = {"definition": source.describe()}
            for part_name in ("Channel", "Peak"):
                if hasattr(source, part_name) and isinstance(getattr(source, part_name), type):
                    namespace[part_name] = type(part_name, (dj.Part,), {"definition": getattr(source, part_name).describe()})
            cls = type(cls_name, (source.__mro__[1],), namespace)
            with dj.config.override(jobs__add_job_metadata=cls_name == "ProcessedEMG",
                                    provenance__capture=cls_name == "Experimenter"):
                copy(cls, context=context)
            context[cls_name] = cls
            assert original.table_name == cls.table_name
        before, after = _catalog(conn, name), _catalog(conn, other)
        assert set(after) == set(before)
        for table in before:
            if not table.startswith("~"):
                assert _normalised(after[table], other) == _normalised(before[table], name), table
    finally:
        drop_schema(conn, other)
        state_of(conn).forget(other)


def _class_name(table: str) -> str:
    from dj_jupyter.schema.naming import master_of, to_camel

    if table.count("__") and table.lstrip("_").count("__"):
        return to_camel(master_of(table)) + "." + to_camel(table.rsplit("__", 1)[1])
    return to_camel(table)


# --------------------------------------------------------------------------- virtual modules


def test_virtual_module_builds_classes(ref, db):
    conn, name = db
    vm = dj.VirtualModule("vm", name, connection=conn)
    assert vm.schema.database == name
    assert issubclass(vm.Species, dj.Lookup) and issubclass(vm.Subject, dj.Manual)
    assert issubclass(vm.ProcessedEMG, dj.Computed) and issubclass(vm.Recording, dj.Imported)
    assert issubclass(vm.ProcessedEMG.Channel, dj.Part) and vm.ProcessedEMG.Channel.master is vm.ProcessedEMG
    assert vm.ProcessedEMG.Peak.table_name == "__processed_e_m_g__peak"
    assert vm.Session.heading == ref.Session.heading
    assert len(vm.Species()) == len(SPECIES)
    assert vm.Session.describe() == ref.Session.describe()
    assert vm.ProcessedEMG.Peak.describe() == ref.ProcessedEMG.Peak.describe()


def test_virtual_schema_queries_and_inserts(ref, db):
    conn, name = db
    vm = dj.virtual_schema(name, connection=conn)
    assert vm.__name__ == name
    vm.Subject.insert1({"subject_id": 7, "species_id": 1, "sex": "F", "dob": "2024-01-02", "weight_g": "20.5"})
    try:
        assert (ref.Subject & {"subject_id": 7}).fetch1("sex") == "F"
        joined = (vm.Subject * vm.Species & {"subject_id": 7}).fetch1("name")
        assert joined == "mouse"
    finally:
        (ref.Subject & {"subject_id": 7}).delete_quick()


def test_virtual_module_of_missing_schema(db):
    conn, _ = db
    with pytest.raises(DataJointError):
        dj.VirtualModule("nope", fresh_schema_name(), connection=conn)


# --------------------------------------------------------------------------- MariaDB layout


def _reference_tables() -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    for block in REFERENCE_DDL.read_text().split("CREATE TABLE ")[1:]:
        statement = block.split(";\n")[0]
        name = statement.split("`")[1]
        tables[name] = statement.splitlines()
    return tables


# reference columns that need codecs (not available yet)
_CODEC_COLUMNS = {"session": {"signal"}, "__processed_e_m_g": {"summary"}, "__processed_e_m_g__channel": {"trace"}}


def test_mariadb_layout_matches_datajoint(ref, db):
    conn, name = db
    if conn.backend != "mysql":
        pytest.skip("the reference DDL is MariaDB's")
    reference = _reference_tables()
    compared = 0
    for table in _catalog(conn, name):
        if table not in reference:
            continue
        ours = conn.query(f"SHOW CREATE TABLE `{name}`.`{table}`").fetchone()[1].splitlines()
        skip = _CODEC_COLUMNS.get(table, set())
        expected = [line for line in reference[table] if not any(line.strip().startswith(f"`{c}`") for c in skip)]
        expected[0] = expected[0].replace("CREATE TABLE ", "")
        ours[0] = ours[0].replace("CREATE TABLE ", "")
        assert ours == expected, table
        compared += 1
    assert compared == 11  # every table of the reference but blob_zoo and the jobs table


# --------------------------------------------------------------------------- schemas that tests change


def _small(schema):
    """Parent <- Child (nullable unique FK, indexes, quoted defaults) and a singleton table."""

    @schema
    class Parent(dj.Manual):
        definition = """
        parent_id : int32
        ---
        label = "it's" : varchar(10)   # a default with a quote
        flag = 1 : bool
        stamp = CURRENT_TIMESTAMP(3) : datetime(3)
        """

    @schema
    class Child(dj.Manual):
        definition = """
        # children
        child_id : int32
        ---
        -> [nullable, unique] Parent
        a = 0 : int16
        b = -1.5 : float64
        c = null : varchar(20)
        unique index(a, b)
        index(c)
        """

    @schema
    class Settings(dj.Manual):
        definition = """
        # one row only
        ---
        level : int32
        """

    @schema
    class Trial(dj.Manual):
        definition = """
        -> Parent
        trial : int16
        ---
        -> Parent.proj(other_parent='parent_id')
        """

    return Parent, Child, Settings, Trial


def test_describe_round_trip_options(connection, schema_name):
    Parent, Child, Settings, Trial = _small(dj.Schema(schema_name, connection=connection))
    assert "-> [nullable, unique] Parent" in Child.describe()
    assert "unique index(a, b)" in Child.describe() and "index(c)" in Child.describe()
    assert Settings.describe() == "# one row only\n---\nlevel : int32\n"
    assert '-> Parent.proj(other_parent="parent_id")' in Trial.describe()
    other = fresh_schema_name()
    copy = dj.Schema(other, connection=connection)
    try:
        context: dict = {}
        for source in (Parent, Child, Settings, Trial):
            cls = type(source.__name__, (dj.Manual,), {"definition": source.describe()})
            copy(cls, context=context)
            context[cls.__name__] = cls
        before, after = _catalog(connection, schema_name), _catalog(connection, other)
        assert set(before) == set(after)
        for table in before:
            if not table.startswith("~"):
                assert _normalised(after[table], other) == _normalised(before[table], schema_name), table
    finally:
        drop_schema(connection, other)


def test_singleton_table(connection, schema_name):
    _, _, Settings, _ = _small(dj.Schema(schema_name, connection=connection))
    assert Settings.heading.primary_key == []
    assert Settings.heading.names == ["level"]
    Settings.insert1({"level": 3})
    with pytest.raises(DuplicateError):
        Settings.insert1({"level": 4})
    assert Settings.fetch1() == {"level": 3}
    assert len(Settings()) == 1


def test_redecorating_keeps_table_and_contents(connection, schema_name):
    schema = dj.Schema(schema_name, connection=connection)

    def declare():
        @schema
        class Color(dj.Lookup):
            definition = """
            color : varchar(10)
            """
            contents = (("red",), ("blue",))

        return Color

    first = declare()
    first.insert1({"color": "green"})
    second = declare()  # the table exists: nothing is declared or inserted again
    assert sorted(second.to_arrays("color")) == ["blue", "green", "red"]
    # as in DataJoint, contents are inserted again only when the table has fewer rows than contents
    (second & {"color": "red"}).delete_quick()
    assert sorted(declare().to_arrays("color")) == ["blue", "green"]
    (second & {"color": "green"}).delete_quick()
    assert sorted(declare().to_arrays("color")) == ["blue", "red"]


def test_drop_table_with_dependents(connection, schema_name):
    Parent, _, _, Trial = _small(dj.Schema(schema_name, connection=connection))
    Parent.insert1({"parent_id": 1})
    Trial.insert1({"parent_id": 1, "trial": 1, "other_parent": 1})
    Parent.drop(prompt=False)
    remaining = set(_catalog(connection, schema_name))
    assert remaining == {"settings", "~lineage"}
    rows = connection.query(f"SELECT table_name FROM {connection.dialect.full_name(schema_name, '~lineage')}").fetchall()
    assert {r[0] for r in rows} <= {"settings"}


def test_part_drop_refused(connection, schema_name):
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Scan(dj.Manual):
        definition = """
        scan_id : int32
        """

        class Unit(dj.Part):
            definition = """
            -> master
            unit : int16
            """

    assert Scan.Unit.table_name == "scan__unit"
    with pytest.raises(DataJointError, match="part"):
        Scan.Unit.drop(prompt=False)
    assert "scan__unit" in _catalog(connection, schema_name)
    Scan.drop(prompt=False)
    assert set(_catalog(connection, schema_name)) <= {"~lineage"}


def test_schema_drop_removes_everything(connection, schema_name):
    schema = dj.Schema(schema_name, connection=connection)
    _small(schema)
    assert schema.exists and schema_name in dj.list_schemas(connection=connection)
    schema.drop(prompt=False)
    assert not schema.exists
    assert schema_name not in dj.list_schemas(connection=connection)
    assert _catalog(connection, schema_name) == {}
    schema.drop(prompt=False)  # a missing schema: nothing to do


def test_schema_activation_rules(connection, schema_name):
    with pytest.raises(DataJointError, match="not yet been declared"):
        dj.Schema(schema_name, connection=connection, create_schema=False)
    assert schema_name not in dj.list_schemas(connection=connection)
    schema = dj.Schema(connection=connection)
    assert not schema.is_activated()

    @schema
    class Queued(dj.Manual):
        definition = """
        q : int32
        """

    schema.activate(schema_name)
    assert schema.is_activated() and Queued.table_name == "queued"
    assert "queued" in _catalog(connection, schema_name)
    schema.activate(schema_name)  # same name: nothing happens
    with pytest.raises(DataJointError, match="already activated"):
        schema.activate(fresh_schema_name())


def test_create_tables_off_refuses_missing_table(connection, schema_name):
    dj.Schema(schema_name, connection=connection)
    schema = dj.Schema(schema_name, connection=connection, create_tables=False)
    with pytest.raises(DataJointError, match="create_tables"):

        @schema
        class Missing(dj.Manual):
            definition = """
            m : int32
            """

    assert "missing" not in _catalog(connection, schema_name)


def test_decorating_a_part_is_refused(connection, schema_name):
    schema = dj.Schema(schema_name, connection=connection)

    class Loose(dj.Part):
        definition = """
        x : int32
        """

    with pytest.raises(DataJointError, match="Part"):
        schema(Loose)


def test_class_name_must_be_camel_case(connection, schema_name):
    schema = dj.Schema(schema_name, connection=connection)
    with pytest.raises(DataJointError, match="CamelCase"):

        @schema
        class lower(dj.Manual):
            definition = """
            x : int32
            """


def test_describe_names_parents_from_context(ref):
    text = ref.Session.describe(context={"Subj": ref.Subject, "lab": _module_with(Person=ref.Experimenter)})
    assert "-> Subj\n" in text and "-> [nullable] lab.Person\n" in text
    assert "-> [nullable] Device\n" in text  # not in the context: its class name
    peak = ref.ProcessedEMG.Peak.describe(context={"EMG": ref.ProcessedEMG})
    assert peak.startswith("-> EMG.Channel\n")


def _module_with(**members):
    import types

    module = types.ModuleType("lab")
    module.__dict__.update(members)
    return module


def test_missing_lineage_is_rebuilt_when_the_class_is_bound(connection, schema_name):
    schema = dj.Schema(schema_name, connection=connection)
    Parent, _, _, Trial = _small(schema)
    lineage_table = connection.dialect.full_name(schema_name, "~lineage")
    expected = sorted(connection.query(f"SELECT table_name, attribute_name, lineage FROM {lineage_table}").fetchall())
    connection.query(f"DELETE FROM {lineage_table} WHERE table_name = 'trial'")
    state_of(connection).invalidate(schema_name)
    assert Trial.heading["parent_id"].lineage is None
    again = dj.Schema(schema_name, connection=connection)
    Rebound = type("Trial", (dj.Manual,), {"definition": Trial.definition})
    again(Rebound, context={"Parent": Parent})
    assert Rebound.heading["parent_id"].lineage == f"{schema_name}.parent.parent_id"
    assert Rebound.heading["other_parent"].lineage == f"{schema_name}.parent.parent_id"
    rows = sorted(connection.query(f"SELECT table_name, attribute_name, lineage FROM {lineage_table}").fetchall())
    assert rows == expected
