"""What each library writes into the database and the store for the same values is the same.

The metadata JSON of ``<hash@>``, ``<object@>`` (file and folder) and ``<npy@>`` columns, and the files in the
store (paths, folder manifests), compared with only the volatile parts masked: the schema name, the random
token of schema-addressed paths and timestamps.  Also pinned: the reference's own failures on MariaDB that
the spec lists as departures (we write these values; DataJoint reads them, see test_interop_to_datajoint).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import dj_jupyter as dj

DEFINITION = """
k : int32
---
h : <hash@shared>
folder : <object@shared>
file : <object@shared>
arr : <npy@shared>
b = null : <blob@shared>
at = null : <attach@shared>
"""


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    src = tmp_path_factory.mktemp("interop-src")
    (src / "notes.txt").write_text("hello")
    (src / "run").mkdir()
    (src / "run" / "a.txt").write_text("a")
    (src / "run" / "sub").mkdir()
    (src / "run" / "sub" / "b.bin").write_bytes(b"bb")
    return src


@pytest.fixture(scope="module")
def written(djref, ref_conn, conn, stores, new_schema, sources):
    """``{library: (schema, table class)}``, one row written by each library with the same values."""
    out = {}
    for lib, connection in ((djref, ref_conn), (dj, conn)):
        name = new_schema()
        table = lib.Schema(name, connection=connection)(type("Thing", (lib.Manual,), {"definition": DEFINITION}))
        table.insert1(dict(k=1, h=b"content", folder=str(sources / "run"), file=str(sources / "notes.txt"),
                           arr=np.arange(6.0).reshape(2, 3)))
        out[lib.__name__] = (name, table)
    return out


def masked(text: str, schema: str) -> dict:
    meta = json.loads(text)
    meta.pop("timestamp", None)
    return json.loads(re.sub(r"_[A-Za-z0-9_-]{8}(?=[\".])", "_TOKEN", json.dumps(meta).replace(schema, "S")))


@pytest.mark.parametrize("column", ["h", "folder", "file", "arr"])
def test_same_metadata(written, conn, column):
    def raw(lib):
        schema, _ = written[lib]
        return masked(conn.query(f"SELECT `{column}` FROM `{schema}`.`thing`").fetchone()[0], schema)

    assert raw("dj_jupyter") == raw("datajoint")

    def timestamp_shape(lib):  # the same ISO format (digits masked), not the same instant
        schema, _ = written[lib]
        meta = json.loads(conn.query(f"SELECT `{column}` FROM `{schema}`.`thing`").fetchone()[0])
        return re.sub(r"\d", "0", meta.get("timestamp") or "")

    assert timestamp_shape("dj_jupyter") == timestamp_shape("datajoint")


def test_same_files_in_the_store(written, store_dir):
    def tree(lib):
        schema, _ = written[lib]
        files = {}
        for path in store_dir.rglob("*"):
            rel = path.relative_to(store_dir).as_posix()
            if schema in rel and path.is_file():
                text = path.read_bytes()
                if rel.endswith(".manifest.json"):
                    text = {k: v for k, v in json.loads(text).items() if k != "created"}
                files[re.sub(r"_[A-Za-z0-9_-]{8}(?=[/.]|$)", "_TOKEN", rel.replace(schema, "S"))] = text
        return files

    expected = tree("datajoint")
    assert "_schema/S/thing/k=1/folder_TOKEN/sub/b.bin" in expected and "_hash/S/" in "".join(expected)
    assert tree("dj_jupyter") == expected


def test_reference_cannot_write_blob_or_attach_to_a_store_on_mariadb(djref, ref_conn, conn, stores, new_schema, sources):
    """Spec departure 8: DataJoint 2.3.5 passes the stored metadata to pymysql as a dict (after uploading)."""
    name = new_schema()
    theirs = djref.Schema(name, connection=ref_conn)(type("Thing", (djref.Manual,), {"definition": DEFINITION}))
    row = dict(k=2, h=b"x", folder=str(sources / "run"), file=str(sources / "notes.txt"), arr=np.zeros(1))
    for value in (dict(b=np.arange(3.0)), dict(at=str(sources / "notes.txt"))):
        with pytest.raises(TypeError, match="dict can not be used as parameter"):
            theirs.insert1(dict(row, **value))
    ours = dj.Schema(name, connection=conn)(type("Thing", (dj.Manual,), {"definition": DEFINITION}))
    ours.insert1(dict(row, b=np.arange(3.0), at=str(sources / "notes.txt")))
    np.testing.assert_array_equal(theirs.fetch1("b"), np.arange(3.0))  # and DataJoint reads what we wrote


def test_reference_resolves_bare_at_to_a_store_named_empty(djref, ref_conn, conn, stores, new_schema):
    """Spec departure 2: ``<hash@>`` means ``stores.default`` here; DataJoint looks for a store named ''."""
    name = new_schema()
    definition = "k : int32\n---\nh : <hash@>\n"
    theirs = djref.Schema(name, connection=ref_conn)(type("Bare", (djref.Manual,), {"definition": definition}))
    with pytest.raises(djref.DataJointError, match="Storage '' is requested"):
        theirs.insert1(dict(k=1, h=b"x"))
    ours = dj.Schema(name, connection=conn)(type("Bare", (dj.Manual,), {"definition": definition}))
    ours.insert1(dict(k=1, h=b"x"))
    assert theirs.fetch1("h") == b"x"  # and DataJoint reads what we wrote: the metadata names the store
