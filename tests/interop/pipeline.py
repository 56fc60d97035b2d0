"""One representative pipeline, declared with either library (``lib`` is ``datajoint`` or ``dj_jupyter``).

The definitions are the same text for both; ``make`` methods only use the API the two share, and
compute deterministic values so that whichever library populates, the rows are the same.
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

__all__ = ["SPECIES", "declare", "fill_manual", "raw_trace", "sessions", "writes_blob_store"]

SPECIES = [dict(species_id=1, name="mouse", latin="Mus musculus"), dict(species_id=2, name="rat", latin=None),
           dict(species_id=3, name="zebrafish", latin="Danio rerio")]

SUBJECTS = [
    dict(subject_id=1, species_id=1, sex="F", dob=datetime.date(2025, 1, 2), weight_g=decimal.Decimal("21.50"),
         uid=uuid.UUID(int=1), info={"cage": 4, "tags": ["a", "b"]}, notes=""),
    dict(subject_id=2, species_id=1, sex="M", dob=datetime.date(2025, 2, 3), weight_g=decimal.Decimal("25.25"),
         uid=uuid.UUID(int=2), info=None, notes="aggressive"),
    dict(subject_id=3, species_id=2, sex="U", dob=datetime.date(2024, 12, 31), weight_g=decimal.Decimal("310.00"),
         uid=uuid.UUID(int=3), info={"nested": {"x": 1.5}}, notes="quoted 'x' %"),
]


def raw_trace(subject_id: int, session_idx: int) -> np.ndarray:
    """The recorded signal of a session: a (channels x samples) float64 array."""
    rng = np.random.default_rng(100 * subject_id + session_idx)
    return rng.standard_normal((2 + session_idx % 2, 50))


def writes_blob_store(lib: Any) -> bool:
    """DataJoint 2.3.5 cannot insert ``<blob@store>`` / ``<attach@store>`` values on MariaDB (spec departure 8)."""
    return lib.__name__ != "datajoint"


def declare(lib: Any, schema: Any, workdir: Path, store: str = "shared") -> SimpleNamespace:
    """Declare the pipeline with ``lib``'s tiers in ``schema``; return the classes by name."""

    @schema
    class Species(lib.Lookup):
        definition = """
        # species lookup with contents
        species_id : int16          # species number
        ---
        name : varchar(32)          # common name
        latin = null : varchar(64)
        """
        contents = SPECIES

    @schema
    class Experimenter(lib.Manual):
        definition = """
        experimenter : varchar(32)
        ---
        full_name : varchar(64)
        """

    @schema
    class Subject(lib.Manual):
        definition = """
        # experimental subjects
        subject_id : int32
        ---
        -> Species
        sex : enum('F', 'M', 'U')
        dob : date
        weight_g : decimal(6,2)     # grams
        uid = null : uuid
        info = null : json
        notes = "" : varchar(255)
        """

    @schema
    class Pairing(lib.Manual):
        definition = """
        # the same parent referenced twice through renames
        -> Subject.proj(subject_a='subject_id')
        -> Subject.proj(subject_b='subject_id')
        ---
        relation : enum('sibling', 'cagemate')
        """

    @schema
    class Session(lib.Manual):
        definition = f"""
        -> Subject
        session_idx : int16
        ---
        session_start : datetime
        -> [nullable] Experimenter
        params : json
        raw : <blob>
        thumbnail = null : <blob@{store}>
        index(session_start)
        """

    @schema
    class Recording(lib.Imported):
        definition = f"""
        # files made from a session
        -> Session
        ---
        raw_bytes : <hash@{store}>
        folder : <object@{store}>
        trace = null : <blob@{store}>
        report = null : <attach@{store}>
        """

        def make(self, key):
            raw = (Session & key).fetch1("raw")
            name = f"s{key['subject_id']}_{key['session_idx']}"
            folder = workdir / name
            folder.mkdir(exist_ok=True)
            (folder / "data.bin").write_bytes(raw.tobytes())
            (folder / "meta.json").write_text(json.dumps({"shape": list(raw.shape)}))
            row = dict(key, raw_bytes=raw.tobytes(), folder=str(folder))
            if writes_blob_store(lib):
                report = workdir / f"{name}.txt"
                report.write_text(f"report of {name}\n")
                row.update(trace=raw * 2, report=str(report))
            self.insert1(row)

    @schema
    class Analysis(lib.Computed):
        definition = f"""
        -> Recording
        ---
        mean : float64
        n_channels : int32
        summary : <blob>
        """

        class Channel(lib.Part):
            definition = f"""
            -> master
            channel : int16
            ---
            rms : float64
            values : <npy@{store}>
            """

        def make(self, key):
            trace = (Session & key).fetch1("raw") * 2
            self.insert1(dict(key, mean=float(trace.mean()), n_channels=trace.shape[0],
                              summary={"max": float(trace.max()), "shape": trace.shape}))
            self.Channel.insert([dict(key, channel=i, rms=float(np.sqrt((row ** 2).mean())), values=row)
                                 for i, row in enumerate(trace)])

    return SimpleNamespace(lib=lib, schema=schema, Species=Species, Experimenter=Experimenter, Subject=Subject,
                           Pairing=Pairing, Session=Session, Recording=Recording, Analysis=Analysis)


def sessions() -> list[dict]:
    rows = []
    for subject_id, n in ((1, 3), (2, 2), (3, 1)):
        for idx in range(1, n + 1):
            rows.append(dict(subject_id=subject_id, session_idx=idx,
                             session_start=datetime.datetime(2026, 1, subject_id, 9 + idx, 30),
                             experimenter="alice" if idx % 2 else None,
                             params={"rate": 1000 * idx, "filters": [1, 2]},
                             raw=raw_trace(subject_id, idx),
                             thumbnail=None))
    return rows


def fill_manual(p: SimpleNamespace, *, uuids: bool = True) -> None:
    """Insert the manual rows (the same calls work with both libraries); ``uuids=False`` leaves ``uid`` null."""
    p.Experimenter.insert([dict(experimenter="alice", full_name="Alice A."),
                           dict(experimenter="bob", full_name="Bob B.")])
    p.Subject.insert(SUBJECTS if uuids else [{k: v for k, v in row.items() if k != "uid"} for row in SUBJECTS])
    p.Pairing.insert([dict(subject_a=1, subject_b=2, relation="sibling"),
                      dict(subject_a=2, subject_b=3, relation="cagemate")])
    p.Session.insert(sessions())
