"""Codec columns on every backend, with objects in a local folder store.

The shared contract (round trips, deduplication, bad input) is in ``codec_cases.py``; this
module runs it on a ``file`` store and adds what only needs one store: the MariaDB layout of
``<blob>`` columns, the default-store spelling ``<x@>`` and the declared storage types.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import dj_jupyter as dj
from dj_jupyter.errors import DefinitionError
from tests.backends.codec_cases import CodecEnv, CodecTableContract, declare_tables
from tests.backends.conftest import (
    BACKENDS,
    drop_schema,
    fresh_schema_name,
    make_connection,
    require_backend,
)

REFERENCE_DDL = Path("/work/shared/spec/reference-ddl-mariadb.sql")


@pytest.fixture(scope="module", params=BACKENDS)
def env(request, tmp_path_factory):
    require_backend(request.param)
    folder = tmp_path_factory.mktemp(f"codecs_{request.param}")
    for sub in ("store", "files", "downloads"):
        (folder / sub).mkdir()
    conn = make_connection(request.param, folder)
    name = fresh_schema_name()
    stores = {"default": "local", "local": {"protocol": "file", "location": str(folder / "store")}}
    try:
        with dj.config.override(stores=stores, download_path=str(folder / "downloads")):
            schema = dj.Schema(name, connection=conn)
            yield CodecEnv(request.param, schema, declare_tables(schema, "local"), "local",
                           folder / "files", folder / "downloads")
    finally:
        drop_schema(conn, name)
        conn.close_all()


class TestFolderStore(CodecTableContract):
    """The contract on a local folder store."""


def test_storage_types_and_markers(env):
    heading = env.tables["Objects"].heading
    assert [heading[n].type.text for n in ("b", "bs", "h", "a", "ai")] == [
        "<blob>", "<blob@>", "<hash@>", "<attach@>", "<attach>"]
    assert all(heading[n].is_codec for n in ("b", "bs", "h", "a", "ai"))
    storage = {"mysql": ("longblob", "json"), "postgresql": ("bytea", "jsonb"), "sqlite": ("blob", "text")}
    in_row, in_store = storage[env.backend]
    assert heading["b"].sql_type == in_row and heading["ai"].sql_type == in_row
    if env.backend != "mysql":  # MariaDB reports json as longtext
        assert heading["bs"].sql_type == in_store and heading["h"].sql_type == in_store


def test_files_are_laid_out_by_schema(env):
    objects = env.tables["Objects"]
    objects.insert1({"obj_id": 9000, "h": b"layout"})
    from dj_jupyter.codecs.hashing import content_hash

    expected = env.store.spec.location + f"/_hash/{env.schema.database}/{content_hash(b'layout')}"
    assert (env.store.root / f"_hash/{env.schema.database}/{content_hash(b'layout')}").read_bytes() == b"layout"
    assert str(env.store.root / f"_hash/{env.schema.database}/{content_hash(b'layout')}") == expected


def test_tampered_object_is_detected(env):
    objects = env.tables["Objects"]
    objects.insert1({"obj_id": 9100, "h": b"original content 9100"})
    from dj_jupyter.codecs.builtins import ContentMismatchError
    from dj_jupyter.codecs.hashing import content_hash

    path = env.store.root / f"_hash/{env.schema.database}/{content_hash(b'original content 9100')}"
    path.write_bytes(b"changed")
    with pytest.raises(ContentMismatchError, match="does not match its recorded hash"):
        (objects & {"obj_id": 9100}).fetch1("h")


def test_update1_encodes_codec_values(env):
    objects = env.tables["Objects"]
    objects.insert1({"obj_id": 9200, "b": np.zeros(2)})
    objects.update1({"obj_id": 9200, "b": {"new": 1}, "h": b"updated"})
    row = (objects & {"obj_id": 9200}).fetch1()
    assert row["b"] == {"new": 1} and row["h"] == b"updated"


def test_hash_without_store_is_refused(env):
    bad = type("HashInRow", (dj.Manual,), {"definition": "k : int32\n---\nx : <hash>"})
    with pytest.raises(DefinitionError, match=r"declare it as <hash@>") as info:
        env.schema(bad, context={})
    assert info.value.line == 3


def test_codec_in_primary_key_is_refused(env):
    bad = type("BlobKey", (dj.Manual,), {"definition": "k : <blob>\n---\nx : int32"})
    with pytest.raises(DefinitionError, match="cannot be in the primary key"):
        env.schema(bad, context={})


def test_mariadb_blob_columns_match_datajoint(env):
    if env.backend != "mysql":
        pytest.skip("the reference DDL is MariaDB's")

    class BlobZoo(dj.Manual):
        definition = """
        # one row per <blob> serialization case
        blob_id : varchar(32)
        ---
        value = null : <blob>
        """

    class Recording(dj.Manual):
        definition = """
        rec_id : int32
        ---
        signal : <blob>  # int16 channels x samples
        """

    env.schema(BlobZoo, context={})
    env.schema(Recording, context={})
    conn = env.schema.connection
    reference = REFERENCE_DDL.read_text()
    zoo = reference.split("CREATE TABLE `blob_zoo` ")[1].split(";\n")[0]
    ours = conn.query(f"SHOW CREATE TABLE `{env.schema.database}`.`blob_zoo`").fetchone()[1]
    assert ours.replace("CREATE TABLE `blob_zoo` ", "") == zoo
    signal = next(line for line in reference.splitlines() if line.strip().startswith("`signal`"))
    ours = conn.query(f"SHOW CREATE TABLE `{env.schema.database}`.`recording`").fetchone()[1]
    assert signal in ours.splitlines()
    BlobZoo.insert1({"blob_id": "arr", "value": np.arange(3)})
    stored = conn.query(f"SELECT value FROM `{env.schema.database}`.`blob_zoo`").fetchone()[0]
    from dj_jupyter.codecs.blob import pack

    assert bytes(stored) == pack(np.arange(3))  # the bytes DataJoint itself would write


def test_required_blob_column_takes_arrays(connection, schema_name):
    """A non-nullable <blob> column accepts multi-element arrays (None is found by identity, not ==)."""
    schema = dj.Schema(schema_name, connection=connection)

    @schema
    class Trace(dj.Manual):
        definition = """
        trace_id : int32
        ---
        samples : <blob>
        """

    Trace.insert([{"trace_id": i, "samples": np.arange(5.0) * i} for i in range(3)])
    assert np.array_equal((Trace & {"trace_id": 2}).fetch1("samples"), np.arange(5.0) * 2)
    with pytest.raises(dj.errors.ValidationError, match="samples"):
        Trace.insert1({"trace_id": 9, "samples": None})
    assert len(Trace()) == 3
    # arrays of equal shape stay one object per row (not broadcast into a 2-d array)
    column = Trace.to_arrays("samples", order_by="trace_id")
    assert column.dtype == object and column.shape == (3,)
    assert np.array_equal(column[1], np.arange(5.0))
    records = Trace.to_arrays(order_by="trace_id")
    assert records["samples"].shape == (3,) and np.array_equal(records["samples"][2], np.arange(5.0) * 2)
