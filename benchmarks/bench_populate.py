"""Populate overhead: ``T.populate()`` against the same per-key loop written with the raw driver.

For every reachable backend this script declares, in a fresh ``djbench_`` schema, a
lookup of ``--keys`` keys and two Computed tables of identical definition whose ``make``
inserts one row computed from its key (trivial work, so that what is timed is the
per-key machinery).  It times, interleaving the two sides and keeping the best of
``--repeat`` runs:

direct
    ``Result.populate()`` against a raw loop: fetch the pending keys, then per key
    ``BEGIN``, check that the key is not done, insert the row, ``COMMIT``.
reserved
    ``Result.populate(reserve_jobs=True)`` against a raw loop that first queues every
    pending key in the jobs table (one ``executemany``), fetches the due keys, then per
    key: the conditional ``UPDATE`` that reserves it, ``BEGIN``, the check, the insert,
    ``COMMIT``, and the ``DELETE`` of its job row.

Before the timed runs, one instrumented run of each dj variant counts the statements
populate issues and the catalog queries among them (``information_schema``,
``pg_catalog``, ``sqlite_master``...); the script fails if any catalog query is issued
inside the per-key loop (metadata must be read once, before it).

It prints ms/key and the ratio dj/raw per backend and variant, and writes the figures as
JSON (``benchmarks/results/populate-latest.json``; ``--record`` also writes a dated copy).
With ``--check`` the exit status is 1 when a MariaDB/MySQL ratio exceeds the goal of
issue 4 (1.5 direct, 2.5 reserved), 2 when MySQL could not be measured.

Usage::

    python benchmarks/bench_populate.py [--keys 2000] [--backends sqlite,mysql,postgresql]
                                        [--repeat 3] [--check] [--record]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import socket
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

import dj_jupyter as dj

# the shared timing and connection helpers of the insert/fetch benchmark (same directory)
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_insert_fetch import SERVERS, dj_connection, environment, interleave, open_raw, parse_common, write_json

__all__ = ["GOALS", "main", "run_backend"]

GOALS = {"direct": 1.5, "reserved": 2.5}  # dj / raw on MariaDB/MySQL (issue 4)
VARIANTS = tuple(GOALS)
RESULTS = Path(__file__).resolve().parent / "results"
PRIORITY = 5
# statements that read the catalog rather than the tables
CATALOG = re.compile(r"information_schema|pg_catalog|pg_class|pg_namespace|pg_attribute|pg_constraint|"
                     r"sqlite_master|sqlite_schema|pragma|\"~schemas\"|\"~comments\"", re.IGNORECASE)

# raw SQL per backend: the server's time (as the jobs table stores it) and a write transaction
NOW = {"mysql": "NOW(3)", "postgresql": "LOCALTIMESTAMP(3)", "sqlite": "strftime('%Y-%m-%d %H:%M:%f', 'now')"}
BEGIN = {"mysql": "START TRANSACTION", "postgresql": "BEGIN", "sqlite": "BEGIN IMMEDIATE"}


# ------------------------------------------------------------------------------ workload
def declare(schema: Any, n_keys: int) -> dict[str, type]:
    """The key lookup and the two twin Computed tables, declared in ``schema``."""

    @schema
    class Key(dj.Manual):
        definition = """
        key_id : int32
        """

    body = """
    -> Key
    ---
    value : int64
    """

    @schema
    class Result(dj.Computed):
        definition = body

        def make(self, key):
            self.insert1(dict(key, value=2 * key["key_id"] + 1))

    @schema
    class RawResult(dj.Computed):  # written by the raw driver only
        definition = body

        def make(self, key):
            raise RuntimeError("RawResult is filled by the raw-driver loop, never by populate")

    Key.insert([{"key_id": k} for k in range(n_keys)])
    Result.jobs.declare()  # created now, so that creating it is not part of any timing
    RawResult.jobs.declare()
    return {"Key": Key, "Result": Result, "RawResult": RawResult}


# ------------------------------------------------------------------------------ raw driver side
class RawLoop:
    """The per-key work of populate, written directly against the driver (autocommit mode)."""

    def __init__(self, backend: str, raw: Any, names: dict[str, str]) -> None:
        self.backend, self.raw = backend, raw
        p = "?" if backend == "sqlite" else "%s"
        q = '"' if backend != "mysql" else "`"
        key, target, jobs = names["key"], names["target"], names["jobs"]
        now = NOW[backend]
        self.pending_sql = (f"SELECT {q}key_id{q} FROM {key} WHERE {q}key_id{q} NOT IN "
                            f"(SELECT {q}key_id{q} FROM {target}) ORDER BY {q}key_id{q}")
        self.check_sql = f"SELECT 1 FROM {target} WHERE {q}key_id{q} = {p}"
        self.insert_sql = f"INSERT INTO {target} ({q}key_id{q}, {q}value{q}) VALUES ({p}, {p})"
        self.queue_sql = (f"INSERT INTO {jobs} ({q}key_id{q}, {q}status{q}, {q}priority{q}, {q}scheduled_time{q}) "
                          f"VALUES ({p}, 'pending', {PRIORITY}, {now})")
        self.due_sql = (f"SELECT {q}key_id{q} FROM {jobs} WHERE {q}status{q} = 'pending' AND "
                        f"{q}scheduled_time{q} <= {now} ORDER BY {q}priority{q}, {q}scheduled_time{q}")
        self.reserve_sql = (f"UPDATE {jobs} SET {q}status{q} = 'reserved', {q}host{q} = {p}, {q}pid{q} = {p}, "
                            f"{q}reserved_time{q} = {now} WHERE {q}key_id{q} = {p} AND {q}status{q} = 'pending' "
                            f"AND {q}scheduled_time{q} <= {now}")
        self.done_sql = f"DELETE FROM {jobs} WHERE {q}key_id{q} = {p}"
        self.host, self.pid = socket.gethostname(), os.getpid()

    def _keys(self, sql: str) -> list[int]:
        cur = self.raw.cursor()
        cur.execute(sql)
        keys = [r[0] for r in cur.fetchall()]
        cur.close()
        return keys

    def _one(self, cur: Any, key_id: int) -> None:
        """One key in its own transaction: the check and the insert, all or nothing."""
        cur.execute(BEGIN[self.backend])
        cur.execute(self.check_sql, (key_id,))
        if cur.fetchone() is None:
            cur.execute(self.insert_sql, (key_id, 2 * key_id + 1))
        cur.execute("COMMIT")

    def direct(self) -> int:
        cur = self.raw.cursor()
        keys = self._keys(self.pending_sql)
        for key_id in keys:
            self._one(cur, key_id)
        cur.close()
        return len(keys)

    def reserved(self) -> int:
        cur = self.raw.cursor()
        cur.executemany(self.queue_sql, [(k,) for k in self._keys(self.pending_sql)])
        done = 0
        for key_id in self._keys(self.due_sql):
            cur.execute(self.reserve_sql, (self.host, self.pid, key_id))
            if cur.rowcount != 1:
                continue
            self._one(cur, key_id)
            cur.execute(self.done_sql, (key_id,))
            done += 1
        cur.close()
        return done


# ------------------------------------------------------------------------------ statement counting
class StatementLog:
    """Wraps one Connection's ``query``/``executemany`` to log the statements it issues."""

    def __init__(self, conn: Any) -> None:
        self.conn, self.statements = conn, []
        self._query, self._many = conn.query, conn.executemany

    def __enter__(self) -> Self:
        def query(sql, args=(), **kw):
            self.statements.append(sql)
            return self._query(sql, args, **kw)

        def executemany(sql, rows):
            self.statements.append(sql)
            return self._many(sql, rows)

        self.conn.query, self.conn.executemany = query, executemany  # instance attributes shadow the methods
        return self

    def __exit__(self, *exc: object) -> None:
        del self.conn.query, self.conn.executemany

    def summary(self, begin_sql: str, n_keys: int) -> dict:
        """Statements and catalog queries, in total and inside the per-key loop (from the first BEGIN)."""
        first = next((i for i, s in enumerate(self.statements) if s == begin_sql), len(self.statements))
        catalog = [s for s in self.statements if CATALOG.search(s)]
        in_loop = [s for s in self.statements[first:] if CATALOG.search(s)]
        return {"statements": len(self.statements), "before_loop": first,
                    "per_key": round((len(self.statements) - first) / max(n_keys, 1), 2),
                    "catalog_queries": len(catalog), "catalog_sql": catalog[:3], "catalog_in_loop": len(in_loop),
                    "catalog_in_loop_sql": in_loop[:3]}


