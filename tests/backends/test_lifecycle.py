"""Objects follow their rows (departure 3) and ``dj.gc``, on every backend with a folder store.

Deleting rows (delete, delete_quick, cascades, drop) removes the objects they own once the
transaction has committed: schema-addressed objects (``<npy@>``) always, content-addressed
ones (``<hash@>``, ``<blob@>``, ``<attach@>``) when no remaining row of the schema refers to
them.  A rollback deletes nothing; what a failure leaves behind, ``dj.gc`` finds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import dj_jupyter as dj
from dj_jupyter.codecs.hashing import content_hash
from dj_jupyter.errors import DataJointError
from tests.backends.conftest import (
    BACKENDS,
    drop_schema,
    fresh_schema_name,
    make_connection,
    require_backend,
)


@dataclass
class Env:
    backend: str
    conn: Any
    schema: Any
    tables: dict[str, type]
    root: Path  # the store's folder
    files: Path

    def objects(self, schema: str | None = None) -> set[str]:
        """Relative paths of every file in the store (of one schema, if given)."""
        found = {p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()}
        if schema is None:
            return found
        return {p for p in found if p.split("/")[1:2] == [schema]}

    def hash_path(self, data: bytes) -> str:
        return f"_hash/{self.schema.database}/{content_hash(data)}"

    def npy_path(self, table: type, key: dict, field: str = "n") -> str:
        meta = (table & key).fetch1(field)
        return meta.path


def declare(schema: Any) -> dict[str, type]:
    class Item(dj.Manual):
        definition = """
        item_id : int32
        ---
        h = null : <hash@>
        b = null : <blob@>
        n = null : <npy@>
        a = null : <attach@>
        """

    class Parent(dj.Manual):
        definition = """
        parent_id : int32
        ---
        n = null : <npy@>
        """

    class Child(dj.Manual):
        definition = """
        -> Parent
        child : int32
        ---
        b : <blob@>
        n : <npy@>
        """

    class Master(dj.Manual):
        definition = """
        master_id : int32
        """

        class Piece(dj.Part):
            definition = """
            -> master
            -> Parent
            ---
            n : <npy@>
            """

    class Failing(dj.Computed):
        definition = """
        -> Parent
        ---
        n : <npy@>
        """

        def make(self, key):
            self.insert1({**key, "n": np.full(10, key["parent_id"], dtype=np.int64)})
            raise RuntimeError("make fails after uploading")

    context: dict = {}
    out = {}
    for cls in (Item, Parent, Child, Master, Failing):
        out[cls.__name__] = context[cls.__name__] = schema(cls, context=context)
    return out


@pytest.fixture(scope="module", params=BACKENDS)
def env(request, tmp_path_factory):
    require_backend(request.param)
    folder = tmp_path_factory.mktemp(f"lifecycle_{request.param}")
    for sub in ("store", "files"):
        (folder / sub).mkdir()
    conn = make_connection(request.param, folder)
    name = fresh_schema_name()
    stores = {"default": "local", "local": {"protocol": "file", "location": str(folder / "store")}}
    try:
        with dj.config.override(stores=stores, safemode=False):
            schema = dj.Schema(name, connection=conn)
            yield Env(request.param, conn, schema, declare(schema), folder / "store", folder / "files")
    finally:
        drop_schema(conn, name)
        conn.close_all()


# ----------------------------------------------------------------------------- delete
def test_delete_removes_the_objects_of_the_row(env):
    item = env.tables["Item"]
    attachment = env.files / "a100.txt"
    attachment.write_bytes(b"attachment of item 100")
    item.insert1({"item_id": 100, "h": b"hash of item 100", "b": {"x": 100}, "n": np.arange(5), "a": attachment})
    npy = env.npy_path(item, {"item_id": 100})
    (blob_meta,) = _stored_json(env, item, {"item_id": 100}, "b")
    owned = {env.hash_path(b"hash of item 100"), npy, blob_meta, *_stored_json(env, item, {"item_id": 100}, "a")}
    assert owned <= env.objects()
    (item & {"item_id": 100}).delete()
    assert not owned & env.objects()
    assert not (env.root / npy).parent.exists(), "the row's emptied folder is pruned"


def test_shared_content_stays_until_the_last_reference_goes(env):
    item = env.tables["Item"]
    item.insert([{"item_id": 200, "h": b"shared 200", "b": [2, 0, 0]},
                 {"item_id": 201, "h": b"shared 200", "b": [2, 0, 0]}])
    shared = {env.hash_path(b"shared 200"), *_stored_json(env, item, {"item_id": 200}, "b")}
    assert len(shared) == 2 and shared <= env.objects()
    (item & {"item_id": 200}).delete()
    assert shared <= env.objects()
    (item & {"item_id": 201}).delete_quick()
    assert not shared & env.objects()


def test_content_referenced_by_another_table_stays(env):
    item, child, parent = env.tables["Item"], env.tables["Child"], env.tables["Parent"]
    parent.insert1({"parent_id": 250})
    child.insert1({"parent_id": 250, "child": 0, "b": "shared across tables 250", "n": np.zeros(2)})
    item.insert1({"item_id": 250, "b": "shared across tables 250"})
    path = _stored_json(env, item, {"item_id": 250}, "b")[0]
    (item & {"item_id": 250}).delete()
    assert path in env.objects()
    (parent & {"parent_id": 250}).delete()
    assert path not in env.objects()


def test_cascade_removes_the_objects_of_descendants(env):
    parent, child = env.tables["Parent"], env.tables["Child"]
    parent.insert1({"parent_id": 300, "n": np.ones((2, 2))})
    child.insert([{"parent_id": 300, "child": i, "b": f"child {i} of 300", "n": np.arange(i + 1)} for i in range(3)])
    owned = {env.npy_path(parent, {"parent_id": 300})}
    owned |= {env.npy_path(child, {"parent_id": 300, "child": i}) for i in range(3)}
    owned |= {p for i in range(3) for p in _stored_json(env, child, {"parent_id": 300, "child": i}, "b")}
    assert len(owned) == 7 and owned <= env.objects()
    (parent & {"parent_id": 300}).delete()
    assert not owned & env.objects()
    assert len(child & {"parent_id": 300}) == 0


def test_a_delete_that_fails_inside_its_transaction_deletes_no_object(env):
    parent, master = env.tables["Parent"], env.tables["Master"]
    parent.insert1({"parent_id": 350, "n": np.ones(3)})
    master.insert1({"master_id": 350})
    master.Piece.insert1({"master_id": 350, "parent_id": 350, "n": np.ones(1)})
    owned = {env.npy_path(master.Piece, {"master_id": 350}), env.npy_path(parent, {"parent_id": 350})}
    # the cascade reaches the part but not its master: refused after the DELETEs ran, rolled back
    with pytest.raises(DataJointError, match="part table"):
        (parent & {"parent_id": 350}).delete()
    assert len(parent & {"parent_id": 350}) == 1 and len(master.Piece & {"master_id": 350}) == 1
    assert owned <= env.objects()
    np.testing.assert_array_equal((master.Piece & {"master_id": 350}).fetch1("n").load(), np.ones(1))


# ----------------------------------------------------------------------------- transactions
def test_rollback_of_a_user_transaction_keeps_the_objects(env):
    item = env.tables["Item"]
    item.insert1({"item_id": 400, "h": b"kept by rollback 400", "n": np.arange(4)})
    owned = {env.hash_path(b"kept by rollback 400"), env.npy_path(item, {"item_id": 400})}
    with pytest.raises(RuntimeError, match="undo"), env.conn.transaction:
        (item & {"item_id": 400}).delete()
        assert len(item & {"item_id": 400}) == 0
        raise RuntimeError("undo")
    assert len(item & {"item_id": 400}) == 1
    assert owned <= env.objects()
    assert (item & {"item_id": 400}).fetch1("h") == b"kept by rollback 400"


def test_a_delete_in_a_user_transaction_removes_objects_at_its_commit(env):
    item = env.tables["Item"]
    item.insert1({"item_id": 500, "h": b"deleted at user commit 500", "n": np.arange(3)})
    owned = {env.hash_path(b"deleted at user commit 500"), env.npy_path(item, {"item_id": 500})}
    with env.conn.transaction:
        (item & {"item_id": 500}).delete()
        (item & {"item_id": 500}).delete_quick()
        assert owned <= env.objects(), "objects wait for the commit"
    assert not owned & env.objects()


def test_gc_finds_objects_whose_rows_went_without_dj_jupyter(env):
    item = env.tables["Item"]
    item.insert1({"item_id": 510, "h": b"orphan for gc 510", "n": np.arange(3)})
    owned = {env.hash_path(b"orphan for gc 510"), env.npy_path(item, {"item_id": 510})}
    d = env.conn.dialect
    env.conn.query(f"DELETE FROM {d.full_name(item.database, item.table_name)} WHERE {d.quote('item_id')} = 510")
    assert owned <= env.objects()  # a raw DELETE (or a crash after commit) leaves orphans
    report = dj.gc.collect(env.schema)
    assert report["dry_run"] is True
    assert owned <= set(report["orphaned_hash_paths"]) | set(report["orphaned_schema_paths"])
    assert owned <= env.objects(), "a dry run deletes nothing"
    report = dj.gc.collect(env.schema, dry_run=False)
    assert report["deleted"] >= 2 and not owned & env.objects()


def test_failed_make_leaves_no_row_and_gc_finds_the_orphan(env):
    parent, failing = env.tables["Parent"], env.tables["Failing"]
    parent.insert1({"parent_id": 600})
    before = env.objects(env.schema.database)
    with pytest.raises(RuntimeError, match="make fails"):
        failing.populate({"parent_id": 600})
    assert len(failing & {"parent_id": 600}) == 0
    leftovers = env.objects(env.schema.database) - before
    # populate does not undo the uploads of a failed make: its orphan is what gc is for
    report = dj.gc.GarbageCollector(env.schema).collect()
    assert leftovers <= set(report["orphaned_schema_paths"])
    dj.gc.GarbageCollector(env.schema).collect(dry_run=False)
    assert not leftovers & env.objects()


def test_delete_without_a_transaction_removes_the_objects(env):
    item = env.tables["Item"]
    item.insert1({"item_id": 650, "h": b"no transaction 650", "n": np.arange(6)})
    owned = {env.hash_path(b"no transaction 650"), env.npy_path(item, {"item_id": 650})}
    (item & {"item_id": 650}).delete(transaction=False)
    assert len(item & {"item_id": 650}) == 0
    assert not owned & env.objects()


# ----------------------------------------------------------------------------- drop
def test_drop_removes_the_objects_of_the_table(env, tmp_path):
    name = fresh_schema_name()
    try:
        schema = dj.Schema(name, connection=env.conn)

        @schema
        class Dropped(dj.Manual):
            definition = """
            d_id : int32
            ---
            n : <npy@>
            h : <hash@>
            """

        Dropped.insert([{"d_id": i, "n": np.arange(i + 1), "h": f"drop {i}".encode()} for i in range(3)])
        assert len(env.objects(name)) == 6
        Dropped.drop()
        assert env.objects(name) == set()
    finally:
        drop_schema(env.conn, name)


def test_dropping_a_schema_removes_its_objects_only(env):
    name = fresh_schema_name()
    try:
        schema = dj.Schema(name, connection=env.conn)
        tables = declare(schema)
        tables["Item"].insert([{"item_id": i, "h": f"schema drop {i}".encode(), "b": [i], "n": np.arange(i + 2)}
                               for i in range(3)])
        tables["Parent"].insert1({"parent_id": 1, "n": np.ones(3)})
        tables["Child"].insert1({"parent_id": 1, "child": 1, "b": "shared", "n": np.zeros(2)})
        others = env.objects(env.schema.database)
        assert len(env.objects(name)) == 3 * 3 + 1 + 2
        schema.drop(prompt=False)
        assert env.objects(name) == set()
        assert env.objects(env.schema.database) == others  # the module's schema keeps its objects
        assert not (env.root / "_hash" / name).exists() and not (env.root / "_schema" / name).exists()
    finally:
        drop_schema(env.conn, name)


# ----------------------------------------------------------------------------- gc
def test_gc_touches_only_the_given_schemas(env):
    other_name = fresh_schema_name()
    try:
        other = dj.Schema(other_name, connection=env.conn)
        other_item = declare(other)["Item"]
        other_item.insert1({"item_id": 1, "h": b"other schema, referenced", "n": np.arange(2)})
        other_referenced = env.objects(other_name)
        # orphans of the other schema and files a user put in the store
        orphan_of_other = env.root / "_hash" / other_name / content_hash(b"orphan of other")
        orphan_of_other.write_bytes(b"orphan of other")
        user_files = [env.root / "user_notes.txt", env.root / "_hash" / "readme.txt",
                      env.root / "_schema" / "user_folder" / "data.bin"]
        for f in user_files:
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_bytes(b"user data")
        mine = env.root / "_hash" / env.schema.database / content_hash(b"my orphan")
        mine.parent.mkdir(parents=True, exist_ok=True)
        mine.write_bytes(b"my orphan")

        report = dj.gc.collect(env.schema, dry_run=False)
        assert mine.relative_to(env.root).as_posix() in report["orphaned_hash_paths"]
        assert not mine.exists()
        assert orphan_of_other.exists() and all(f.exists() for f in user_files)
        assert other_referenced <= env.objects(other_name)
        listed = report["orphaned_hash_paths"] + report["orphaned_schema_paths"]
        assert all(p.split("/")[1] == env.schema.database for p in listed)
        # collected on its own, the other schema loses only its orphan
        report = dj.gc.collect(other, dry_run=False)
        assert report["orphaned_hash_paths"] == [orphan_of_other.relative_to(env.root).as_posix()]
        assert not orphan_of_other.exists() and other_referenced <= env.objects(other_name)
    finally:
        drop_schema(env.conn, other_name)


def test_gc_keeps_every_referenced_object(env):
    item = env.tables["Item"]
    item.insert1({"item_id": 700, "h": b"referenced 700", "b": np.arange(7), "n": np.eye(3)})
    referenced = {env.hash_path(b"referenced 700"), env.npy_path(item, {"item_id": 700}),
                  *_stored_json(env, item, {"item_id": 700}, "b")}
    report = dj.gc.collect(env.schema, dry_run=False)
    assert referenced <= env.objects()
    assert not referenced & set(report["orphaned_hash_paths"] + report["orphaned_schema_paths"])
    assert report["hash_paths_referenced"] >= 2 and report["schema_paths_referenced"] >= 1
    for key in ("hash_paths_stored", "hash_paths_orphaned_bytes", "schema_paths_stored", "schema_paths_deleted",
                "bytes_freed", "errors", "scan_errors"):
        assert isinstance(report[key], int)


def test_gc_needs_a_schema():
    with pytest.raises(DataJointError, match="at least one schema"):
        dj.gc.GarbageCollector()
    with pytest.raises(DataJointError, match="activated dj.Schema"):
        dj.gc.GarbageCollector("not a schema")


def _stored_json(env: Env, table: type, key: dict, field: str) -> list[str]:
    """The store paths a row's column refers to, read from its stored JSON (no decoding)."""
    from dj_jupyter.codecs.lifecycle import object_columns, read_references

    ref = (table & key)._node
    columns = [c for c in object_columns(ref.heading) if c.name == field]
    return sorted(path for _, _, path in read_references(env.conn, ref, columns))
