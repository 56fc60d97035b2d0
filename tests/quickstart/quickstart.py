"""The Quick Start of the README and of issue 2, verbatim (run as a script by test_quickstart.py)."""
import dj_jupyter as dj

schema = dj.Schema('my_pipeline')

@schema
class Subject(dj.Manual):
    definition = """
    subject_id : uint16
    ---
    name : varchar(100)
    date_of_birth : date
    """

@schema
class Session(dj.Manual):
    definition = """
    -> Subject
    session_idx : uint8
    ---
    session_date : date
    """

@schema
class SessionAnalysis(dj.Computed):
    definition = """
    -> Session
    ---
    result : float64
    """

    def make(self, key):
        self.insert1({**key, 'result': 42.0})

Subject.insert1({'subject_id': 1, 'name': 'M001', 'date_of_birth': '2026-01-15'})
Session.insert1({'subject_id': 1, 'session_idx': 1, 'session_date': '2026-01-06'})
SessionAnalysis.populate()

# what the test checks (not part of the Quick Start)
print("RESULT", SessionAnalysis.to_dicts(), dj.conn().backend)