# ------------------------------------------------------------------------------ one backend
def run_backend(backend: str, n_keys: int, repeat: int) -> dict:
    """Measure one backend; return ``{variant: {dj, raw, ratio, ms_per_key...}, "statements": ...}``."""
    folder = tempfile.mkdtemp(prefix="djbench_")
    conn = dj_connection(backend, folder)
    schema_name = f"djbench_{uuid.uuid4().hex[:10]}"
    schema = dj.Schema(schema_name, connection=conn)
    raw = None
    try:
        tables = declare(schema, n_keys)
        raw = open_raw(backend, schema_name, os.path.join(folder, "bench.db"))
        if backend == "sqlite":
            raw.execute("PRAGMA busy_timeout = 10000")
        return measure(backend, conn, raw, tables, n_keys, repeat)
    finally:
        if raw is not None:
            raw.close()
        schema.drop(prompt=False)
        conn.close_all()


def measure(backend: str, conn: Any, raw: Any, tables: dict, n_keys: int, repeat: int) -> dict:
    result, raw_result = tables["Result"], tables["RawResult"]
    names = {"key": tables["Key"]().full_table_name, "target": raw_result().full_table_name,
                 "jobs": raw_result.jobs.full_table_name}
    loop = RawLoop(backend, raw, names)
    to_clear = [result().full_table_name, raw_result().full_table_name, result.jobs.full_table_name,
                names["jobs"]]

    def clear() -> None:
        cur = raw.cursor()
        for name in to_clear:
            cur.execute(f"DELETE FROM {name}")
        cur.close()

    def dj_direct() -> None:
        expect(result.populate(), n_keys)

    def dj_reserved() -> None:
        expect(result.populate(reserve_jobs=True), n_keys)

    sides: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "direct": (dj_direct, lambda: expect_raw(loop.direct(), n_keys)),
        "reserved": (dj_reserved, lambda: expect_raw(loop.reserved(), n_keys)),
    }
    out: dict[str, Any] = {"statements": {}}
    begin_sql = conn._backend.begin_sql
    for variant, (dj_side, raw_side) in sides.items():
        clear()
        with StatementLog(conn) as log:  # one instrumented (untimed) run: what populate asks the database
            dj_side()
        out["statements"][variant] = log.summary(begin_sql, n_keys)
        check_same(result, raw_result, clear, raw_side)
        figures = interleave(repeat, dj_side, raw_side, before=clear).summary()
        figures.update(ms_per_key_dj=round(1000 * figures["dj"] / n_keys, 3),
                       ms_per_key_raw=round(1000 * figures["raw"] / n_keys, 3))
        out[variant] = figures
    clear()
    return out


