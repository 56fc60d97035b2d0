"""The kernel side of the JupyterLab extension: checking cell bodies, the sidebar summary, the request protocol.

``check_definition`` runs without a database.  ``pipeline_summary`` runs on every backend
(the matrix of ``tests/backends/conftest.py``).  The last tests send the exact user
expression the extension sends (``labextension/src/kernel.ts``) to a real ipykernel.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import dj_jupyter as dj
from dj_jupyter.definition.parser import definition_problems, parse_definition
from dj_jupyter.errors import DefinitionError
from dj_jupyter.jupyter.labext_bridge import check_definition, check_magic_line, reply
from dj_jupyter.jupyter.labext_summary import iter_tables, pipeline_summary


def _load_matrix():
    path = Path(__file__).parents[1] / "backends" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_dj_backend_matrix_labext", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_matrix = _load_matrix()
backend_name = _matrix.backend_name
connection = _matrix.connection
schema_name = _matrix.schema_name


# ---------------------------------------------------------------------------------------- check_definition
def test_a_valid_definition_has_no_problems():
    text = "# subjects\nsubject_id : uint16  # id\n---\nname = '' : varchar(100)\nunique index (name)\n"
    assert check_definition(text, {}) == []


@pytest.mark.parametrize("text", [
    "subject_id : int33",
    "\n# a comment\n\nsubject_id : uint16\n---\nweight : flaot64  # grams",
    "subject_id : uint16\n---\n_hidden : int32",
    "subject_id : uint16\n---\nsubject_id : int32",
    "subject_id : uint16\nname = 'unterminated : varchar(10)",
])
def test_parse_errors_come_from_the_library_parser_with_its_line_and_column(text):
    with pytest.raises(DefinitionError) as raised:
        parse_definition(text)
    (problem,) = check_definition(text, {})
    assert (problem["line"], problem["column"]) == (raised.value.line, raised.value.column)
    assert problem["message"] == raised.value.message
    assert problem["severity"] == "error"
    assert problem["end_column"] > problem["column"]


def test_every_bad_line_is_a_problem_and_the_good_lines_are_still_checked():
    text = "\n".join([
        "-> Subject",               # 1: parsed, and checked against the namespace
        "Session_id : int32",       # 2: not lower case
        "---",
        "weight : flaot64",         # 4: unknown type
        "trace : <blobb>",          # 5: parsed; the codec is unknown
        "-> [nulable] Person",      # 6: bad option
        "session_id : int16",       # 7: fine
        "index(weight",             # 8: unclosed
    ])
    problems = check_definition(text, {})
    assert [(p["line"], p["column"]) for p in problems] == [(1, 4), (2, 1), (4, 10), (5, 9), (6, 5), (8, 13)]
    says = ["`Subject` is not defined", "Did you mean 'session_id'?", "Did you mean 'float64'?", "Unknown codec <blobb>",
            "Did you mean 'nullable'?", "expected ')' to close the index"]
    assert all(phrase in p["message"] for phrase, p in zip(says, problems, strict=True))
    assert {p["severity"] for p in problems} == {"error"}
    # the same problems the parser lists, at the same places
    assert [(e.line, e.column, e.message) for e in definition_problems(text)] == [
        (p["line"], p["column"], p["message"]) for p in problems if p["line"] in (2, 4, 6, 8)]


def test_the_reply_carries_the_magic_line_and_every_body_problem():
    answer = reply(json.dumps({"op": "check", "magic": "%%dj_table Session --tier bogus",
                               "text": "a : int33\n---\nB : int32"})).value
    assert [(p["line"], p["column"]) for p in answer["problems"]] == [(0, 20), (1, 5), (3, 1)]


def test_an_unknown_type_spans_the_type_and_suggests_a_fix():
    (problem,) = check_definition("subject_id : uint16\n---\nweight : flaot64  # grams")
    line = "weight : flaot64  # grams"
    assert line[problem["column"] - 1:problem["end_column"] - 1] == "flaot64"
    assert problem["line"] == 3
    assert "float64" in problem["message"]


def test_an_unknown_codec_is_reported_at_the_type():
    (problem,) = check_definition("k : int32\n---\nsignal : <blobb>")
    assert (problem["line"], problem["column"]) == (3, 10)
    assert "<blobb>" in problem["message"] and "<blob>" in problem["message"]


def test_a_store_that_is_not_configured_is_a_warning(tmp_path):
    text = "k : int32\n---\nsignal : <blob@rawdata>"
    with dj.config.override(stores={"rawdata": {"protocol": "file", "location": str(tmp_path)}}):
        assert check_definition(text) == []
    with dj.config.override(stores={}):
        (problem,) = check_definition(text)
    assert problem["severity"] == "warning" and "'rawdata'" in problem["message"]
    assert (problem["line"], problem["column"]) == (3, 10)


def test_references_are_checked_against_the_namespace_only_when_given():
    text = "-> Subject\nsession_idx : uint8\n---\n-> [nullable] lab.Person\n-> np"
    assert check_definition(text) == []  # no namespace: nothing to look up
    problems = check_definition(text, {"np": json})
    assert [(p["line"], p["column"]) for p in problems] == [(1, 4), (4, 15), (5, 4)]
    assert "`Subject` is not defined in the notebook" in problems[0]["message"]
    assert "does not name a table (got module)" in problems[2]["message"]


def test_a_table_class_not_yet_declared_is_reported():
    class Subject(dj.Manual):
        definition = "subject_id : int32"

    (problem,) = check_definition("-> Subject\nk : int32", {"Subject": Subject})
    assert "not declared in a schema yet" in problem["message"]


# ---------------------------------------------------------------------------------------- check_magic_line
@pytest.mark.parametrize("line, word, says", [
    ("%%dj_table Session --tier bogus", "--tier", "--tier 'bogus' is not a table tier"),
    ("%%dj_table session", "session", "must be a CamelCase Python name"),
    ("%%dj_table Session --bogus 1", "--bogus", "unrecognized arguments: --bogus 1"),
    ("%%dj_table", "%%dj_table", "required: class_name"),
    ("%%dj_table Kind --tier lookup --make fill", "--make", "--make is for computed and imported tables"),
    ("%%dj_table Trial --tier part", "--tier", "--tier part needs its master"),
])
def test_the_magic_line_is_checked_by_the_magic_parser_and_options(line, word, says):
    (problem,) = check_magic_line(line)
    assert problem["line"] == 0
    assert line[problem["column"] - 1:problem["end_column"] - 1] == word
    assert says in problem["message"]


@pytest.mark.parametrize("line", [
    "%%dj_table Session", "%%dj_table Session --tier computed --make f -s lab", "%%dj_table Trial --part-of Session",
    "  %%dj_table Kind -t lookup -c rows",
])
def test_valid_magic_lines_have_no_problems(line):
    assert check_magic_line(line) == []


# ---------------------------------------------------------------------------------------- reply
def test_reply_answers_json_requests_and_reports_bad_ones():
    answer = reply(json.dumps({"op": "check", "text": "a : int33"}), {})
    assert answer._repr_json_()["problems"][0]["line"] == 1
    assert json.loads(repr(answer)) == answer.value  # text/plain is JSON too
    both = reply(json.dumps({"op": "check", "magic": "%%dj_table s", "text": "a : int33"}), {}).value["problems"]
    assert [p["line"] for p in both] == [0, 1]
    assert "unknown request" in reply('{"op": "nope"}').value["error"]
    assert "JSONDecodeError" in reply("{not json").value["error"]
    assert reply('{"op": "summary"}', {}).value == {"running": False, "schemas": []}


# ---------------------------------------------------------------------------------------- pipeline_summary
def _pipeline(connection, schema_name, fail_on=None):
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Subject(dj.Manual):
        definition = "subject_id : int32\n---\nname : varchar(20)"

    @schema
    class Kind(dj.Lookup):
        definition = "kind : varchar(8)"
        contents = [("a",), ("b",)]

    @schema
    class Analysis(dj.Computed):
        definition = "-> Subject\n---\nvalue : float64"

        class Item(dj.Part):
            definition = "-> master\nitem : int32"

        def make(self, key):
            if key["subject_id"] == fail_on:
                raise ValueError("bad subject")
            self.insert1({**key, "value": 1.0})
            self.Item.insert1({**key, "item": 0})

    Subject.insert([{"subject_id": i, "name": f"s{i}"} for i in range(4)])
    return schema, Subject, Kind, Analysis


def test_summary_lists_tables_with_tier_rows_and_populate_progress(connection, schema_name):
    schema, Subject, Kind, Analysis = _pipeline(connection, schema_name, fail_on=3)
    Analysis.populate(Subject & "subject_id < 2")
    Analysis.populate(reserve_jobs=True, suppress_errors=True)  # subject 2 done, subject 3 fails
    namespace = {"schema": schema, "Subject": Subject, "Kind": Kind, "Analysis": Analysis, "dj": dj}
    summary = pipeline_summary(namespace)
    (entry,) = [s for s in summary["schemas"] if s["name"] == schema_name]
    assert entry["diagram_code"] == "dj.Diagram(schema)"
    tables = {t["name"]: t for t in entry["tables"]}
    assert set(tables) == {"subject", "#kind", "__analysis", "__analysis__item"}
    assert [t["name"] for t in entry["tables"]][:2] == ["__analysis", "__analysis__item"]  # part after master
    assert {n: (t["tier"], t["rows"]) for n, t in tables.items()} == {
        "subject": ("Manual", 4), "#kind": ("Lookup", 2), "__analysis": ("Computed", 3), "__analysis__item": ("Part", 3)}
    status = tables["__analysis"]["populate"]
    assert (status["done"], status["total"], status["pending"], status["errors"]) == (3, 4, 1, 1)
    assert status["state"] == "error"
    assert len(status["messages"]) == 1 and "bad subject" in status["messages"][0]
    assert tables["subject"]["populate"] is None
    assert tables["__analysis__item"]["class_name"] == "Analysis.Item"
    assert tables["__analysis__item"]["preview_code"] == "Analysis.Item()"
    assert summary["running"] is False


def test_summary_finds_schemas_through_classes_and_writes_runnable_code(connection, schema_name):
    schema, Subject, _, _ = _pipeline(connection, schema_name)
    summary = pipeline_summary({"Subject": Subject})  # no schema variable, no `dj`
    (entry,) = summary["schemas"]
    assert entry["diagram_code"] == f"import dj_jupyter as dj\ndj.Diagram(dj.Schema({schema_name!r}))"
    kind = next(t for t in iter_tables(summary) if t["name"] == "#kind")
    assert kind["preview_code"] == f"import dj_jupyter as dj\ndj.FreeTable(dj.conn(), '{schema_name}.#kind')"
    scope = {}
    exec(kind["preview_code"].replace("dj.conn()", "conn"), {"conn": connection}, scope)
    assert len(scope["dj"].FreeTable(connection, f"{schema_name}.#kind")) == 2


# ---------------------------------------------------------------------------------------- a real kernel
def _expression(request: dict) -> str:
    """The user expression labextension/src/kernel.ts (bridgeExpression) sends."""
    literal = json.dumps(json.dumps(request))
    return ("(__import__('dj_jupyter.jupyter.labext_bridge', fromlist=['reply'])"
            f".reply({literal}, globals()) if 'dj_jupyter' in __import__('sys').modules else None)")


def test_the_extension_request_through_a_real_kernel(tmp_path):
    pytest.importorskip("ipykernel")
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
    try:
        def ask(request: dict) -> dict:
            msg_id = client.execute("", silent=True, store_history=False,
                                    user_expressions={"dj": _expression(request)})
            while True:  # skip replies to earlier requests
                reply_msg = client.get_shell_msg(timeout=30)
                if reply_msg["parent_header"]["msg_id"] == msg_id:
                    return reply_msg["content"]["user_expressions"]["dj"]

        quiet = ask({"op": "summary"})
        assert quiet["status"] == "ok" and quiet["data"]["text/plain"] == "None"
        assert ask({"op": "summary"})["data"]["text/plain"] == "None"  # asking did not import it

        client.execute_interactive(
            f"import dj_jupyter as dj\ndj.config['database.name'] = {str(tmp_path / 'k.db')!r}\n"
            "schema = dj.Schema('labext_kernel')\n"
            "@schema\nclass Subject(dj.Manual):\n    definition = 'subject_id : int32'\n"
            "Subject.insert1({'subject_id': 1})", timeout=60)
        summary = ask({"op": "summary"})["data"]["application/json"]
        assert [(t["name"], t["rows"]) for t in iter_tables(summary)] == [("subject", 1)]
        body = "-> Subject\nsession : int32\n---\ntrace : <blobb>\n\u00e9 : uint8"
        problems = ask({"op": "check", "magic": "%%dj_table Session", "text": body})["data"]["application/json"]
        expected = check_definition(body)  # no namespace: references unchecked, as Subject is in the kernel
        assert [(p["line"], p["column"]) for p in expected] == [(4, 9), (5, 1)]  # the codec and the name, both
        assert problems["problems"] == expected
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
