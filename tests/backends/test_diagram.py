"""dj.Diagram on a declared pipeline (every tier, a part, a renamed foreign key, two schemas) on
SQLite, MariaDB and PostgreSQL: graph contents, labels, set algebra, SVG and Mermaid."""

from __future__ import annotations

import types
import xml.etree.ElementTree as ET

import pytest

import dj_jupyter as dj
from dj_jupyter.errors import DataJointError
from tests.backends.conftest import BACKENDS, drop_schema, fresh_schema_name
from tests.backends.pipeline import module_database

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory):
    yield from module_database(request, tmp_path_factory)


@pytest.fixture(scope="module")
def pipe(db):
    """lab: Species (Lookup) <- Subject <- Session (+ renamed buddy FK) <- Scan (Imported, part Unit)
    <- Activity (Computed, from Scan.Unit); rev: Review <- Session."""
    conn, name = db
    lab = dj.Schema(name, connection=conn)

    @lab
    class Species(dj.Lookup):
        definition = """
        species : varchar(20)
        """
        contents = (("mouse",),)

    @lab
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        -> Species
        """

    @lab
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        -> [nullable] Subject.proj(buddy_id='subject_id')
        """

    @lab
    class Scan(dj.Imported):
        definition = """
        -> Session
        ---
        frames : int32
        """

        class Unit(dj.Part):
            definition = """
            -> master
            unit : int16
            """

        def make(self, key):
            raise NotImplementedError

    @lab
    class Activity(dj.Computed):
        definition = """
        -> Scan.Unit
        ---
        rate : float64
        """

        def make(self, key):
            raise NotImplementedError

    rev_name = fresh_schema_name()
    rev = dj.Schema(rev_name, connection=conn)
    try:
        @rev
        class Review(dj.Manual):
            definition = """
            -> Session
            reviewer : varchar(20)
            """

        module = types.ModuleType("lab_module")
        module.__dict__.update(schema=lab, Species=Species, Subject=Subject, Session=Session, Scan=Scan,
                               Activity=Activity)
        yield types.SimpleNamespace(conn=conn, lab=lab, rev=rev, module=module, Species=Species, Subject=Subject,
                                    Session=Session, Scan=Scan, Activity=Activity, Review=Review)
    finally:
        drop_schema(conn, rev_name)  # before the lab schema it references


def _ctx(pipe) -> dict:
    return {k: v for k, v in vars(pipe).items() if k[:1].isupper()}


def _labels(d) -> set[str]:
    return {n["label"] for n in d.graph_data(definitions=False)["nodes"]}


def test_schema_diagram_nodes_edges_labels_tiers(pipe):
    d = dj.Diagram(pipe.lab, context=_ctx(pipe))
    data = d.graph_data()
    assert len(d) == 6 and len(data["nodes"]) == 6
    assert len(data["edges"]) == 6  # the renamed buddy FK is an edge of its own
    tiers = {n["label"]: n["tier"] for n in data["nodes"]}
    assert tiers == {"Species": "Lookup", "Subject": "Manual", "Session": "Manual", "Scan": "Imported",
                     "Scan.Unit": "Part", "Activity": "Computed"}
    nodes = {n["label"]: n for n in data["nodes"]}
    assert nodes["Scan.Unit"]["master"] == nodes["Scan"]["id"]
    assert nodes["Session"]["introduces_key"] and not nodes["Scan"]["introduces_key"]
    assert "-> Session" in nodes["Scan"]["definition"] and "frames" in nodes["Scan"]["definition"]
    assert nodes["Activity"]["primary_key"] == ["subject_id", "session", "unit"]
    renamed = [e for e in data["edges"] if e["renamed"]]
    assert len(renamed) == 1 and renamed[0]["renames"] == {"buddy_id": "subject_id"} and not renamed[0]["primary"]
    one_to_one = {(nodes_by_id(data)[e["parent"]], nodes_by_id(data)[e["child"]]) for e in data["edges"] if e["one_to_one"]}
    assert one_to_one == {("Session", "Scan"), ("Scan.Unit", "Activity")}
    assert data["direction"] == dj.config["display.diagram_direction"]
    assert d.nodes_to_show == {pipe.conn.dialect.full_name(pipe.lab.database, t) for t in pipe.lab.list_tables()}


def nodes_by_id(data: dict) -> dict[str, str]:
    return {n["id"]: n["label"] for n in data["nodes"]}


def test_labels_default_to_the_callers_names_else_sql_names(pipe):
    Subject = pipe.Subject  # a class name, as in a notebook
    labels = _labels(dj.Diagram(pipe.lab))
    assert "Subject" in labels
    assert f"{pipe.lab.database}.session" in labels  # not in this function's namespace
    assert _labels(dj.Diagram(pipe.lab, context={})) == {f"{pipe.lab.database}.{t}" for t in pipe.lab.list_tables()}
    assert Subject.table_name == "subject"


