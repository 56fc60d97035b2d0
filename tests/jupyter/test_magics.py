"""``%%dj_table`` and ``%dj_schema`` through a real IPython ``InteractiveShell`` on a fresh SQLite file per test."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

import dj_jupyter as dj
import dj_jupyter.connection as connection_module
from dj_jupyter.jupyter.magics import DataJointMagics

SUBJECT = "subject_id : uint16\n---\nname : varchar(100)\n"
SESSION = "-> Subject\nsession_idx : uint8\n---\nsession_date : date\n"


@pytest.fixture
def sqlite_conn(tmp_path, monkeypatch):
    """dj.conn() on a SQLite file of this test; the previous global connection comes back afterwards."""
    monkeypatch.setattr(connection_module, "_GLOBAL", None)
    with dj.config.override(database__backend="sqlite", database__name=str(tmp_path / "magics.db")):
        c = dj.conn(reset=True)
        yield c
        c.close_all()


@pytest.fixture(scope="module")
def ipython():
    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # keep the user's IPython history untouched
    return InteractiveShell.instance(config=config)


def clear_namespace(shell) -> None:
    """Remove the user's variables (faster than shell.reset(), which also collects garbage)."""
    for name in [n for n in shell.user_ns if n not in shell.user_ns_hidden]:
        del shell.user_ns[name]


@pytest.fixture
def shell(ipython, sqlite_conn):
    """The shell with an empty namespace, `dj` imported, and fresh magics (fresh schema cache)."""
    clear_namespace(ipython)
    ipython.register_magics(DataJointMagics(ipython))
    ipython.run_cell("import dj_jupyter as dj")
    yield ipython
    clear_namespace(ipython)


def run(shell, source: str):
    result = shell.run_cell(source)
    if result.error_in_exec is not None or result.error_before_exec is not None:
        raise AssertionError(f"cell failed: {result.error_in_exec or result.error_before_exec!r}\n{source}")
    return result


def cell(shell, line: str, body: str):
    """Run a %%dj_table cell; UsageError propagates to the test."""
    return shell.run_cell_magic("dj_table", line, body)


def with_schema(shell, name: str = "djtest_magics"):
    run(shell, f"schema = dj.Schema({name!r})")
    cell(shell, "Subject", SUBJECT)


# ---------------------------------------------------------------------------- loading and declaring

def test_load_ext_registers_both_magics(ipython, sqlite_conn):
    clear_namespace(ipython)
    run(ipython, "%load_ext dj_jupyter")
    assert "dj_table" in ipython.magics_manager.magics["cell"]
    assert "dj_schema" in ipython.magics_manager.magics["line"]


def test_manual_table_is_declared_and_bound(shell):
    with_schema(shell)
    cell(shell, "Session --tier manual", SESSION)
    ns = shell.user_ns
    session = ns["Session"]
    assert issubclass(session, dj.Manual)
    assert session.__module__ == "__main__" and session.__name__ == "Session"
    assert session.full_table_name == dj.conn().dialect.full_name("djtest_magics", "session")
    assert session.primary_key == ["subject_id", "session_idx"]  # -> Subject resolved from the namespace
    run(shell, "Subject.insert1({'subject_id': 1, 'name': 'M001'})\n"
               "Session.insert1({'subject_id': 1, 'session_idx': 1, 'session_date': '2026-01-06'})")
    assert session.to_dicts() == [{"subject_id": 1, "session_idx": 1, "session_date": __import__("datetime").date(2026, 1, 6)}]


def test_schema_given_by_name_is_created_once_and_reused(shell, capsys):
    cell(shell, "Subject --schema djtest_named", SUBJECT)
    assert "Created schema `djtest_named`." in capsys.readouterr().out
    cell(shell, "Session --schema djtest_named", SESSION)
    assert "Created schema" not in capsys.readouterr().out
    assert shell.user_ns["Session"].database == "djtest_named"
    assert "schema" not in shell.user_ns  # a schema named by string is not bound


