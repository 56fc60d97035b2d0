"""The shown part of a diagram as plain data (``Diagram.graph_data()``).

Renderers (SVG, Mermaid) and the notebook widget read only this description, so they
need neither a connection nor the dependency graph.  Collapsed tables of a schema are
folded into one node ``collapsed:<schema>`` with uniform "bundle" edges.
"""

from __future__ import annotations

from typing import Any

from ..schema.dependencies import Edge, TableKey
from ..schema.naming import master_of, tier_of_table_name
from .labels import Labeler

__all__ = ["build_graph_data", "node_id"]


def node_id(node: TableKey) -> str:
    """The id of a table in graph data: ``schema.table``."""
    return f"{node[0]}.{node[1]}"


def build_graph_data(diagram: Any, *, direction: str, definitions: bool = True) -> dict:
    """Describe the shown graph of ``diagram`` (see :meth:`Diagram.graph_data`)."""
    labeler = Labeler(diagram.context)
    tables = diagram.tables
    labels = labeler.labels(tables)
    module_names = {**labeler.module_names(), **diagram._module_names}
    cluster_labels = {s: module_names.get(s, s) for s, _ in tables}
    keys = {n: diagram.primary_key(n) for n in tables}
    display = {n: (node_id(n) if n in diagram._expanded else f"collapsed:{n[0]}") for n in tables}
    collapsed = _collapsed_nodes(tables, display, cluster_labels)
    nodes = []
    for n in tables:  # parents first; a collapsed schema takes the place of its first table
        if n in diagram._expanded:
            nodes.append(_table_node(diagram, n, labels[n], keys[n], definitions))
        elif display[n] in collapsed:
            nodes.append(collapsed.pop(display[n]))
    edges = _edges(diagram, tables, keys, display)
    return {
        "direction": direction,
        "nodes": nodes,
        "edges": edges,
        "clusters": _clusters(nodes, cluster_labels),
    }


def _table_node(diagram: Any, node: TableKey, label: str, key: list[str], definitions: bool) -> dict:
    schema, table = node
    tier = tier_of_table_name(table)
    inherited = {c for e in diagram._graph.parents(node) for c in e.fk.columns}
    return {
        "id": node_id(node),
        "label": label,
        "schema": schema,
        "table": table,
        "tier": tier,
        "primary_key": list(key),
        "definition": diagram.definition(node) if definitions else "",
        "is_part": tier == "Part",
        "master": node_id((schema, master_of(table))) if tier == "Part" else None,
        "introduces_key": any(c not in inherited for c in key),
        "collapsed": False,
        "tables": [],
    }


def _collapsed_nodes(tables: list[TableKey], display: dict, cluster_labels: dict) -> dict[str, dict]:
    members: dict[str, list[str]] = {}
    for n in tables:
        if display[n].startswith("collapsed:"):
            members.setdefault(n[0], []).append(node_id(n))
    return {f"collapsed:{schema}": {
        "id": f"collapsed:{schema}",
        "label": f"{cluster_labels[schema]} ({len(ids)} table{'s' if len(ids) != 1 else ''})",
        "schema": schema,
        "table": None,
        "tier": "collapsed",
        "primary_key": [],
        "definition": "",
        "is_part": False,
        "master": None,
        "introduces_key": False,
        "collapsed": True,
        "tables": ids,
    } for schema, ids in members.items()}


def _edges(diagram: Any, tables: list[TableKey], keys: dict, display: dict) -> list[dict]:
    edges, bundles = [], {}
    for child in tables:
        for e in diagram._graph.parents(child):
            if e.parent not in display or e.parent == child:
                continue
            parent_id, child_id = display[e.parent], display[child]
            if parent_id.startswith("collapsed:") or child_id.startswith("collapsed:"):
                if parent_id != child_id:
                    bundles.setdefault((parent_id, child_id), _bundle(parent_id, child_id))
                continue
            edges.append(_edge(e, parent_id, child_id, keys[child]))
    return edges + list(bundles.values())


def _edge(e: Edge, parent_id: str, child_id: str, child_key: list[str]) -> dict:
    columns = list(e.fk.columns)
    return {
        "parent": parent_id,
        "child": child_id,
        "columns": columns,
        "primary": all(c in child_key for c in columns),
        "one_to_one": set(columns) == set(child_key),
        "renamed": e.aliased,
        "renames": {c: p for c, p in e.attr_map.items() if c != p},
        "bundle": False,
    }


def _bundle(parent_id: str, child_id: str) -> dict:
    return {"parent": parent_id, "child": child_id, "columns": [], "primary": False, "one_to_one": False,
            "renamed": False, "renames": {}, "bundle": True}


def _clusters(nodes: list[dict], cluster_labels: dict) -> list[dict]:
    out: dict[str, dict] = {}
    for node in nodes:
        cluster = out.setdefault(node["schema"], {"id": node["schema"], "label": cluster_labels[node["schema"]],
                                                  "nodes": [], "groups": []})
        cluster["nodes"].append(node["id"])
    shown = {n["id"] for n in nodes}
    for node in nodes:
        if node["is_part"] and node["master"] in shown:
            groups = out[node["schema"]]["groups"]
            group = next((g for g in groups if g[0] == node["master"]), None)
            if group is None:
                groups.append([node["master"], node["id"]])
            else:
                group.append(node["id"])
    return list(out.values())