def test_module_source_labels_and_cluster(pipe):
    d = dj.Diagram(pipe.module)
    data = d.graph_data(definitions=False)
    assert "Scan.Unit" in _labels(d) and len(data["nodes"]) == 6
    assert [c["label"] for c in data["clusters"]] == ["lab_module"]
    with pytest.raises(DataJointError, match="no `schema`"):
        dj.Diagram(types.ModuleType("empty"))
    with pytest.raises(DataJointError, match="table class or instance"):
        dj.Diagram(42)


def test_set_algebra(pipe):
    ctx = _ctx(pipe)
    session = dj.Diagram(pipe.Session, context=ctx)
    assert _labels(session) == {"Session"}
    assert _labels(dj.Diagram(pipe.Session(), context=ctx)) == {"Session"}
    assert _labels(session + 1) == {"Session", "Scan", "Review"}  # across schemas
    assert _labels(session - 1) == {"Subject", "Session"}
    assert _labels(session - 2) == {"Species", "Subject", "Session"}
    assert _labels(session + 2) == {"Session", "Scan", "Review", "Scan.Unit"}
    assert _labels(session + pipe.Subject) == {"Subject", "Session"}
    everything = dj.Diagram(pipe.lab, context=ctx) + pipe.rev
    assert len(everything) == 7
    assert _labels(everything - pipe.rev) == _labels(dj.Diagram(pipe.lab, context=ctx))
    assert _labels(everything - pipe.Scan) == _labels(everything) - {"Scan"}
    assert _labels(everything * (session + 1)) == {"Session", "Scan", "Review"}
    assert _labels(dj.Diagram(pipe.Scan, context=ctx).add_parts()) == {"Scan", "Scan.Unit"}
    assert _labels(dj.Diagram.from_sequence([pipe.Subject, pipe.Activity], context=ctx)) == {"Subject", "Activity"}
    Scan = pipe.Scan  # the caller's names label the tables by default
    assert _labels(dj.Diagram.from_sequence([Scan, pipe.rev])) == {"Scan", f"{pipe.rev.database}.review"}
    with pytest.raises(DataJointError, match="Cannot combine"):
        session + "Session"


def test_collapse_in_a_union(pipe):
    ctx = _ctx(pipe)
    d = dj.Diagram(pipe.lab, context=ctx).collapse() + dj.Diagram(pipe.rev, context=ctx)
    data = d.graph_data(definitions=False)
    assert {n["label"] for n in data["nodes"]} == {f"{pipe.lab.database} (6 tables)", "Review"}
    assert [(e["bundle"]) for e in data["edges"]] == [True]


def test_svg_one_group_per_table(pipe):
    ctx = _ctx(pipe)
    d = dj.Diagram(pipe.lab, context=ctx) + dj.Diagram(pipe.rev, context=ctx)
    svg = d.svg_string(theme="auto")
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{SVG_NS}g") if "dj-node" in g.get("class", "").split()]
    assert len(groups) == 7
    labels = {g.find(f"{SVG_NS}text").text: g for g in groups}
    assert set(labels) == {"Species", "Subject", "Session", "Scan", "Scan.Unit", "Activity", "Review"}
    assert "-> Session" in labels["Review"].find(f"{SVG_NS}title").text  # hover shows the definition
    assert "dj-imported" in labels["Scan"].get("class") and labels["Scan"].find(f"{SVG_NS}ellipse") is not None
    assert labels["Review"].find(f"{SVG_NS}text").get("text-decoration") == "underline"
    edges = [g for g in root.iter(f"{SVG_NS}g") if "dj-edge" in g.get("class", "").split()]
    assert len(edges) == 7
    assert sum("dj-renamed" in g.get("class") for g in edges) == 1
    clusters = {g.get("data-schema") for g in root.iter(f"{SVG_NS}g") if g.get("class") == "dj-cluster"}
    assert clusters == {pipe.lab.database, pipe.rev.database}
    assert "prefers-color-scheme: dark" in svg
    assert d._repr_svg_() == d.svg_string()


def test_mermaid(pipe):
    ctx = _ctx(pipe)
    text = (dj.Diagram(pipe.lab, context=ctx) + dj.Diagram(pipe.rev, context=ctx)).make_mermaid(direction="LR")
    assert text.startswith("flowchart LR\n")
    assert f'["{pipe.lab.database}"]' in text and f'["{pipe.rev.database}"]' in text
    assert '(["Activity"]):::computed' in text and '("<u>Scan.Unit</u>"):::part' in text
    assert '("<u>Species</u>"):::lookup' in text
    assert text.count("linkStyle") == 7


def test_save_svg_and_mermaid(pipe, tmp_path):
    d = dj.Diagram(pipe.lab, context=_ctx(pipe))
    d.save(str(tmp_path / "lab.svg"))
    assert len([g for g in ET.parse(tmp_path / "lab.svg").getroot().iter(f"{SVG_NS}g")
                if "dj-node" in g.get("class", "")]) == 6
    d.save(str(tmp_path / "lab.mermaid"))
    assert "subgraph" in (tmp_path / "lab.mermaid").read_text()
    with pytest.raises(DataJointError):
        d.save(str(tmp_path / "lab.jpeg"))
