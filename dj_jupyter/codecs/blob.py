"""The DataJoint ``<blob>`` serialization: Python and NumPy values <-> bytes.

Byte-compatible with DataJoint 2.3.5 in both directions, so databases can be shared with
DataJoint (Python) and, for the MATLAB-compatible subset, with DataJoint MATLAB (mYm).
Writing lives in :mod:`.blob_pack`, reading in :mod:`.blob_unpack`; this module is the
public entry point.

Examples
--------
>>> import numpy as np
>>> from dj_jupyter.codecs.blob import pack, unpack
>>> value = {"trace": np.arange(4.0), "label": "cell 3"}
>>> back = unpack(pack(value))
>>> back["label"], back["trace"].dtype
('cell 3', dtype('float64'))
"""

from __future__ import annotations

from .blob_pack import BlobError, pack
from .blob_unpack import unpack
from .matlab import MatCell, MatStruct

__all__ = ["BlobError", "MatCell", "MatStruct", "pack", "unpack"]