def expect(report: dict, n: int) -> None:
    if report["success_count"] != n or report["error_list"]:
        raise SystemExit(f"benchmark broken: populate computed {report['success_count']} of {n} keys, "
                         f"errors {report['error_list'][:3]}")


def expect_raw(done: int, n: int) -> None:
    if done != n:
        raise SystemExit(f"benchmark broken: the raw loop computed {done} of {n} keys")


def check_same(result: type, raw_result: type, clear: Callable[[], None], raw_side: Callable[[], Any]) -> None:
    """Both sides must leave the same rows, or the timing compares different work."""
    raw_side()
    got = sorted((r["key_id"], r["value"]) for r in result().to_dicts())
    want = sorted((r["key_id"], r["value"]) for r in raw_result().to_dicts())
    if got != want or result.jobs.progress()["total"] or raw_result.jobs.progress()["total"]:
        raise SystemExit("benchmark broken: dj and raw left different rows (or job rows behind)")
    clear()


# ------------------------------------------------------------------------------ reporting
def print_table(results: dict, skipped: dict, n_keys: int, repeat: int) -> None:
    print(f"\n{n_keys:,} keys, best of {repeat}; ms per key, ratio = dj / raw (wall clock; client CPU ratio alongside)")
    print(f"{'backend':<12}{'variant':<10}{'dj ms/key':>10}{'raw ms/key':>11}{'ratio':>7}{'cpu ratio':>10}"
          f"{'stmts/key':>10}{'catalog':>9}{'in loop':>8}")
    for backend, res in results.items():
        for variant in VARIANTS:
            f, s = res[variant], res["statements"][variant]
            flag = "  > goal" if backend == "mysql" and f["ratio"] > GOALS[variant] else ""
            print(f"{backend:<12}{variant:<10}{f['ms_per_key_dj']:>10.3f}{f['ms_per_key_raw']:>11.3f}{f['ratio']:>7.2f}"
                  f"{f['cpu_ratio']:>10.2f}{s['per_key']:>10.2f}{s['catalog_queries']:>9}{s['catalog_in_loop']:>8}"
                  f"{flag}")
    for backend, reason in skipped.items():
        print(f"{backend:<12}skipped: {reason}")


