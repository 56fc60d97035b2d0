"""NumPy arrays that the ``<blob>`` format writes as MATLAB cell and struct arrays.

A plain object ``ndarray`` is written in the Python-only part of the blob format; wrap it
in :class:`MatCell` (or a record array in :class:`MatStruct`) when MATLAB users of the same
database must read it as a cell array (or a struct array).  Blobs written by MATLAB come back
as these classes.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MatCell", "MatStruct"]


class MatCell(np.ndarray):
    """An object array stored as a MATLAB cell array (blob type code ``C``).

    Make one by viewing an object array: elements may be anything the blob format can
    store, including other cells.  Elements are written in MATLAB (column-major) order.

    Examples
    --------
    >>> import numpy as np
    >>> from dj_jupyter.codecs.blob import pack, unpack
    >>> cell = np.array([1.0, "text", None], dtype=object).view(MatCell)
    >>> back = unpack(pack(cell))
    >>> type(back).__name__, back.shape, back[1]
    ('MatCell', (3,), 'text')
    """


class MatStruct(np.recarray):
    """A record array stored as a MATLAB struct array (blob type code ``S``).

    Each field of each element is stored as its own blob, so fields may hold arrays of
    any shape.  Blobs read back have one ``object`` column per field.

    Examples
    --------
    >>> import numpy as np
    >>> from dj_jupyter.codecs.blob import pack, unpack
    >>> s = np.rec.array([(np.arange(3), "a")], dtype=[("x", object), ("name", object)]).view(MatStruct)
    >>> back = unpack(pack(s))
    >>> type(back).__name__, back.dtype.names, back[0].name
    ('MatStruct', ('x', 'name'), 'a')
    """