def test_schema_given_by_variable(shell):
    run(shell, "lab = dj.Schema('djtest_lab')")
    cell(shell, "Subject --schema lab", SUBJECT)
    assert shell.user_ns["Subject"].database == "djtest_lab"


def test_dj_schema_line_magic_binds_a_variable(shell, capsys):
    shell.run_line_magic("dj_schema", "djtest_line")
    assert isinstance(shell.user_ns["schema"], dj.Schema)
    assert shell.user_ns["schema"].database == "djtest_line"
    assert "schema = dj.Schema('djtest_line')  (new schema)" in capsys.readouterr().out
    shell.run_line_magic("dj_schema", "djtest_other --as other")
    assert shell.user_ns["other"].database == "djtest_other"
    cell(shell, "Subject", SUBJECT)  # the default `schema` variable is used
    assert shell.user_ns["Subject"].database == "djtest_line"


def test_lookup_contents_are_inserted(shell):
    with_schema(shell)
    run(shell, "kinds = [('ephys', 'electrophysiology'), {'kind': 'imaging', 'description': 'two-photon'}]")
    cell(shell, "Kind --tier lookup --contents kinds", "kind : varchar(16)\n---\ndescription : varchar(60)\n")
    kind = shell.user_ns["Kind"]
    assert issubclass(kind, dj.Lookup)
    assert sorted(r["kind"] for r in kind.to_dicts()) == ["ephys", "imaging"]
    assert kind.contents == shell.user_ns["kinds"]


def test_computed_with_make_populates(shell):
    with_schema(shell)
    cell(shell, "Session", SESSION)
    run(shell, "def count_sessions(self, key):\n"
               "    self.insert1({**key, 'n_sessions': len(Session & key)})")
    cell(shell, "SessionCount --tier computed --make count_sessions", "-> Subject\n---\nn_sessions : uint16\n")
    run(shell, "Subject.insert1({'subject_id': 1, 'name': 'M001'})\n"
               "Session.insert([{'subject_id': 1, 'session_idx': i, 'session_date': '2026-01-06'} for i in (1, 2)])\n"
               "result = SessionCount.populate()")
    assert shell.user_ns["result"]["success_count"] == 1
    assert shell.user_ns["SessionCount"].to_dicts() == [{"subject_id": 1, "n_sessions": 2}]
    assert issubclass(shell.user_ns["SessionCount"], dj.Computed)


def test_computed_without_make_gets_it_by_assignment(shell, capsys):
    with_schema(shell)
    cell(shell, "Doubled --tier computed", "-> Subject\n---\ntwice : uint32\n")
    assert "Doubled has no make yet" in capsys.readouterr().out
    run(shell, "Subject.insert1({'subject_id': 21, 'name': 'M021'})")
    with pytest.raises(NotImplementedError):
        shell.user_ns["Doubled"].populate()
    run(shell, "def make(self, key):\n    self.insert1({**key, 'twice': 2 * key['subject_id']})\n"
               "Doubled.make = make\nDoubled.populate()")
    assert shell.user_ns["Doubled"].to_dicts() == [{"subject_id": 21, "twice": 42}]


def test_part_table_is_reachable_from_its_master_only(shell, capsys):
    with_schema(shell)
    cell(shell, "Session", SESSION)
    cell(shell, "Trial --part-of Session", "-> master\ntrial_idx : uint16\n---\noutcome : varchar(10)\n")
    out = capsys.readouterr().out
    session = shell.user_ns["Session"]
    assert "Trial" not in shell.user_ns
    assert issubclass(session.Trial, dj.Part) and session.Trial.__qualname__ == "Session.Trial"
    assert "Trial is reachable as Session.Trial" in out and "session__trial" in out
    run(shell, "Subject.insert1({'subject_id': 1, 'name': 'M001'})\n"
               "Session.insert1({'subject_id': 1, 'session_idx': 1, 'session_date': '2026-01-06'})\n"
               "Session.Trial.insert1({'subject_id': 1, 'session_idx': 1, 'trial_idx': 3, 'outcome': 'hit'})")
    assert session.Trial.to_dicts()[0]["outcome"] == "hit"
    assert session.Trial.table_name == "session__trial"


