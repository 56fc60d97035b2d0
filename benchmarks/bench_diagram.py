"""Diagram layout time against pipeline size: 100 vs 400 tables (goal: 400 <= 5x the 100 time).

No database is involved: the script builds the graph data of a synthetic DataJoint
pipeline (the dict ``Diagram.graph_data()`` returns) and times what a notebook does
with it, best of ``--repeat`` in CPU time of this process (pure Python in one thread:
CPU time is what the layout costs, and unlike wall-clock time it barely moves when
other work loads the machine; the wall-clock layout time is printed beside):

layout
    :func:`dj_jupyter.diagram.render.layout_of`: the layered layout (layers, waypoints
    on long edges, crossing reduction, coordinates, cluster boxes).
widget
    :func:`dj_jupyter.jupyter.widgets.graph_view.widget_graph`: what ``DiagramWidget``
    sends to the front end (the layout plus edge routes and bends).
svg
    :func:`dj_jupyter.diagram.render.svg_from_data`: the static drawing.

The pipeline model: schemas of 25 tables; every schema hangs off the shared
``session`` table of the first one; inside a schema each table depends on one to three
of the six tables declared just before it (Manual, Lookup, Imported and Computed
tables, a Part table under every fifth Computed one); the first tables of a schema
may also depend on an acquisition table of an earlier schema.  ``--model deep`` links
any earlier table instead, so the pipeline gets deeper as it grows (more long edges):
a stress case reported without a goal.

It prints the times and the ratios to the smallest size, and writes
``benchmarks/results/diagram-latest.json`` (``--record``: also a dated copy).  With
``--check`` the exit status is 1 when a ratio of the default model exceeds the goal.

Usage::

    python benchmarks/bench_diagram.py [--sizes 100,400] [--repeat 5] [--model pipeline|deep] [--check] [--record]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_insert_fetch import environment, write_json  # noqa: E402 - the shared results writer

from dj_jupyter.diagram.render import layout_of, svg_from_data  # noqa: E402
from dj_jupyter.jupyter.widgets.graph_view import widget_graph  # noqa: E402

__all__ = ["GOAL", "main", "pipeline_graph"]

GOAL = 5.0  # time(400 tables) / time(100 tables), issue 6
PER_SCHEMA = 25
TIERS = ("Manual", "Manual", "Lookup", "Imported", "Computed", "Computed", "Computed")


def _node(schema: str, table: str, tier: str, master: str | None = None) -> dict:
    node_id = f"{schema}.{table}"
    return {"id": node_id, "label": table if master is None else f"{master.split('.')[1]}.{table}", "schema": schema,
            "table": table, "tier": tier, "primary_key": [f"{table}_id"], "definition": "", "is_part": tier == "Part",
            "master": master, "introduces_key": True, "collapsed": False, "tables": []}


def _edge(parent: str, child: str, primary: bool) -> dict:
    return {"parent": parent, "child": child, "columns": [f"{parent.split('.')[1]}_id"], "primary": primary,
            "one_to_one": False, "renamed": False, "renames": {}, "bundle": False}


def pipeline_graph(n_tables: int, *, model: str = "pipeline", seed: int = 0) -> dict:
    """Graph data of a synthetic pipeline of about ``n_tables`` tables (see the module docstring)."""
    rng = random.Random(seed)
    nodes: list[dict] = []
    edges: list[dict] = []
    hub = "s00.session"
    for s in range(max(1, n_tables // PER_SCHEMA)):
        schema, local = f"s{s:02d}", []
        for i in range(PER_SCHEMA):
            if len(nodes) >= n_tables:
                break
            tier = "Manual" if i == 0 else TIERS[rng.randrange(len(TIERS))]
            node = _node(schema, "session" if (s, i) == (0, 0) else f"t{i:02d}", tier)
            nodes.append(node)
            if node["id"] != hub and i == 0:
                edges.append(_edge(hub, node["id"], True))
            for k, parent in enumerate(rng.sample(local[-6:], min(len(local[-6:]), rng.choice((1, 1, 2, 2, 3))))):
                edges.append(_edge(parent, node["id"], k == 0))
            if s and 0 < i < 4 and rng.random() < 0.5:
                if model == "deep":
                    other = nodes[rng.randrange(s * PER_SCHEMA)]["id"]
                else:
                    other = f"s{rng.randrange(s):02d}.t{rng.randrange(1, 4):02d}"
                edges.append(_edge(other, node["id"], False))
            local.append(node["id"])
            if tier == "Computed" and i % 5 == 0 and len(nodes) < n_tables:
                part = _node(schema, f"t{i:02d}__unit", "Part", master=node["id"])
                nodes.append(part)
                edges.append(_edge(node["id"], part["id"], True))
    ids = {n["id"] for n in nodes}
    edges = [e for e in edges if e["parent"] in ids]  # references to tables beyond a truncated schema
    clusters: dict[str, dict] = {}
    for n in nodes:
        clusters.setdefault(n["schema"], {"id": n["schema"], "label": n["schema"], "nodes": [], "groups": []})
        clusters[n["schema"]]["nodes"].append(n["id"])
        if n["is_part"]:
            clusters[n["schema"]]["groups"].append([n["master"], n["id"]])
    return {"direction": "LR", "nodes": nodes, "edges": edges, "clusters": list(clusters.values())}


def best_time(fn: Callable[[], Any], repeat: int) -> float:
    """The best CPU time of ``repeat`` runs (this process only: other load on the machine barely moves it)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def best_wall(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def measure(sizes: list[int], model: str, repeat: int) -> dict:
    out: dict[str, Any] = {}
    for n in sizes:
        data = pipeline_graph(n, model=model)
        lay = layout_of(data)
        waypoints = sum(len(route) - 2 for route in lay.routes.values())
        out[str(n)] = {"tables": len(data["nodes"]), "edges": len(data["edges"]),
                       "layers": max(lay.layers.values()) + 1, "waypoints": waypoints,
                       "layout": round(best_time(lambda: layout_of(data), repeat), 4),
                       "widget": round(best_time(lambda: widget_graph(data), repeat), 4),
                       "svg": round(best_time(lambda: svg_from_data(data), repeat), 4),
                       "layout_wall": round(best_wall(lambda: layout_of(data), repeat), 4)}
    base = out[str(sizes[0])]
    for n in sizes[1:]:
        out[str(n)]["ratio"] = {k: round(out[str(n)][k] / base[k], 2) for k in ("layout", "widget", "svg")}
        out[str(n)]["ratio_layout_wall"] = round(out[str(n)]["layout_wall"] / base["layout_wall"], 2)
    return out


def print_table(results: dict, repeat: int) -> None:
    print(f"\nbest of {repeat}; CPU seconds (wall for the layout alongside); ratio = time / time of the smallest size")
    print(f"{'model':<10}{'tables':>7}{'edges':>7}{'layers':>7}{'waypts':>8}{'layout':>9}{'widget':>9}{'svg':>9}"
          f"{'ratio layout/widget/svg':>26}{'wall':>9}{'ratio':>7}")
    for model, sizes in results.items():
        for f in sizes.values():
            ratio = "/".join(f"{v:.2f}" for v in f.get("ratio", {}).values())
            print(f"{model:<10}{f['tables']:>7}{f['edges']:>7}{f['layers']:>7}{f['waypoints']:>8}{f['layout']:>9.4f}"
                  f"{f['widget']:>9.4f}{f['svg']:>9.4f}{ratio:>26}{f['layout_wall']:>9.4f}"
                  f"{f.get('ratio_layout_wall', ''):>7}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="100,400", help="table counts, the first is the reference (default 100,400)")
    p.add_argument("--repeat", type=int, default=5, help="runs per size; the best one counts (default 5)")
    p.add_argument("--model", default="pipeline,deep", help="pipeline, deep, or both (default)")
    p.add_argument("--check", action="store_true", help=f"exit 1 if a 'pipeline' ratio exceeds {GOAL}")
    p.add_argument("--record", action="store_true", help="also write results/diagram-<date>.json (to commit)")
    args = p.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",")]
    args.models = [m.strip() for m in args.model.split(",")]
    if len(args.sizes) < 2 or min(args.sizes) < 1 or args.repeat < 1 or set(args.models) - {"pipeline", "deep"}:
        p.error("--sizes needs two or more positive counts, --repeat >= 1, --model pipeline and/or deep")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = {model: measure(args.sizes, model, args.repeat) for model in args.models}
    print_table(results, args.repeat)
    report = {"date": dt.datetime.now().isoformat(timespec="seconds"), "repeat": args.repeat, "sizes": args.sizes,
              "goal_ratio": GOAL, "environment": environment(), "results": results}
    for path in write_json(report, record=args.record, stem="diagram-"):
        print(f"wrote {path}")
    if args.check and "pipeline" in results:
        over = {n: f["ratio"] for n, f in results["pipeline"].items() if max(f.get("ratio", {"": 0}).values()) > GOAL}
        if over:
            print(f"--check: ratios above {GOAL}: {over}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
