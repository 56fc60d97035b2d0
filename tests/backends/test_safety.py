"""Values never reach SQL text unescaped, and passwords never reach any output, on every backend."""

from __future__ import annotations

import logging

import pytest

import dj_jupyter as dj
from dj_jupyter.connection import Connection
from dj_jupyter.errors import DataJointError
from tests.backends.conftest import SERVERS, require_backend

NASTY = [
    "O'Brien",
    "''",
    "'; DROP TABLE x;--",
    ";DROP TABLE x;--",
    'say "hi"',
    "back\\slash",
    "\\'",
    "trailing\\",
    "100%",
    "%",
    "%s",
    "%(name)s",
    "?",
    "$1",
    "a_b",
    "x' OR '1'='1",
    "`tick`",
    "Grüße, 東京, 🧪",
    "{}",
    "\t\n\r",
]

BINARY = [bytes(range(1, 256)), b"'\\%s?\"", b"\xff\xfe"]


@pytest.fixture
def store(connection, schema_name):
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Store(dj.Manual):
        definition = """
        word : varchar(64)
        ---
        blob = null : bytes
        other = '' : varchar(64)
        """

    return Store


def test_nasty_strings_round_trip_and_are_found_exactly(store):
    store.insert([dict(word=s, other=s) for s in NASTY])
    assert len(store()) == len(NASTY)
    for s in NASTY:
        found = store & dict(word=s)
        assert found.fetch1("word", "other") == (s, s), s
        assert len(store & dict(other=s)) == 1, s
        assert len(store - dict(word=s)) == len(NASTY) - 1, s


def test_nasty_strings_in_list_restrictions(store):
    store.insert([dict(word=s) for s in NASTY])
    chosen = NASTY[:6]
    assert sorted(store & [dict(word=s) for s in chosen], key=lambda r: r["word"]) == sorted(
        (dict(word=s, blob=None, other="") for s in chosen), key=lambda r: r["word"])


def test_percent_key_deleted_exactly(store):
    """Departure 8: a dict restriction with % (or \\) deletes exactly that row."""
    store.insert([dict(word=s) for s in NASTY])
    for s in ("%", "100%", "%s", "back\\slash", "\\'"):
        assert (store & dict(word=s)).delete(prompt=False) == 1
        assert not (store & dict(word=s))
    assert len(store()) == len(NASTY) - 5
    (store & dict(word="%")).delete_quick()
    assert len(store()) == len(NASTY) - 5


def test_nasty_update1(store):
    store.insert1(dict(word="k"))
    for s in NASTY:
        store.update1(dict(word="k", other=s))
        assert (store & dict(word="k")).fetch1("other") == s


def test_binary_values_round_trip(store):
    store.insert([dict(word=f"b{i}", blob=b) for i, b in enumerate(BINARY)])
    for i, b in enumerate(BINARY):
        assert (store & dict(word=f"b{i}")).fetch1("blob") == b
        assert (store & dict(blob=b)).fetch1("word") == f"b{i}"


def test_nasty_string_restrictions_with_sql_text(store):
    store.insert([dict(word=s) for s in NASTY])
    # a user-written SQL string is the user's SQL: a quote inside a literal is doubled, as SQL requires
    assert (store & "word = 'O''Brien'").fetch1("word") == "O'Brien"
    assert len(store & "word LIKE '100%'") == 1
    assert len(store & "word = '%s'") == 1
    assert len(store & "word = '?'") == 1


# ------------------------------------------------------------------------------ passwords
SECRET = "S3cret-pa55w0rd-z9q"


@pytest.mark.parametrize("backend", ["mysql", "postgresql"])
def test_wrong_password_never_shown(backend, caplog):
    require_backend(backend)
    server = dict(SERVERS[backend])
    user = "root" if backend == "mysql" else "djtest_nouser"
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DataJointError) as info:
        Connection(backend=backend, host=server["host"], user=user, password=SECRET)
    error = info.value
    for text in (str(error), repr(error), *map(str, error.args)):
        assert SECRET not in text
    cause = error.__cause__ or error.__context__
    while cause is not None:  # chained driver errors must not carry it either
        assert SECRET not in str(cause) and SECRET not in repr(cause)
        cause = cause.__cause__ or cause.__context__
    assert SECRET not in caplog.text
    for record in caplog.records:
        assert SECRET not in record.getMessage()


def test_config_never_shows_password(caplog):
    caplog.set_level(logging.DEBUG)
    with dj.config.override(**{"database.password": SECRET}):
        assert dj.config["database.password"] == SECRET  # it is stored...
        for text in (repr(dj.config), str(dj.config)):
            assert SECRET not in text  # ...but never displayed
        html = getattr(dj.config, "_repr_html_", None)
        if html is not None:
            assert SECRET not in html()
    assert SECRET not in caplog.text


def test_connected_repr_never_shows_password(caplog):
    """PostgreSQL's trust authentication ignores the password, so a connection with one succeeds."""
    require_backend("postgresql")
    caplog.set_level(logging.DEBUG)
    c = Connection(backend="postgresql", host=SERVERS["postgresql"]["host"], user="postgres", password=SECRET)
    try:
        c.query("SELECT 1")
        for text in (repr(c), str(c), repr(getattr(c, "_params", ""))):
            assert SECRET not in text
    finally:
        c.close_all()
    assert SECRET not in caplog.text
