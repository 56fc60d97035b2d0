"""What a kernel would publish for widgets: comms that record their messages.

Outside a kernel, ipywidgets' comms (``comm.create_comm``) publish nothing.  A kernel
installs its own ``comm.create_comm``, the comm package's hook for that; these tests
install :class:`RecordingComm` the same way, so the comm_open / update / close messages
a widget would send to the front end can be asserted on.
"""

from __future__ import annotations

from typing import Any

import comm
import pytest
from comm.base_comm import BaseComm

__all__ = ["RecordingComm", "published"]


class RecordingComm(BaseComm):
    """A comm that keeps what it publishes: ``(msg_type, data)`` in ``log`` (shared by all comms of a test)."""

    log: list[tuple[str, str, dict]] = []

    def publish_msg(self, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None,
                    **keys: Any) -> None:
        RecordingComm.log.append((msg_type, self.comm_id, data or {}))


@pytest.fixture
def published(monkeypatch) -> list[tuple[str, str, dict]]:
    """The messages the widgets' comms publish during the test: ``(msg_type, comm_id, data)``."""
    log: list[tuple[str, str, dict]] = []
    monkeypatch.setattr(RecordingComm, "log", log)
    monkeypatch.setattr(comm, "create_comm", lambda *args, **kwargs: RecordingComm(*args, **kwargs))
    return log