def check_goal(results: dict) -> int:
    if "mysql" not in results:
        print("--check: MySQL/MariaDB was not measured, so the goal cannot be checked.", file=sys.stderr)
        return 2
    over = {v: results["mysql"][v]["ratio"] for v in VARIANTS if results["mysql"][v]["ratio"] > GOALS[v]}
    if over:
        print(f"--check: MySQL/MariaDB ratios above the goals {GOALS}: {over}", file=sys.stderr)
        return 1
    return 0


def catalog_in_loop(results: dict) -> dict:
    return {f"{b}/{v}": r["statements"][v]["catalog_in_loop_sql"]
            for b, r in results.items() for v in VARIANTS if r["statements"][v]["catalog_in_loop"]}


# ------------------------------------------------------------------------------ entry point
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    return parse_common(argv, doc=__doc__, size="keys", default=2000, goal=GOALS,
                        size_help="keys to populate (default 2000)",
                        record_help="also write results/populate-<date>.json (to commit)")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results, skipped = {}, {}
    for backend in args.backends:
        print(f"{backend}: measuring ...", flush=True)
        try:
            results[backend] = run_backend(backend, args.keys, args.repeat)
        except dj.errors.ConnectionFailedError as exc:
            skipped[backend] = f"server not reachable ({exc})"
            print(f"{backend}: skipped, server not reachable", flush=True)
    print_table(results, skipped, args.keys, args.repeat)
    report = {"date": dt.datetime.now().isoformat(timespec="seconds"), "keys": args.keys, "repeat": args.repeat,
                  "goals_mysql_ratio": GOALS, "servers": {b: SERVERS[b]["host"] for b in SERVERS},
                  "environment": environment(), "results": results, "skipped": skipped}
    for p in write_json(report, record=args.record, stem="populate-"):
        print(f"wrote {p}")
    bad = catalog_in_loop(results)
    if bad:
        print(f"catalog queries inside the populate loop (metadata must be read once): {bad}", file=sys.stderr)
        return 3
    return check_goal(results) if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