# ---------------------------------------------------------------------------- re-running cells

def test_rerun_with_same_definition_rebinds(shell, capsys):
    with_schema(shell)
    run(shell, "Subject.insert1({'subject_id': 5, 'name': 'M005'})")
    first = shell.user_ns["Subject"]
    cell(shell, "Subject", SUBJECT)
    assert "already exists with this definition" in capsys.readouterr().out
    assert shell.user_ns["Subject"] is not first
    assert len(shell.user_ns["Subject"]()) == 1  # the rows stay


def test_rerun_with_changed_definition_is_refused(shell):
    with_schema(shell)
    first = shell.user_ns["Subject"]
    changed = "subject_id : uint16\n---\nname : varchar(100)  # full name\nsex : enum('F', 'M')\n"
    with pytest.raises(UsageError) as info:
        cell(shell, "Subject", changed)
    message = str(info.value)
    assert "Subject already exists as `djtest_magics`.`subject` with a different definition" in message
    assert "the cell has (subject_id, name, sex)" in message
    assert "`name`: comment '' in the table, 'full name' in the cell" in message
    assert "Subject.drop()" in message
    assert shell.user_ns["Subject"] is first


def test_rerun_with_changed_type_is_refused(shell):
    with_schema(shell)
    with pytest.raises(UsageError, match=r"`name`: type varchar\(100\) in the table, varchar\(20\) in the cell"):
        cell(shell, "Subject", "subject_id : uint16\n---\nname : varchar(20)\n")


def test_rerun_with_changed_tier_is_refused(shell):
    with_schema(shell)
    with pytest.raises(UsageError, match=r"already exists in `djtest_magics` as a manual table \(`subject`\)"):
        cell(shell, "Subject --tier lookup", SUBJECT)


# ---------------------------------------------------------------------------- user mistakes

def test_bad_type_reports_definition_and_cell_lines(shell):
    run(shell, "schema = dj.Schema('djtest_magics')")
    with pytest.raises(UsageError) as info:
        cell(shell, "Subject", "subject_id : uint16\n---\nweight : floot\n")
    message = str(info.value)
    assert "line 3, column 10" in message and "unknown type 'floot'" in message
    assert "line 3 of the definition is line 4 of the cell" in message
    assert "Subject" not in shell.user_ns


def test_every_bad_line_of_a_cell_is_reported_at_once(shell, capsys):
    run(shell, "schema = dj.Schema('djtest_magics')")
    body = "subject_id : uint16\nName : varchar(20)\n---\nweight : floot\nsex : enum('F', 'M'\n"
    with pytest.raises(UsageError) as info:
        cell(shell, "Subject", body)
    message = str(info.value)
    assert message.startswith("Subject: line 2, column 1: attribute name 'Name' is not lower case")
    assert "2 more problems in this definition:" in message
    assert "\n    line 4, column 10: unknown type 'floot'" in message
    assert "\n    line 5, column 20: malformed enum: expected ',' or ')'" in message
    assert "definition lines 2, 4, 5 are cell lines 3, 5, 6: the magic line is line 1" in message
    assert "Subject" not in shell.user_ns
    # and as a user sees it: one UsageError naming all three lines, no traceback
    result = shell.run_cell("%%dj_table Subject\n" + body)
    err = capsys.readouterr().err
    assert isinstance(result.error_in_exec, UsageError) and "Traceback" not in err
    assert all(f"line {n}, column" in err for n in (2, 4, 5))


def test_unknown_parent(shell):
    with_schema(shell)
    with pytest.raises(UsageError, match=r"-> Animal: `Animal` is not defined"):
        cell(shell, "Session", "-> Animal\nsession_idx : uint8\n")


def test_missing_schema_explains_the_options(shell):
    with pytest.raises(UsageError) as info:
        cell(shell, "Subject", SUBJECT)
    message = str(info.value)
    assert "does not know which schema to use" in message
    assert "%dj_schema" in message and "--schema" in message


