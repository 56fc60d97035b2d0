"""Codecs: how attribute values become stored bytes and back.

For now this holds the ``<blob>`` wire format (:mod:`dj_jupyter.codecs.blob`) and the MATLAB
array classes (:mod:`dj_jupyter.codecs.matlab`).  Importing the package registers nothing.
"""

from __future__ import annotations

__all__: list[str] = []
