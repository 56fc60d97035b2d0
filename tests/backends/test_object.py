"""``<object@>`` on every backend, in a folder store and on a real S3 server (SeaweedFS).

Round trips of bytes, ``(ext, data)``, files and folders as lazy ``ObjectRef``; the
schema-addressed layout with a folder manifest; ``verify``; objects follow their rows
(delete); ``update1`` leaves the replaced object to ``dj.gc``; bad input fails with nothing
written.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import dj_jupyter as dj
from dj_jupyter.codecs.object import ObjectPathError
from dj_jupyter.codecs.objectref import IntegrityError
from dj_jupyter.errors import DataJointError, StorePathError
from dj_jupyter.stores import MissingObjectError, get_store
from tests.backends.conftest import BACKENDS, drop_schema, fresh_schema_name, make_connection, require_backend
from tests.s3server import ACCESS_KEY, SECRET_KEY

STORES = ("folder", "s3")


@dataclass
class Env:
    table: Any
    store: Any  # the dj_jupyter Store
    files: Path  # local scratch folder for inputs

    def stored(self) -> set[str]:
        return set(self.store.list())


def declare(schema: Any) -> Any:
    class Thing(dj.Manual):
        definition = """
        thing_id : int32
        ---
        obj = null : <object@>
        note = "" : varchar(40)
        """

    return schema(Thing, context={})


def store_config(kind: str, request: Any, folder: Path) -> dict:
    if kind == "folder":
        (folder / "store").mkdir()
        return {"protocol": "file", "location": str(folder / "store")}
    server = request.getfixturevalue("s3_server")
    return server.store(access_key=ACCESS_KEY, secret_key=SECRET_KEY)


@pytest.fixture(scope="module", params=[(b, s) for b in BACKENDS for s in STORES], ids=lambda p: f"{p[0]}-{p[1]}")
def env(request, tmp_path_factory):
    backend, kind = request.param
    require_backend(backend)
    folder = tmp_path_factory.mktemp(f"object_{backend}_{kind}")
    stores = {"default": "main", "main": store_config(kind, request, folder)}
    conn = make_connection(backend, folder)
    name = fresh_schema_name()
    try:
        with dj.config.override(stores=stores, safemode=False):
            table = declare(dj.Schema(name, connection=conn))
            (folder / "files").mkdir()
            yield Env(table, get_store("main"), folder / "files")
            store = get_store("main")
            for path in store.list():
                store.delete(path)
    finally:
        drop_schema(conn, name)
        conn.close_all()


def make_folder(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("alpha")
    (root / "sub" / "b.bin").write_bytes(b"\x00\x01\x02")
    return root


def fetch(env: Env, thing_id: int) -> Any:
    return (env.table & {"thing_id": thing_id}).fetch1("obj")


def test_round_trip_of_bytes_ext_tuples_files_and_folders(env):
    src = env.files / "data.csv"
    src.write_text("x,y\n1,2\n")
    folder = make_folder(env.files / "rec.d")
    env.table.insert([
        {"thing_id": 1, "obj": b"raw bytes"},
        {"thing_id": 2, "obj": (".json", b'{"a": 1}')},
        {"thing_id": 3, "obj": ("txt", io.BytesIO(b"from a file object"))},
        {"thing_id": 4, "obj": src},
        {"thing_id": 5, "obj": str(folder)},
    ])
    refs = {r["thing_id"]: r["obj"] for r in env.table.to_dicts()}
    assert all(isinstance(r, dj.ObjectRef) for r in refs.values())
    assert refs[1].read() == b"raw bytes" and refs[1].ext is None and refs[1].size == 9
    assert refs[2].read() == b'{"a": 1}' and refs[2].ext == ".json" and refs[2].path.endswith(".json")
    assert refs[3].read() == b"from a file object" and refs[3].ext == ".txt"
    assert refs[4].read() == src.read_bytes() and refs[4].ext == ".csv" and not refs[4].is_dir
    with refs[4].open() as f:
        assert f.read(3) == b"x,y"
    ref = refs[5]
    assert ref.is_dir and ref.item_count == 2 and ref.size == 8 and ref.ext == ".d"
    assert ref.listdir() == ["a.txt", "sub"] and ref.listdir("sub") == ["b.bin"]
    assert list(ref.walk()) == [("", ["sub"], ["a.txt"]), ("sub", [], ["b.bin"])]
    assert ref.open("sub/b.bin").read() == b"\x00\x01\x02"
    assert all(r.verify() for r in refs.values())
    assert str(ref) == ref.path and ref.exists() and ref.exists("a.txt") and not ref.exists("nope")
    copy = ref.download(env.files / "downloads")
    assert (copy / "a.txt").read_text() == "alpha" and (copy / "sub" / "b.bin").read_bytes() == b"\x00\x01\x02"
    single = refs[4].download(env.files / "downloads", None)
    assert single.read_text() == src.read_text()
    with pytest.raises(DataJointError, match="folder"):
        ref.read()


def test_layout_and_manifest(env):
    folder = make_folder(env.files / "layout")
    env.table.insert1({"thing_id": 10, "obj": folder})
    ref = fetch(env, 10)
    parts = ref.path.split("/")
    assert parts[:4] == ["_schema", env.table.database, env.table.table_name, "thing_id=10"]
    assert parts[4].startswith("obj_") and len(parts[4]) == len("obj_") + 8
    assert ref.store == "main" and ref.is_dir
    manifest = json.loads(env.store.get(ref.path + ".manifest.json"))
    assert manifest["item_count"] == 2 and manifest["total_size"] == 8
    assert {f["path"]: f["size"] for f in manifest["files"]} == {"a.txt": 5, "sub/b.bin": 3}
    assert {p for p in env.stored() if p.startswith(ref.path)} == {
        ref.path + ".manifest.json", ref.path + "/a.txt", ref.path + "/sub/b.bin"}
    again = dj.ObjectRef.from_json(json.dumps(ref.to_json()))
    assert again == ref and again.to_json() == ref.to_json()


def test_fetch_reads_no_payload(env):
    env.table.insert1({"thing_id": 20, "obj": b"to be removed behind the row's back"})
    path = fetch(env, 20).path
    env.store.delete(path)
    ref = fetch(env, 20)  # fetching only builds the reference from the row's metadata
    assert ref.path == path and ref.size == 35 and not ref.exists()
    with pytest.raises(MissingObjectError, match="no object"):
        ref.read()
    with pytest.raises(IntegrityError, match="missing"):
        ref.verify()


def test_verify_detects_changes(env):
    env.table.insert([{"thing_id": 30, "obj": b"12345"}, {"thing_id": 31, "obj": make_folder(env.files / "v")}])
    file_ref, folder_ref = fetch(env, 30), fetch(env, 31)
    env.store.put(file_ref.path, b"123")
    with pytest.raises(IntegrityError, match="3 bytes"):
        file_ref.verify()
    env.store.put(folder_ref.path + "/extra.txt", b"x")
    with pytest.raises(IntegrityError, match="extra.txt") as info:
        folder_ref.verify()
    assert isinstance(info.value, DataJointError)


def test_delete_removes_files_folders_and_manifests(env):
    env.table.insert([{"thing_id": 40, "obj": make_folder(env.files / "gone")}, {"thing_id": 41, "obj": b"bye"},
                      {"thing_id": 42, "obj": b"stays"}])
    gone = [fetch(env, 40).path, fetch(env, 41).path]
    kept = fetch(env, 42).path
    (env.table & "thing_id in (40, 41)").delete()
    assert not any(p.startswith(tuple(gone)) for p in env.stored())
    assert kept in env.stored()


def test_update1_leaves_the_replaced_object_to_gc(env):
    env.table.insert1({"thing_id": 50, "obj": make_folder(env.files / "old")})
    old = fetch(env, 50).path
    env.table.update1({"thing_id": 50, "obj": b"new content"})
    new = fetch(env, 50)
    assert new.read() == b"new content" and old + "/a.txt" in env.stored()
    schema = dj.Schema(env.table.database, connection=env.table.connection)
    report = dj.gc.collect(schema, dry_run=False)
    assert set(report["orphaned_schema_paths"]) == {old + "/a.txt", old + "/sub/b.bin", old + ".manifest.json"}
    assert not any(p.startswith(old) for p in env.stored()) and new.exists()


def test_gc_finds_orphaned_object_folders_only_of_its_schema(env):
    env.table.insert1({"thing_id": 60, "obj": make_folder(env.files / "live")})
    live = fetch(env, 60).path
    orphan = f"_schema/{env.table.database}/{env.table.table_name}/thing_id=61/obj_orphaned"
    for name in ("a.txt", "sub/c.txt"):
        env.store.put(f"{orphan}/{name}", b"lost")
    env.store.put(orphan + ".manifest.json", b"{}")
    elsewhere = "_schema/djtest_not_this_one/t/thing_id=1/obj_x/a.txt"
    env.store.put(elsewhere, b"someone else's")
    schema = dj.Schema(env.table.database, connection=env.table.connection)
    dry = dj.gc.collect(schema)
    assert dry["schema_paths_orphaned"] == 3 and all(p.startswith(orphan) for p in dry["orphaned_schema_paths"])
    dj.gc.collect(schema, dry_run=False)
    stored = env.stored()
    assert not any(p.startswith(orphan) for p in stored)
    assert live + "/a.txt" in stored and live + ".manifest.json" in stored and elsewhere in stored
    env.store.delete(elsewhere)


def test_bad_input_fails_and_writes_nothing(env):
    before = env.stored()
    ok = {"thing_id": 70, "obj": b"first row uploads before the second fails"}
    with pytest.raises(ObjectPathError, match="does not exist"):
        env.table.insert([ok, {"thing_id": 71, "obj": env.files / "no_such_file.dat"}])
    with pytest.raises(TypeError, match="bytes"):
        env.table.insert([ok, {"thing_id": 71, "obj": 3.5}])
    with pytest.raises(TypeError, match="file object"):
        env.table.insert1({"thing_id": 71, "obj": (".txt", 42)})
    section = f"_schema/{env.table.database}/{env.table.table_name}"
    with pytest.raises(MissingObjectError, match="no file or folder"):
        env.table.insert([ok, {"thing_id": 71, "obj": {"path": f"{section}/thing_id=71/obj_missing.zarr"}}])
    with pytest.raises(StorePathError, match="not an object of this row"):
        env.table.insert([ok, {"thing_id": 71, "obj": {"path": "raw/user_file.dat"}}])
    with pytest.raises(DataJointError, match="unknown_store|not configured"):
        env.table.insert1({"thing_id": 72, "obj": {"path": "x", "store": "unknown_store"}})
    assert env.stored() == before
    assert len(env.table & "thing_id >= 70") == 0


def test_rows_do_not_share_objects(env):
    env.table.insert1({"thing_id": 80, "obj": (".txt", b"mine")})
    ref = fetch(env, 80)
    assert ref.mime_type == "text/plain"
    with pytest.raises(TypeError, match="download"):
        env.table.insert1({"thing_id": 81, "obj": ref})
    with pytest.raises(StorePathError, match="not an object of this row"):  # another row's object
        env.table.insert1({"thing_id": 81, "obj": ref.to_json()})
    env.store.put("elsewhere/user.dat", b"user data")
    with pytest.raises(StorePathError, match="filepath"):
        env.table.insert1({"thing_id": 81, "obj": {"path": "elsewhere/user.dat"}})
    (env.table & {"thing_id": 80}).delete()
    assert "elsewhere/user.dat" in env.stored() and len(env.table & {"thing_id": 81}) == 0
    env.store.delete("elsewhere/user.dat")


def test_unknown_store_is_refused_before_writing(env):
    schema = dj.Schema(env.table.database, connection=env.table.connection)

    class Elsewhere(dj.Manual):
        definition = """
        k : int32
        ---
        obj : <object@nowhere>
        """

    before = env.stored()
    with pytest.raises(DataJointError, match="nowhere"):
        schema(Elsewhere, context={})
        Elsewhere.insert1({"k": 1, "obj": b"data"})
    assert env.stored() == before


def test_object_needs_a_store(env):
    schema = dj.Schema(env.table.database, connection=env.table.connection)

    class NoStore(dj.Manual):
        definition = """
        k : int32
        ---
        obj : <object>
        """

    with pytest.raises(DataJointError, match="object@"):
        schema(NoStore, context={})


def test_partitioned_layout_staged_delete_and_gc(tmp_path):
    import pickle

    (tmp_path / "parted").mkdir()
    conn = make_connection("sqlite", tmp_path)
    name = fresh_schema_name()
    stores = {"default": "parted",
              "parted": {"protocol": "file", "location": str(tmp_path / "parted"), "partition_pattern": "subject"}}
    try:
        with dj.config.override(stores=stores, safemode=False):
            schema = dj.Schema(name, connection=conn)

            @schema
            class Scan(dj.Manual):
                definition = """
                subject : int32
                scan : int32
                ---
                raw : <object@>
                """

            with Scan.staged_insert1 as staged:
                staged.rec.update(subject=3, scan=1)
                with staged.open("raw", ".bin") as f:
                    f.write(b"scan data")
            Scan.insert1({"subject": 3, "scan": 2, "raw": make_folder(tmp_path / "two")})
            refs = Scan.to_dicts(order_by="scan")
            one, two = refs[0]["raw"], refs[1]["raw"]
            assert one.path.startswith(f"_schema/subject=3/{name}/scan/scan=1/raw_") and one.path.endswith(".bin")
            assert two.path.startswith(f"_schema/subject=3/{name}/scan/scan=2/raw_") and two.is_dir
            copy = pickle.loads(pickle.dumps(two))
            assert copy == two and copy.listdir() == ["a.txt", "sub"]
            store = get_store("parted")
            store.put(f"_schema/subject=3/{name}/scan/scan=9/raw_lost/x.txt", b"lost")
            report = dj.gc.collect(schema, dry_run=False)
            assert report["orphaned_schema_paths"] == [f"_schema/subject=3/{name}/scan/scan=9/raw_lost/x.txt"]
            (Scan & {"scan": 2}).delete()
            assert set(store.list()) == {one.path}
    finally:
        drop_schema(conn, name)
        conn.close_all()


def test_wrong_s3_credentials_give_an_access_error(s3_server, tmp_path):
    conn = make_connection("sqlite", tmp_path)
    name = fresh_schema_name()
    good = s3_server.store(access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    stores = {"default": "bad", "bad": {**good, "secret_key": "not-the-secret"}, "good": good}
    (tmp_path / "upload.bin").write_bytes(b"x" * 1000)
    try:
        with dj.config.override(stores=stores, safemode=False):
            table = declare(dj.Schema(name, connection=conn))
            for value in (tmp_path / "upload.bin", make_folder(tmp_path / "folder")):
                with pytest.raises(dj.errors.DataJointError, match="refused|credentials") as info:
                    table.insert1({"thing_id": 1, "obj": value})
                assert isinstance(info.value, PermissionError), type(info.value)
            assert get_store("good").list() == [] and len(table()) == 0
    finally:
        drop_schema(conn, name)
        conn.close_all()
