"""The worker command: ``python -m dj_jupyter worker MODULE_OR_FILE[:Table] [options]``.

A host starts workers to work through a pipeline in a shared database: the worker
imports the user's pipeline module (a ``.py`` file or an importable module), finds its
auto-populated tables and populates them parents first with ``reserve_jobs=True``, so
any number of workers on any number of hosts compute each key once.  It stops when a
pass finds nothing to do (or, with ``--watch``, sleeps and looks again), and on SIGTERM
it releases the key it is computing and exits with status 0.  The database comes from
``datajoint.json`` / ``DJ_*`` variables as usual (or from the module itself).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import DataJointError
from ..schema.catalog_state import state_of
from .autopopulate import AutoPopulate

__all__ = ["WorkerSummary", "add_worker_arguments", "find_tables", "load_pipeline", "run_worker", "worker_main"]

logger = logging.getLogger("dj_jupyter")


@dataclass
class WorkerSummary:
    """What a worker did: keys computed and failed per table, passes, and whether SIGTERM stopped it."""

    computed: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    passes: int = 0
    stopped: bool = False

    @property
    def total(self) -> int:
        return sum(self.computed.values())

    def line(self) -> str:
        state = "stopped by SIGTERM" if self.stopped else "done"
        return (f"dj_jupyter worker {state}: {self.total} key(s) computed, {sum(self.failed.values())} failed, "
                f"{self.passes} pass(es).")


# ------------------------------------------------------------------------------ finding the tables
def _split_target(target: str) -> tuple[str, str | None]:
    """``pipeline.py:Table`` -> (``pipeline.py``, ``Table``); a Windows drive letter is not a table."""
    head, sep, tail = target.rpartition(":")
    if sep and tail.isidentifier() and len(head) > 1:
        return head, tail
    return target, None


def load_pipeline(source: str) -> ModuleType:
    """Import a pipeline: a ``.py`` file path or an importable module name.

    Raises
    ------
    DataJointError
        The file does not exist or the module cannot be imported.
    """
    path = Path(source)
    if source.endswith(".py") or path.is_file():
        if not path.is_file():
            raise DataJointError(f"Pipeline file {source!r} not found (working directory: {os.getcwd()}).")
        path = path.resolve()
        sys.path.insert(0, str(path.parent))  # let the pipeline import its sibling modules
        name = path.stem if path.stem not in sys.modules else f"dj_worker_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    try:
        return importlib.import_module(source)
    except ImportError as error:
        raise DataJointError(
            f"Cannot import pipeline module {source!r} ({error}). Give a .py file path or a module on PYTHONPATH."
        ) from None


def _is_bound_auto(value: Any) -> bool:
    return (isinstance(value, type) and issubclass(value, AutoPopulate) and not value.__dict__.get("_tier_base")
            and value.__dict__.get("_table_name") is not None and value.__dict__.get("database") is not None)


def find_tables(module: ModuleType, table: str | None = None, schema: str | None = None) -> list[type]:
    """The module's auto-populated table classes (optionally one, or one schema's), parents first.

    Raises
    ------
    DataJointError
        The named table is not an auto-populated table of the module, or nothing is found.
    """
    found = {id(v): v for v in vars(module).values() if _is_bound_auto(v)}
    tables = [t for t in found.values() if schema is None or t.database == schema]
    if table is not None:
        tables = [t for t in tables if t.__name__ == table]
        if not tables:
            names = sorted(t.__name__ for t in found.values())
            raise DataJointError(f"{table!r} is not an auto-populated table of {module.__name__}; "
                                 f"its Imported/Computed tables: {', '.join(names) or 'none'}.")
    if not tables:
        raise DataJointError(f"No auto-populated (Imported/Computed) tables found in {module.__name__}"
                             + (f" for schema {schema!r}." if schema else "."))
    return sorted(tables, key=_position)


def _position(cls: type) -> tuple[int, str]:
    order = state_of(cls._connection).graph.topological()
    key = (cls.database, cls._table_name)
    return (order.index(key) if key in order else len(order), cls.__name__)


# ------------------------------------------------------------------------------ the loop
def _stop_on_sigterm(signum: int, frame: Any) -> None:
    # between keys (populate installs its own handler while it runs, which releases the current key)
    raise SystemExit(0)


def _one_pass(tables: list[type], restrictions: tuple, summary: WorkerSummary, max_calls: int | None,
              processes: int) -> int:
    """Populate each table once; returns the number of keys tried (computed or failed)."""
    tried = 0
    for cls in tables:
        left = None if max_calls is None else max_calls - summary.total
        if left is not None and left <= 0:
            break
        result = cls().populate(*restrictions, reserve_jobs=True, suppress_errors=True, max_calls=left,
                                processes=processes)
        done, failed = result["success_count"], len(result["error_list"])
        summary.computed[cls.__name__] = summary.computed.get(cls.__name__, 0) + done
        summary.failed[cls.__name__] = summary.failed.get(cls.__name__, 0) + failed
        tried += done + failed
    return tried


def run_worker(tables: list[type], *, restrictions: Sequence[Any] = (), max_calls: int | None = None,
               processes: int = 1, watch: float | None = None) -> WorkerSummary:
    """Populate ``tables`` in order, pass after pass, until a pass finds nothing to do.

    With ``watch`` the worker sleeps that many seconds and looks again, until SIGTERM.
    SIGTERM releases the current key and returns (``summary.stopped`` is true).
    """
    summary = WorkerSummary()
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm) if in_main else None
    try:
        while max_calls is None or summary.total < max_calls:
            summary.passes += 1
            if _one_pass(tables, tuple(restrictions), summary, max_calls, processes):
                continue
            if watch is None:
                break
            time.sleep(watch)
    except SystemExit:
        summary.stopped = True
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
    return summary


# ------------------------------------------------------------------------------ command line
def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="MODULE_OR_FILE[:Table]",
                        help="the pipeline: a .py file or an importable module, optionally ':Table' for one table")
    parser.add_argument("--schema", help="only tables of this schema (database) name")
    parser.add_argument("--max-calls", type=int, help="stop after computing this many keys")
    parser.add_argument("--processes", type=int, default=1, help="worker processes on this host (default 1)")
    parser.add_argument("--restrict", help="a JSON object (or list of objects, OR-ed) restricting the keys")
    parser.add_argument("--watch", type=float, metavar="SECONDS",
                        help="keep running: when nothing is pending, sleep this long and look again")


def _restrictions(text: str | None) -> tuple:
    if not text:
        return ()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataJointError(f"--restrict must be JSON, e.g. '{{\"subject_id\": 1}}'; got {text!r} ({error}).") from None
    if not isinstance(value, (dict, list)):
        raise DataJointError(f"--restrict must be a JSON object or a list of objects; got {text!r}.")
    return (value,)


def worker_main(args: argparse.Namespace) -> int:
    """Run the worker command; returns the exit status (0: done or stopped by SIGTERM, 2: usage error)."""
    try:
        source, table = _split_target(args.target)
        module = load_pipeline(source)
        tables = find_tables(module, table, args.schema)
        restrictions = _restrictions(args.restrict)
    except DataJointError as error:
        print(f"dj_jupyter worker: {error}", file=sys.stderr)
        return 2
    print(f"dj_jupyter worker (pid {os.getpid()}): " + ", ".join(t.__name__ for t in tables), flush=True)
    summary = run_worker(tables, restrictions=restrictions, max_calls=args.max_calls, processes=args.processes,
                         watch=args.watch)
    print(summary.line(), flush=True)
    return 0
