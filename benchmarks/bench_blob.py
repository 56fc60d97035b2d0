"""``<blob>`` columns against raw bytes through the driver: insert and fetch, large and small values.

For every reachable backend this script declares, in a fresh ``djbench_`` schema, two
tables of the same shape::

    blob_id : int32
    ---
    data : <blob>          # Blob: DataJoint's blob format, written by dj_jupyter
    data : bytes           # RawBlob: the array's bytes, written by the raw driver

and times, keeping the best of ``--repeat`` runs and alternating which side goes first,
two workloads:

large
    ``--large`` rows (default 200), each a 1 MB float64 array (131,072 normal deviates).
small
    ``--small`` rows (default 10,000), each a 16-element float64 array (128 bytes).

with two operations each:

insert
    ``Blob.insert(rows)`` against ``executemany`` of ``(id, array.tobytes())`` in one
    transaction (``tobytes`` is inside the raw timing: a raw user must turn arrays into bytes).
fetch
    ``Blob.to_dicts()`` against the same SELECT, ``fetchall()`` and, per row,
    ``{"blob_id": id, "data": np.frombuffer(data)}`` (the raw user gets arrays back too).

The dj side does more: the blob format records dtype and shape (the raw bytes do not), and
``<blob>`` offers compression for large values that compress (random data does not).

It prints the ratio dj/raw per backend, workload and operation (wall clock; client CPU
alongside) and writes the figures as JSON (``benchmarks/results/blob-latest.json``;
``--record`` also writes a dated copy).  With ``--check`` the exit status is 1 when a
ratio on any measured backend exceeds its goal (large: 1.3, small: 2.0), 2 when nothing
could be measured.

Usage::

    python benchmarks/bench_blob.py [--large 200] [--small 10000] [--backends sqlite,mysql,postgresql]
                                    [--repeat 3] [--check] [--record]
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import numpy as np

import dj_jupyter as dj

# the shared timing and connection helpers of the insert/fetch benchmark (same directory)
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_insert_fetch import (
    dj_connection,
    environment,
    interleave,
    open_raw,
    parse_common,
    raw_clear,
    raw_fetch,
    raw_insert,
    write_json,
)

__all__ = ["GOALS", "main", "run_backend"]

GOALS = {"large": 1.3, "small": 2.0}  # dj / raw (issue 5)
LARGE_ELEMENTS = 131_072  # 1 MiB of float64
SMALL_ELEMENTS = 16


# ------------------------------------------------------------------------------ workload
def make_arrays(n: int, elements: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(elements) for _ in range(n)]


def declare(schema: Any) -> dict[str, type]:
    @schema
    class Blob(dj.Manual):
        definition = """
        blob_id : int32
        ---
        data : <blob>
        """

    @schema
    class RawBlob(dj.Manual):  # written by the raw driver only
        definition = """
        blob_id : int32
        ---
        data : bytes
        """

    return {"Blob": Blob, "RawBlob": RawBlob}


# ------------------------------------------------------------------------------ one backend
def run_backend(backend: str, workloads: dict[str, list[np.ndarray]], repeat: int) -> dict:
    """Measure one backend; return ``{workload: {operation: {dj, raw, ratio, ...}}}``."""
    folder = tempfile.mkdtemp(prefix="djbench_")
    conn = dj_connection(backend, folder)
    schema_name = f"djbench_{uuid.uuid4().hex[:10]}"
    schema = dj.Schema(schema_name, connection=conn)
    raw = None
    try:
        tables = declare(schema)
        raw = open_raw(backend, schema_name, os.path.join(folder, "bench.db"))
        return {name: measure(backend, conn, raw, tables, arrays, repeat) for name, arrays in workloads.items()}
    finally:
        if raw is not None:
            raw.close()
        schema.drop(prompt=False)
        conn.close_all()


def measure(backend: str, conn: Any, raw: Any, tables: dict, arrays: list[np.ndarray], repeat: int) -> dict:
    blob, raw_blob = tables["Blob"](), tables["RawBlob"]()
    rows = [{"blob_id": i, "data": a} for i, a in enumerate(arrays)]
    p = "?" if backend == "sqlite" else "%s"
    quote = conn.dialect.quote
    insert_sql = f"INSERT INTO {raw_blob.full_table_name} ({quote('blob_id')}, {quote('data')}) VALUES ({p}, {p})"
    raw_select = f"SELECT {quote('blob_id')}, {quote('data')} FROM {raw_blob.full_table_name}"

    def clear_both() -> None:
        raw_clear(backend, raw, blob.full_table_name)
        raw_clear(backend, raw, raw_blob.full_table_name)

    def raw_side_insert() -> None:
        raw_insert(backend, raw, insert_sql, [(i, a.tobytes()) for i, a in enumerate(arrays)])

    def raw_side_fetch() -> list[dict]:
        _, fetched = raw_fetch(raw, raw_select)
        return [{"blob_id": i, "data": np.frombuffer(d, dtype=np.float64)} for i, d in fetched]

    out = {"insert": interleave(repeat, lambda: blob.insert(rows), raw_side_insert, before=clear_both)}
    clear_both()
    blob.insert(rows)
    raw_side_insert()
    check_same(blob.to_dicts(), raw_side_fetch(), arrays)
    out["fetch"] = interleave(repeat, blob.to_dicts, raw_side_fetch)
    return {op: figures.summary() for op, figures in out.items()}


def check_same(dj_rows: list[dict], raw_rows: list[dict], arrays: list[np.ndarray]) -> None:
    """Both sides must return the inserted arrays, or the timing compares different work."""
    for rows, side in ((dj_rows, "dj"), (raw_rows, "raw")):
        got = {r["blob_id"]: r["data"] for r in rows}
        if len(got) != len(arrays) or any(not np.array_equal(got[i], a) for i, a in enumerate(arrays)):
            raise SystemExit(f"benchmark broken: the {side} side did not return the {len(arrays)} inserted arrays")


# ------------------------------------------------------------------------------ reporting
def print_table(results: dict, skipped: dict, sizes: dict, repeat: int) -> None:
    print(f"\nbest of {repeat}; seconds, ratio = dj / raw (wall clock; client CPU alongside); "
          f"large = {sizes['large']} x 1 MB, small = {sizes['small']:,} x 128 B")
    print(f"{'backend':<12}{'workload':<9}{'operation':<10}{'dj':>8}{'raw':>8}{'ratio':>7}   "
          f"{'cpu dj':>7}{'cpu raw':>8}{'ratio':>7}")
    for backend, workloads in results.items():
        for workload, ops in workloads.items():
            for op, f in ops.items():
                flag = "  > goal" if f["ratio"] > GOALS[workload] else ""
                print(f"{backend:<12}{workload:<9}{op:<10}{f['dj']:>8.3f}{f['raw']:>8.3f}{f['ratio']:>7.2f}   "
                      f"{f['cpu_dj']:>7.3f}{f['cpu_raw']:>8.3f}{f['cpu_ratio']:>7.2f}{flag}")
    for backend, reason in skipped.items():
        print(f"{backend:<12}skipped: {reason}")


def check_goal(results: dict) -> int:
    if not results:
        print("--check: no backend could be measured.", file=sys.stderr)
        return 2
    over = {(backend, workload, op): f["ratio"] for backend, workloads in results.items()
            for workload, ops in workloads.items() for op, f in ops.items() if f["ratio"] > GOALS[workload]}
    if over:
        print(f"--check: ratios above their goals {GOALS}: {over}", file=sys.stderr)
        return 1
    return 0


# ------------------------------------------------------------------------------ entry point
def parse_args(argv: list[str] | None) -> Any:
    parser_argv = list(sys.argv[1:] if argv is None else argv)
    small = 10_000
    if "--small" in parser_argv:  # the shared parser knows one size option; take --small out first
        i = parser_argv.index("--small")
        small = int(parser_argv[i + 1])
        del parser_argv[i:i + 2]
    args = parse_common(parser_argv, doc=__doc__, size="large", default=200, goal=GOALS,
                        size_help="rows of 1 MB arrays (default 200); --small N: rows of 128-byte arrays (default 10000)",
                        record_help="also write results/blob-<date>.json (to commit as evidence)")
    if small < 1:
        raise SystemExit("--small must be at least 1")
    args.small = small
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = {"large": args.large, "small": args.small}
    workloads = {"large": make_arrays(args.large, LARGE_ELEMENTS, 0), "small": make_arrays(args.small, SMALL_ELEMENTS, 1)}
    results, skipped = {}, {}
    for backend in args.backends:
        print(f"{backend}: measuring ...", flush=True)
        try:
            results[backend] = run_backend(backend, workloads, args.repeat)
        except dj.errors.ConnectionFailedError as exc:
            skipped[backend] = f"server not reachable ({exc})"
            print(f"{backend}: skipped, server not reachable", flush=True)
    print_table(results, skipped, sizes, args.repeat)
    report = {"date": dt.datetime.now().isoformat(timespec="seconds"), "sizes": sizes, "repeat": args.repeat,
              "goals": GOALS, "environment": environment(), "results": results, "skipped": skipped}
    for p in write_json(report, record=args.record, stem="blob-"):
        print(f"wrote {p}")
    return check_goal(results) if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
