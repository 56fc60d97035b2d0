"""The reference schema of ``/work/shared/spec/reference-ddl-mariadb.sql`` written as dj_jupyter classes.

Only types that exist now: columns of codec types (``<blob>``) are left out, and so is the
``blob_zoo`` table.  An Imported table (``Recording``) is added so that every tier is
declared.  Used by ``test_declare.py``.
"""

from __future__ import annotations

from types import SimpleNamespace

import dj_jupyter as dj

__all__ = ["SPECIES", "declare_reference"]

SPECIES = [(1, "mouse", "Mus musculus"), (2, "rat", None)]


def declare_reference(schema: dj.Schema) -> SimpleNamespace:
    """Declare the reference tables in ``schema``; return the classes by name."""

    @schema
    class Species(dj.Lookup):
        definition = """
        # species lookup with contents
        species_id : int16          # species number
        ---
        name : varchar(32)          # common name
        latin = null : varchar(64)
        """
        contents = SPECIES

    @schema
    class Device(dj.Manual):
        definition = """
        # recording devices, uuid primary key
        device_id : uuid
        ---
        model : varchar(32)
        serial = null : varchar(32)
        """

    with dj.config.override(provenance__capture=True):

        @schema
        class Experimenter(dj.Manual):
            definition = """
            # people who run sessions
            experimenter : varchar(32)
            ---
            full_name : varchar(64)
            created = CURRENT_TIMESTAMP : datetime   # volatile: server time of insert
            """

    @schema
    class Subject(dj.Manual):
        definition = """
        # experimental subjects
        subject_id : int32          # subject id
        ---
        -> Species
        sex : enum('F', 'M', 'U')
        dob : date
        weight_g : decimal(6,2)     # grams
        notes = "" : varchar(255)
        """

    @schema
    class Pairing(dj.Manual):
        definition = """
        # pairs of subjects, the same parent referenced twice through renames
        -> Subject.proj(subject_a='subject_id')
        -> Subject.proj(subject_b='subject_id')
        ---
        relation : enum('sibling', 'cagemate')
        """

    @schema
    class Session(dj.Manual):
        definition = """
        # recording sessions
        -> Subject
        session_idx : int16
        ---
        session_start : datetime
        -> [nullable] Experimenter
        -> [nullable] Device
        params : json
        index(session_start)
        """

    @schema
    class TypeZoo(dj.Manual):
        definition = """
        # one column per core type
        row_id : int16
        ---
        v_int8 : int8
        v_int16 : int16
        v_int32 : int32
        v_int64 : int64
        v_float32 : float32
        v_float64 : float64
        v_bool : bool
        v_uuid : uuid
        v_json : json
        v_date : date
        v_datetime : datetime
        v_datetime6 : datetime(6)
        v_char : char(4)
        v_varchar : varchar(100)    # free "text" with 'quotes'
        v_enum : enum('alpha', 'beta', 'gamma')
        v_decimal : decimal(10,4)
        v_bytes : bytes
        n_int32 = null : int32
        n_float64 = null : float64
        n_varchar = null : varchar(10)
        n_json = null : json
        n_uuid = null : uuid
        n_date = null : date
        d_int = 42 : int32
        d_str = "dflt" : varchar(16)
        d_dec = 1.50 : decimal(4,2)
        """

    with dj.config.override(jobs__add_job_metadata=True):

        @schema
        class ProcessedEMG(dj.Computed):
            definition = """
            # per-session signal statistics
            -> Session
            ---
            n_channels : int16
            n_samples : int32
            mean_rms : float64
            """

            class Channel(dj.Part):
                definition = """
                -> master
                channel : int16
                ---
                rms : float64
                peak_count : int32
                mean_abs : float32
                """

            class Peak(dj.Part):
                definition = """
                -> ProcessedEMG.Channel
                peak_idx : int32
                ---
                sample : int32
                amplitude : int16
                """

            def make(self, key):
                self.insert1(dict(key, n_channels=1, n_samples=10, mean_rms=0.5))
                self.Channel.insert1(dict(key, channel=0, rms=0.5, peak_count=1, mean_abs=0.25))
                self.Peak.insert1(dict(key, channel=0, peak_idx=0, sample=3, amplitude=7))

    @schema
    class Recording(dj.Imported):
        definition = """
        # files of a session
        -> Session
        ---
        file_name : varchar(255)
        """

    return SimpleNamespace(
        schema=schema, Species=Species, Device=Device, Experimenter=Experimenter, Subject=Subject, Pairing=Pairing,
        Session=Session, TypeZoo=TypeZoo, ProcessedEMG=ProcessedEMG, Recording=Recording,
    )