def test_schema_variable_of_wrong_type(shell):
    run(shell, "schema = 'djtest_magics'")
    with pytest.raises(UsageError, match=r"`schema` is a str, not a dj.Schema"):
        cell(shell, "Subject", SUBJECT)


@pytest.mark.parametrize("line, body, expected", [
    ("Subject --tier sample", SUBJECT, r"--tier 'sample' is not a table tier"),
    ("Subject", "  \n\n", r"the cell body is empty"),
    ("subject", SUBJECT, r"must be a CamelCase Python name"),
    ("Session_Two", SUBJECT, r"must be a CamelCase Python name"),
    ("Subject --tier part", SUBJECT, r"--tier part needs its master"),
    ("Subject --tier manual --part-of Session", SUBJECT, r"--part-of is for part tables"),
    ("Subject --contents rows", SUBJECT, r"--contents is for lookup tables"),
    ("Subject --make f", SUBJECT, r"--make is for computed and imported tables"),
    ("Subject --unknown x", SUBJECT, r"unrecognized arguments"),
])
def test_bad_options(shell, line, body, expected):
    run(shell, "schema = dj.Schema('djtest_magics')")
    with pytest.raises(UsageError, match=expected):
        cell(shell, line, body)


@pytest.mark.parametrize("setup, line, expected", [
    ("", "Kind --tier lookup --contents kinds", r"--contents kinds: there is no variable `kinds`"),
    ("kinds = 'ephys'", "Kind --tier lookup --contents kinds", r"expected a list of rows .* got a str"),
    ("kinds = ['ephys']", "Kind --tier lookup --contents kinds", r"each row must be a dict or a tuple; got 'ephys'"),
])
def test_bad_contents(shell, setup, line, expected):
    run(shell, "schema = dj.Schema('djtest_magics')\n" + setup)
    with pytest.raises(UsageError, match=expected):
        cell(shell, line, "kind : varchar(16)\n")
    assert "Kind" not in shell.user_ns


@pytest.mark.parametrize("setup, expected", [
    ("", r"--make f: there is no variable `f`"),
    ("f = 3", r"--make f: expected a function .* got a int"),
    ("def f(key): pass", r"--make f: the function must take two arguments, \(self, key\)"),
])
def test_bad_make(shell, setup, expected):
    with_schema(shell)
    run(shell, setup or "pass")
    with pytest.raises(UsageError, match=expected):
        cell(shell, "Stats --tier computed --make f", "-> Subject\n---\nn : uint8\n")


def test_part_of_something_that_is_not_a_table(shell):
    with_schema(shell)
    run(shell, "Session = 42")
    with pytest.raises(UsageError, match=r"--part-of Session: `Session` is not a declared table class \(got a int\)"):
        cell(shell, "Trial --part-of Session", "-> master\ntrial : uint8\n")


def test_bad_lookup_rows_keep_the_declared_table(shell):
    with_schema(shell)
    run(shell, "kinds = [('ephys', 'x' * 200)]")
    with pytest.raises(UsageError, match=r"Kind is declared, but inserting --contents kinds failed"):
        cell(shell, "Kind --tier lookup --contents kinds", "kind : varchar(16)\n---\nnote : varchar(20)\n")
    run(shell, "kinds = [('ephys', 'short')]")
    cell(shell, "Kind --tier lookup --contents kinds", "kind : varchar(16)\n---\nnote : varchar(20)\n")
    assert shell.user_ns["Kind"].to_dicts() == [{"kind": "ephys", "note": "short"}]


def test_usage_error_in_a_cell_prints_no_traceback(shell, capsys):
    run(shell, "schema = dj.Schema('djtest_magics')")
    result = shell.run_cell("%%dj_table Subject\nsubject_id : uint16\n---\nweight : floot\n")
    captured = capsys.readouterr()
    assert isinstance(result.error_in_exec, UsageError)
    assert "UsageError:" in captured.err and "unknown type 'floot'" in captured.err
    assert "Traceback" not in captured.out + captured.err
