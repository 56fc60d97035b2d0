"""Diagram without a database: the layered layout on synthetic graphs, the set algebra and the
renderers on a dependency graph built by hand."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest

from dj_jupyter.diagram import Diagram
from dj_jupyter.diagram.layout import count_crossings, layered_layout, node_size
from dj_jupyter.errors import DataJointError
from dj_jupyter.heading.spec import ForeignKeyInfo
from dj_jupyter.schema.dependencies import Dependencies

SVG_NS = "{http://www.w3.org/2000/svg}"

# --------------------------------------------------------------------------- layout


def _chain_graph():
    """A diamond with a long edge and a side branch."""
    nodes = ["a", "b", "c", "d", "e", "f"]
    edges = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "e"), ("a", "e"), ("b", "f")]
    return nodes, edges


def test_layers_respect_every_edge():
    nodes, edges = _chain_graph()
    lay = layered_layout(nodes, edges)
    for parent, child in edges:
        assert lay.layers[parent] < lay.layers[child]
    assert lay.layers["a"] == 0 and lay.layers["d"] == 2 and lay.layers["e"] == 3


def test_layers_are_longest_paths_and_sources_sit_beside_their_child():
    # "lookup" feeds only the deepest table: it moves next to it instead of staying in layer 0
    nodes = ["s", "t", "u", "lookup"]
    lay = layered_layout(nodes, [("s", "t"), ("t", "u"), ("lookup", "u")])
    assert [lay.layers[n] for n in ("s", "t", "u")] == [0, 1, 2]
    assert lay.layers["lookup"] == 1


def test_a_part_sits_in_the_layer_after_its_master():
    lay = layered_layout(["m", "m__p", "x"], [("m", "m__p"), ("m__p", "x")], clusters={"m": "s", "m__p": "s", "x": "s"})
    assert lay.layers["m__p"] == lay.layers["m"] + 1


def test_nodes_never_overlap():
    nodes = [f"n{i}" for i in range(30)]
    edges = [(f"n{i}", f"n{j}") for i in range(30) for j in (2 * i + 1, 2 * i + 2) if j < 30]
    clusters = {n: f"s{int(n[1:]) % 3}" for n in nodes}
    for direction in ("LR", "TB"):
        lay = layered_layout(nodes, edges, clusters=clusters, direction=direction)
        for a, b in itertools.combinations(lay.boxes.values(), 2):
            assert not a.overlaps(b)
        clusters_boxes = list(lay.clusters.values())
        assert len(clusters_boxes) == 3
        for a, b in itertools.combinations(clusters_boxes, 2):
            assert not a.overlaps(b)


def test_cluster_boxes_contain_their_nodes():
    nodes, edges = _chain_graph()
    clusters = {"a": "s1", "b": "s1", "c": "s2", "d": "s2", "e": "s2", "f": "s1"}
    lay = layered_layout(nodes, edges, clusters=clusters)
    for node, cluster in clusters.items():
        box, outer = lay.boxes[node], lay.clusters[cluster]
        assert outer.left <= box.left and box.right <= outer.right
        assert outer.top <= box.top and box.bottom <= outer.bottom
    assert 0 <= min(b.left for b in lay.clusters.values()) and max(b.right for b in lay.clusters.values()) <= lay.width


def test_crossings_are_removed_on_a_known_example():
    # given in an order where every pair of edges crosses (3 crossings), the layout untangles them
    nodes = ["a", "b", "c", "x", "y", "z"]
    edges = [("a", "z"), ("b", "y"), ("c", "x")]
    assert count_crossings([["a", "b", "c"], ["x", "y", "z"]], edges) == 3
    lay = layered_layout(nodes, edges)
    assert count_crossings(lay.order, edges) == 0
    # and the coordinates follow the order
    ys = [lay.boxes[n].y for n in lay.order[1]]
    assert ys == sorted(ys)


def test_crossings_reduced_on_a_bipartite_graph():
    top = [f"t{i}" for i in range(6)]
    bottom = [f"b{i}" for i in range(6)]
    edges = [(f"t{i}", f"b{(5 - i) % 6}") for i in range(6)] + [(f"t{i}", f"b{(6 - i) % 6}") for i in range(6)]
    before = count_crossings([top, bottom], edges)
    lay = layered_layout(top + bottom, edges)
    assert count_crossings(lay.order, edges) < before


def test_direction_lr_runs_left_to_right_and_tb_top_to_bottom():
    nodes, edges = ["a", "b", "c"], [("a", "b"), ("b", "c")]
    lr = layered_layout(nodes, edges, direction="LR")
    assert lr.boxes["a"].x < lr.boxes["b"].x < lr.boxes["c"].x
    assert lr.boxes["a"].y == lr.boxes["b"].y == lr.boxes["c"].y
    tb = layered_layout(nodes, edges, direction="tb")
    assert tb.direction == "TB"
    assert tb.boxes["a"].y < tb.boxes["b"].y < tb.boxes["c"].y
    with pytest.raises(DataJointError, match="'LR' or 'TB'"):
        layered_layout(nodes, edges, direction="RL")


def test_layout_is_deterministic():
    nodes, edges = _chain_graph()
    assert layered_layout(nodes, edges) == layered_layout(nodes, list(edges))


def test_long_edges_get_one_waypoint_per_layer_crossed():
    nodes, edges = ["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("c", "d"), ("a", "d")]
    lay = layered_layout(nodes, edges)
    assert len(lay.routes[("a", "b")]) == 2
    assert len(lay.routes[("a", "d")]) == 4  # border, 2 waypoints, border
    start, *_, end = lay.routes[("a", "d")]
    assert start == (lay.boxes["a"].right, lay.boxes["a"].y)
    assert end == (lay.boxes["d"].left, lay.boxes["d"].y)


def test_node_size_grows_with_the_label():
    assert node_size("A" * 30)[0] > node_size("A" * 5)[0]
    assert node_size("Scan", "ellipse")[0] > node_size("Scan", "box")[0]
    assert node_size("Scan.Unit", "part")[1] < node_size("Scan.Unit", "box")[1]


def test_cycles_and_unknown_nodes_are_refused():
    with pytest.raises(DataJointError, match="cycle"):
        layered_layout(["a", "b"], [("a", "b"), ("b", "a")])
    with pytest.raises(DataJointError, match="'zz'"):
        layered_layout(["a"], [("a", "zz")])


# --------------------------------------------------------------------------- a hand-built pipeline

S, T = "lab", "rev"
SPECIES, SUBJECT, SESSION, SCAN, UNIT, ACTIVITY, REVIEW = (
    (S, "#species"), (S, "subject"), (S, "session"), (S, "_scan"), (S, "_scan__unit"), (S, "__activity"), (T, "review"))
KEYS = {SPECIES: ["species"], SUBJECT: ["subject_id"], SESSION: ["subject_id", "session"],
        SCAN: ["subject_id", "session"], UNIT: ["subject_id", "session", "unit"],
        ACTIVITY: ["subject_id", "session", "unit"], REVIEW: ["subject_id", "session", "reviewer"]}


def _fk(child, parent, columns, parent_columns=None):
    return ForeignKeyInfo(child[0], child[1], tuple(columns), parent[0], parent[1], tuple(parent_columns or columns))


@pytest.fixture(scope="module")
def graph():
    fks = [
        _fk(SUBJECT, SPECIES, ["species"]),
        _fk(SESSION, SUBJECT, ["subject_id"]),
        _fk(SESSION, SUBJECT, ["buddy_id"], ["subject_id"]),
        _fk(SCAN, SESSION, ["subject_id", "session"]),
        _fk(UNIT, SCAN, ["subject_id", "session"]),
        _fk(ACTIVITY, UNIT, ["subject_id", "session", "unit"]),
        _fk(REVIEW, SESSION, ["subject_id", "session"]),
    ]
    return Dependencies(KEYS, fks)


def _d(graph, *nodes):
    return Diagram.from_graph(graph, nodes or None, primary_keys=KEYS)


def test_generations_of_descendants_and_ancestors(graph):
    d = _d(graph, SCAN)
    assert set((d + 1).tables) == {SCAN, UNIT}
    assert set((d + 2).tables) == {SCAN, UNIT, ACTIVITY}
    assert set((d - 1).tables) == {SESSION, SCAN}
    assert set((d - 3).tables) == {SPECIES, SUBJECT, SESSION, SCAN}
    # the order of growth matters, as in DataJoint
    assert set((d + 1 - 1).tables) == {SESSION, SCAN, UNIT}
    assert set((d - 1 + 1).tables) == {SESSION, SCAN, UNIT, REVIEW}  # d + 1 - 1 != d - 1 + 1
    assert set((d + 0).tables) == {SCAN}


def test_union_difference_intersection(graph):
    a, b = _d(graph, SUBJECT, SESSION), _d(graph, SESSION, SCAN)
    assert set((a + b).tables) == {SUBJECT, SESSION, SCAN}
    assert set((a - b).tables) == {SUBJECT}
    assert set((a * b).tables) == {SESSION}
    assert len(a) == 2 and len(a + b) == 3
    # operands are not changed
    assert set(a.tables) == {SUBJECT, SESSION}
    everything = _d(graph)
    assert len(everything) == 7
    assert everything.tables[0] == SPECIES  # parents first
    assert everything.tables.index(SCAN) + 1 == everything.tables.index(UNIT)  # parts right after their master


def test_from_graph_refuses_tables_outside_the_graph(graph):
    with pytest.raises(DataJointError, match="not in the dependency graph"):
        _d(graph, (S, "nope"))


def test_add_parts_adds_the_parts_of_shown_masters(graph):
    assert set(_d(graph, SCAN).add_parts().tables) == {SCAN, UNIT}
    assert set(_d(graph, SESSION).add_parts().tables) == {SESSION}


def test_collapse_and_expanded_wins_in_a_union(graph):
    lab = _d(graph, SPECIES, SUBJECT, SESSION, SCAN, UNIT, ACTIVITY)
    data = lab.collapse().graph_data(direction="LR")
    assert [n["id"] for n in data["nodes"]] == ["collapsed:lab"]
    assert data["nodes"][0]["tier"] == "collapsed" and len(data["nodes"][0]["tables"]) == 6
    mixed = lab.collapse() + _d(graph, SESSION, REVIEW)
    data = mixed.graph_data(direction="LR")
    ids = {n["id"] for n in data["nodes"]}
    assert ids == {"collapsed:lab", "lab.session", "rev.review"}  # session is expanded in one operand
    collapsed = next(n for n in data["nodes"] if n["collapsed"])
    assert "lab.session" not in collapsed["tables"] and len(collapsed["tables"]) == 5
    bundles = [e for e in data["edges"] if e["bundle"]]
    assert {(e["parent"], e["child"]) for e in bundles} == {("collapsed:lab", "lab.session"),
                                                            ("lab.session", "collapsed:lab")}


def test_graph_data_describes_nodes_and_edges(graph):
    data = _d(graph).graph_data(direction="TB")
    assert data["direction"] == "TB"
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["lab.#species"]["tier"] == "Lookup"
    assert nodes["lab._scan"]["tier"] == "Imported"
    assert nodes["lab.__activity"]["tier"] == "Computed"
    assert nodes["lab._scan__unit"]["is_part"] and nodes["lab._scan__unit"]["master"] == "lab._scan"
    assert nodes["lab.session"]["label"] == "lab.session"  # no context: SQL names
    assert nodes["lab.session"]["introduces_key"] and not nodes["lab._scan"]["introduces_key"]
    assert nodes["lab.__activity"]["primary_key"] == ["subject_id", "session", "unit"]
    assert len(data["edges"]) == 7
    by_columns = {(e["parent"], e["child"], tuple(e["columns"])): e for e in data["edges"]}
    buddy = by_columns[("lab.subject", "lab.session", ("buddy_id",))]
    assert buddy["renamed"] and buddy["renames"] == {"buddy_id": "subject_id"} and not buddy["primary"]
    scan = by_columns[("lab.session", "lab._scan", ("subject_id", "session"))]
    assert scan["primary"] and scan["one_to_one"] and not scan["renamed"]
    review = by_columns[("lab.session", "rev.review", ("subject_id", "session"))]
    assert review["primary"] and not review["one_to_one"]
    species = by_columns[("lab.#species", "lab.subject", ("species",))]
    assert not species["primary"]
    clusters = {c["id"]: c for c in data["clusters"]}
    assert set(clusters) == {"lab", "rev"} and clusters["lab"]["groups"] == [["lab._scan", "lab._scan__unit"]]


def test_to_networkx_keeps_parallel_foreign_keys(graph):
    g = _d(graph).to_networkx()
    assert g.number_of_nodes() == 7 and g.number_of_edges() == 7
    assert g.number_of_edges("lab.subject", "lab.session") == 2
    assert g.nodes["lab._scan"]["tier"] == "Imported"


def test_svg_is_well_formed_with_one_group_per_table(graph):
    svg = _d(graph).svg_string(theme="auto", direction="LR")
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{SVG_NS}g") if "dj-node" in g.get("class", "").split()]
    assert sorted(g.get("data-table") for g in groups) == sorted(f"{s}.{t}" for s, t in KEYS)
    assert "prefers-color-scheme: dark" in svg
    manual = next(g for g in groups if g.get("data-table") == "lab.subject")
    assert "dj-manual" in manual.get("class") and manual.find(f"{SVG_NS}rect").get("fill") == "#E8F0E9"
    computed = next(g for g in groups if g.get("data-table") == "lab.__activity")
    assert computed.find(f"{SVG_NS}ellipse").get("stroke") == "#FF5113"
    assert manual.find(f"{SVG_NS}text").get("text-decoration") == "underline"
    assert computed.find(f"{SVG_NS}text").get("text-decoration") is None
    edges = [g for g in root.iter(f"{SVG_NS}g") if "dj-edge" in g.get("class", "").split()]
    assert len(edges) == 7
    renamed = [g for g in edges if "dj-renamed" in g.get("class")]
    assert len(renamed) == 1 and "buddy_id" in renamed[0].find(f"{SVG_NS}title").text
    assert renamed[0].find(f"{SVG_NS}path").get("stroke-dasharray") == "5,3"
    clusters = [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "dj-cluster"]
    assert [c.find(f"{SVG_NS}text").text for c in clusters] == ["lab", "rev"]
    light = _d(graph).svg_string(theme="light")
    assert "prefers-color-scheme" not in light
    with pytest.raises(DataJointError, match="theme"):
        _d(graph).svg_string(theme="neon")


def test_mermaid_text(graph):
    text = _d(graph).make_mermaid(direction="TB")
    lines = text.splitlines()
    assert lines[0] == "flowchart TB"
    assert any(line.strip().startswith("classDef computed fill:#FFEDE5") for line in lines)
    assert sum(line.strip().startswith("subgraph") for line in lines) == 3  # two schemas, one master group
    assert sum(" --- " in line or " -.- " in line for line in lines) == 7
    assert sum(line.strip().startswith("linkStyle") for line in lines) == 7
    assert any("#E69F00" in line for line in lines)  # the renamed foreign key
    assert any('(["lab.__activity"]):::computed' in line for line in lines)


def test_save_formats_and_png(graph, tmp_path):
    d = _d(graph)
    d.save(tmp_path / "p.svg")
    ET.parse(tmp_path / "p.svg")
    d.save(tmp_path / "p.mmd")
    assert (tmp_path / "p.mmd").read_text().startswith("flowchart")
    d.save(tmp_path / "p.txt", format="mermaid")
    assert (tmp_path / "p.txt").read_text().startswith("flowchart")
    with pytest.raises(DataJointError, match=r"\.svg, \.mmd"):
        d.save(tmp_path / "p.pdf")
    with pytest.raises(DataJointError, match="without Graphviz"):
        d.save(tmp_path / "p.png")
    with pytest.raises(DataJointError, match="svg"):
        d.draw()
    assert d.make_svg()._repr_svg_() == d.svg_string()
