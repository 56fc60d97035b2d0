"""Command line: ``python -m dj_jupyter worker MODULE_OR_FILE[:Table] [options]`` (also ``dj-jupyter worker``).

Examples
--------
Work through every auto-populated table of a pipeline file, then exit::

    python -m dj_jupyter worker pipeline.py

Two processes on this host, one table, keys of subject 1 only, and keep watching::

    python -m dj_jupyter worker my_lab.pipeline:Spikes --processes 2 --restrict '{"subject_id": 1}' --watch 30
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from .populate.worker import add_worker_arguments, worker_main

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dj_jupyter", description="dj_jupyter command line tools.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    worker = commands.add_parser(
        "worker", help="populate a pipeline's auto-populated tables with reserved jobs (stops cleanly on SIGTERM)",
        description="Populate the Imported/Computed tables of a pipeline module in dependency order, reserving "
                    "each key through the jobs tables so that many workers on many hosts share the work.",
    )
    add_worker_arguments(worker)
    worker.add_argument("-v", "--verbose", action="store_true", help="log every key made")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m dj_jupyter`` and the ``dj-jupyter`` script; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "worker":
        if args.verbose:
            logging.getLogger("dj_jupyter").setLevel(15)  # DataJoint's JOBS level: "Making ... -> table"
        return worker_main(args)
    return 2  # pragma: no cover - argparse refuses unknown commands


if __name__ == "__main__":
    sys.exit(main())
