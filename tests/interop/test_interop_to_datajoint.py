"""dj_jupyter declares and fills a pipeline on MariaDB; DataJoint 2.3.5 reads it back equal and populates the rest."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pytest

import dj_jupyter as dj
from tests.backends.codec_cases import VALUES, assert_same
from tests.interop import pipeline
from tests.interop.compare import table_rows

TABLES = ("Species", "Experimenter", "Subject", "Pairing", "Session", "Recording", "Analysis")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("interop-work")


@pytest.fixture(scope="module")
def world(djref, ref_conn, conn, stores, new_schema, workdir):
    """Declared, filled and half populated by dj_jupyter; then opened by DataJoint (classes and virtual module)."""
    name = new_schema()
    ours = pipeline.declare(dj, dj.Schema(name, connection=conn), workdir)
    pipeline.fill_manual(ours)
    ours.Recording.populate(reserve_jobs=True)
    ours.Analysis.populate(reserve_jobs=True, max_calls=3)
    ref = pipeline.declare(djref, djref.Schema(name, connection=ref_conn), workdir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vm = djref.VirtualModule("interop_ref_vm", name, connection=ref_conn)
    return SimpleNamespace(name=name, ours=ours, ref=ref, vm=vm)


def pick(p, name):
    return p.Analysis.Channel if name == "Analysis.Channel" else getattr(p, name)


@pytest.mark.parametrize("table", TABLES + ("Analysis.Channel",))
def test_datajoint_reads_what_we_wrote(world, table):
    expected = table_rows(pick(world.ours, table), attach=("report",))
    assert expected
    assert table_rows(pick(world.ref, table), attach=("report",)) == expected
    assert table_rows(pick(world.vm, table), attach=("report",)) == expected


def test_datajoint_populates_our_pending_keys(world):
    assert world.ref.Analysis.progress() == (3, 6)
    world.ref.Analysis.populate(reserve_jobs=True)
    assert world.ours.Analysis.progress() == (0, 6)
    assert table_rows(world.ours.Analysis) == table_rows(world.ref.Analysis)
    for row in world.ours.Analysis.Channel.to_dicts():
        trace = 2 * pipeline.raw_trace(row["subject_id"], row["session_idx"])
        np.testing.assert_array_equal(row["values"].load(), trace[row["channel"]])
    assert not (world.ours.Analysis.jobs & "status in ('pending', 'reserved', 'error')")


ZOO = """
v_id : int16
---
inline : <blob>
stored : <blob@shared>
by_default = null : <hash@>
"""


@pytest.fixture(scope="module")
def zoo(djref, ref_conn, conn, stores, new_schema):
    name = new_schema()
    schema = dj.Schema(name, connection=conn)
    ours = schema(type("Zoo", (dj.Manual,), {"definition": ZOO}))
    rows = [dict(v_id=i, inline=value, stored=value, by_default=repr(value).encode()) for i, value in enumerate(VALUES.values())]
    ours.insert(rows)
    ref = djref.Schema(name, connection=ref_conn)(type("Zoo", (djref.Manual,), {"definition": ZOO}))
    return ours, ref


@pytest.mark.parametrize("case", list(VALUES))
def test_datajoint_unpacks_our_blobs(zoo, case):
    ours, ref = zoo
    row = (ref & {"v_id": list(VALUES).index(case)}).fetch1()
    assert_same(row["inline"], VALUES[case], f"{case} (<blob>)")
    assert_same(row["stored"], VALUES[case], f"{case} (<blob@shared>)")
    assert row["by_default"] == repr(VALUES[case]).encode()


INLINE_ZOO = """
v_id : int16
---
inline : <blob>
"""


@pytest.fixture(scope="module")
def zoo_from_ref(djref, ref_conn, conn, new_schema):
    """The other direction: DataJoint packs the values (inline <blob>: it cannot store them on MariaDB)."""
    name = new_schema()
    ref = djref.Schema(name, connection=ref_conn)(type("Zoo", (djref.Manual,), {"definition": INLINE_ZOO}))
    ref.insert([dict(v_id=i, inline=value) for i, value in enumerate(VALUES.values())])
    return dj.Schema(name, connection=conn)(type("Zoo", (dj.Manual,), {"definition": INLINE_ZOO}))


@pytest.mark.parametrize("case", list(VALUES))
def test_we_unpack_datajoint_blobs(zoo_from_ref, case):
    assert_same((zoo_from_ref & {"v_id": list(VALUES).index(case)}).fetch1("inline"), VALUES[case], case)
