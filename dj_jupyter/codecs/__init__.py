"""Codecs: how attribute values become stored bytes and back.

* :mod:`.registry`: :class:`Codec` (subclass it to define ``<name>`` types),
  :func:`get_codec`, :func:`list_codecs`, :func:`resolve_dtype`;
* :mod:`.builtins`: ``<blob>``, ``<hash@>``, ``<attach>`` (loaded by the registry on first lookup);
* :mod:`.blob`: the DataJoint ``<blob>`` wire format; :mod:`.matlab`: MATLAB cell/struct arrays;
* :mod:`.columns`: codec attributes in inserts and fetches;
* :mod:`.schema_addressed`: :class:`SchemaCodec` and the ``{schema_prefix}/{schema}/{table}/{key}/...`` layout;
* :mod:`.npy`: ``<npy@>`` (loaded with the built-ins), fetched as :class:`~.npyref.NpyRef` (lazy, ranged reads);
* :mod:`.lifecycle`: the objects rows refer to, removed after a delete commits (used by ``dj.gc`` too).

Importing the package registers nothing.
"""

from __future__ import annotations

from .matlab import MatCell, MatStruct
from .registry import Codec, CodecTypeError, get_codec, list_codecs, resolve_dtype

__all__ = ["Codec", "CodecTypeError", "MatCell", "MatStruct", "get_codec", "list_codecs", "resolve_dtype"]
