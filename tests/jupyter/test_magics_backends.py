"""``%%dj_table`` on every backend: declaring, re-running (the catalog comparison) and populating.

Uses the backend matrix of ``tests/backends/conftest.py`` (fixtures ``backend_name``,
``connection``, ``schema_name``): an unreachable server is skipped locally, fails in CI.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from dj_jupyter.jupyter.magics import DataJointMagics


def _load_matrix():
    path = Path(__file__).parents[1] / "backends" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_dj_backend_matrix", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_matrix = _load_matrix()
backend_name = _matrix.backend_name
connection = _matrix.connection
schema_name = _matrix.schema_name

CELLS = [
    ("Subject", "subject_id : uint16   # animal id\n---\nname : varchar(100)\nweight = null : float64  # grams\n"),
    ("Session", ("-> Subject\nsession_idx : uint8\n---\nsession_date : date\n"
                 "-> [nullable] Subject.proj(cage_mate='subject_id')\n")),
    ("Kind --tier lookup --contents kinds", "# kinds of sessions\nkind : varchar(16)\n---\nnote = '' : varchar(40)\n"),
    ("Trial --part-of Session", "-> master\ntrial_idx : uint16\n---\nvalue : decimal(6,2)\nok : bool\n"),
    ("Count --tier computed --make count_trials", "-> Session\n---\nn : uint32\n"),
]


def _clear(shell) -> None:
    for name in [n for n in shell.user_ns if n not in shell.user_ns_hidden]:
        del shell.user_ns[name]


@pytest.fixture
def shell(connection, schema_name):
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    sh = InteractiveShell.instance(config=config)
    _clear(sh)
    sh.register_magics(DataJointMagics(sh))
    sh.user_ns.update(conn=connection, name=schema_name)
    result = sh.run_cell(
        "import dj_jupyter as dj\n"
        "schema = dj.Schema(name, connection=conn)\n"
        "kinds = [('ephys', 'extracellular'), {'kind': 'imaging', 'note': 'two-photon'}]\n"
        "def count_trials(self, key):\n"
        "    self.insert1({**key, 'n': len(Session.Trial & key)})\n"
    )
    assert result.success
    yield sh
    _clear(sh)


def test_declare_rerun_and_populate(shell, backend_name):
    for line, body in CELLS:
        shell.run_cell_magic("dj_table", line, body)
    first = {name: shell.user_ns[name] for name in ("Subject", "Session", "Kind", "Count")}
    for line, body in CELLS:  # the same cells again: the catalog matches, classes are rebound
        shell.run_cell_magic("dj_table", line, body)
    assert all(shell.user_ns[name] is not cls for name, cls in first.items())
    result = shell.run_cell(
        "Subject.insert1({'subject_id': 1, 'name': 'M001'})\n"
        "Session.insert1({'subject_id': 1, 'session_idx': 1, 'session_date': '2026-01-06'})\n"
        "Session.Trial.insert([{'subject_id': 1, 'session_idx': 1, 'trial_idx': i, 'value': 1.5, 'ok': True}"
        " for i in range(3)])\n"
        "Count.populate()"
    )
    assert result.success, result.error_in_exec
    assert shell.user_ns["Count"].to_dicts() == [{"subject_id": 1, "session_idx": 1, "n": 3}]
    assert len(shell.user_ns["Kind"]()) == 2


CHANGED_SUBJECT = [
    ("subject_id : uint16   # animal id\n---\nname : varchar(100)\nweight : float64  # grams\n",
     "`weight`: nullable in the table, not nullable in the cell"),
    ("subject_id : uint32   # animal id\n---\nname : varchar(100)\nweight = null : float64  # grams\n",
     "`subject_id`: type uint16 in the table, uint32 in the cell"),
    ("# animals\nsubject_id : uint16   # animal id\n---\nname : varchar(100)\nweight = null : float64  # grams\n",
     "table comment: the table has '', the cell has 'animals'"),
    ("subject_id : uint16   # animal id\nname : varchar(100)\n---\nweight = null : float64  # grams\n",
     "primary key: the table has (subject_id), the cell has (subject_id, name)"),
    ("subject_id : uint16   # the animal\n---\nname : varchar(100)\nweight = null : float64  # grams\n",
     "`subject_id`: comment 'animal id' in the table, 'the animal' in the cell"),
]


def test_changed_definition_is_refused(shell, backend_name):
    line, original = CELLS[0]
    shell.run_cell_magic("dj_table", line, original)
    declared = shell.user_ns["Subject"]
    for body, expected in CHANGED_SUBJECT:
        with pytest.raises(UsageError) as info:
            shell.run_cell_magic("dj_table", line, body)
        assert expected in str(info.value)
        assert shell.user_ns["Subject"] is declared


def test_changed_foreign_key_is_refused(shell, backend_name):
    for line, body in CELLS[:2]:
        shell.run_cell_magic("dj_table", line, body)
    with pytest.raises(UsageError, match=r"foreign keys: the table references \(subject, subject\), the cell references \(subject\)"):
        shell.run_cell_magic("dj_table", "Session", "-> Subject\nsession_idx : uint8\n---\nsession_date : date\n"
                                                     "cage_mate = null : uint16\n")
