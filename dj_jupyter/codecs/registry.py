"""The codec registry: ``dj.Codec`` subclasses registered by name, lookup, and chain resolution.

A codec turns attribute values into a stored form and back.  It is used in a definition as
``<name>`` (in the row), ``<name@>`` (the default store) or ``<name@store>``.  Its
:meth:`Codec.get_dtype` names the storage type: a core type (``bytes``, ``json``) or another
codec (``<hash>``), so codecs chain; :func:`resolve_dtype` follows the chain down to a core
type, carrying the store name inward.

Registration happens when a subclass's body executes (``__init_subclass__``).  The built-in
codecs live in :mod:`dj_jupyter.codecs.builtins`, which this registry imports on the first
lookup, so importing ``dj_jupyter`` registers nothing.  Codecs of other packages are found
through entry points (groups ``datajoint.codecs``, ``dj_jupyter.codecs`` and the legacy
``datajoint.types``), loaded lazily the first time a name is not known.

Examples
--------
>>> import dj_jupyter as dj
>>> class Shout(dj.Codec, register=False):
...     name = "shout"
...     def get_dtype(self, is_store):
...         return "bytes"
...     def encode(self, value, *, key=None, context=None, store_name=None):
...         return value.upper().encode()
...     def decode(self, stored, *, key=None, context=None):
...         return stored.decode()
>>> resolve_dtype("<blob@cold>")[0], [c.name for c in resolve_dtype("<blob@cold>")[1]]
('json', ['blob', 'hash'])
"""

from __future__ import annotations

import importlib
import logging
import re
import threading
from typing import Any

from ..definition.types import parse_type
from ..errors import DataJointError, ValidationError

__all__ = [
    "Codec",
    "CodecTypeError",
    "get_codec",
    "list_codecs",
    "parse_codec_name",
    "resolve_dtype",
    "unregister_codec",
]

logger = logging.getLogger("dj_jupyter")

ENTRY_POINT_GROUPS = ("datajoint.codecs", "dj_jupyter.codecs", "datajoint.types")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_REFERENCE = re.compile(r"\s*<?\s*(?P<name>[^@<>\s]*)\s*(?:@(?P<store>[^<>\s]*))?\s*>?\s*\Z")

_registry: dict[str, type[Codec]] = {}
_instances: dict[type, Codec] = {}
_resolved: dict[str, tuple[str, tuple[Codec, ...], str | None]] = {}  # resolve_dtype results, until the registry changes
_generation = [0]  # bumped whenever the registry changes: fetch caches its column decoders per generation
_lock = threading.RLock()
_discovery = {"builtins": False, "entry_points": False}


class CodecTypeError(ValidationError, TypeError):
    """A codec was given a value of a type it cannot store (e.g. ``<hash@>`` given a str).

    Both a :class:`~dj_jupyter.errors.ValidationError` and a ``TypeError``, as DataJoint
    raises ``TypeError`` there.
    """


class Codec:
    """Base class of codecs: subclass it, set ``name``, implement the three methods.

    Class attributes
    ----------------
    name : str or None
        The name used in definitions (``<name>``).  ``None`` (the default) keeps the class
        unregistered, as does ``class X(dj.Codec, register=False)``.

    Methods to implement
    --------------------
    get_dtype(is_store) -> str
        The storage type: a core type (``"bytes"``, ``"json"``) or another codec
        (``"<blob>"``).  ``is_store`` says whether the attribute was declared with ``@``;
        raise :class:`~dj_jupyter.errors.DataJointError` for a mode the codec does not support.
    encode(value, *, key=None, context=None, store_name=None)
        Python value -> stored form (the input of the next codec in the chain).
    decode(stored, *, key=None, context=None)
        stored form -> Python value.
    validate(value)
        Optional: raise ``TypeError``/``ValueError`` before anything is encoded.
    referenced_paths(stored)
        Optional: ``[(path, store)]`` that a stored value points at (for garbage collection).

    Examples
    --------
    >>> import dj_jupyter as dj
    >>> class Upper(dj.Codec, register=False):
    ...     name = "upper_example"
    ...     def get_dtype(self, is_store):
    ...         return "<blob>"
    ...     def encode(self, value, *, key=None, context=None, store_name=None):
    ...         return value.upper()
    ...     def decode(self, stored, *, key=None, context=None):
    ...         return stored
    >>> Upper().get_dtype(False)
    '<blob>'
    """

    name: str | None = None

    def __init_subclass__(cls, *, register: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if register and cls.name is not None:
            _register(cls)

    def get_dtype(self, is_store: bool) -> str:
        raise NotImplementedError(f"Codec {type(self).__name__} must define get_dtype(is_store).")

    def encode(self, value: Any, *, key: dict | None = None, context: dict | None = None,
               store_name: str | None = None) -> Any:
        raise NotImplementedError(f"Codec {type(self).__name__} must define encode().")

    def decode(self, stored: Any, *, key: dict | None = None, context: dict | None = None) -> Any:
        raise NotImplementedError(f"Codec {type(self).__name__} must define decode().")

    def encode_column(self, values: list) -> list | None:
        """Encode a whole insert column at once, or return None (the default) to encode value by value.

        Only for codecs whose stored form depends on the value alone (not on the row's key,
        context or store); values that could fail must make it return None.
        """
        return None

    def decode_column(self, values: list, **kwargs: Any) -> list:
        """:meth:`decode` of every non-None stored value of a fetched column (override to vectorise)."""
        return [None if v is None else self.decode(v, **kwargs) for v in values]

    def validate(self, value: Any) -> None:
        """Check a value before encoding; the default accepts everything."""

    def referenced_paths(self, stored: Any) -> list[tuple[str, str | None]]:
        """``[(path, store)]`` of the objects a stored value points at (default: its ``path``/``store``)."""
        if isinstance(stored, str):
            import json

            try:
                stored = json.loads(stored)
            except ValueError:
                return []
        if isinstance(stored, dict) and isinstance(stored.get("path"), str):
            return [(stored["path"], stored.get("store"))]
        return []

    def __repr__(self) -> str:
        return f"<codec {self.name!r} ({type(self).__module__}.{type(self).__qualname__})>"


# ----------------------------------------------------------------------------- registration
def _register(cls: type[Codec]) -> None:
    name = cls.name
    if not isinstance(name, str) or not _NAME.match(name):
        raise DataJointError(
            f"Codec class {cls.__qualname__} has name {name!r}: a codec name must be a non-empty string of "
            "letters, digits and underscores that does not start with a digit (it is written as <name>)."
        )
    with _lock:
        known = _registry.get(name)
        if known is cls:
            return
        if known is not None and not _same_class(known, cls):
            raise DataJointError(
                f"Codec name {name!r} is already registered by {known.__module__}.{known.__qualname__}; "
                f"{cls.__module__}.{cls.__qualname__} cannot take it. Choose another name, or declare the "
                "class with register=False."
            )
        _registry[name] = cls
        _instances.pop(known, None)
        _changed()


def _same_class(a: type, b: type) -> bool:
    """A class defined again by re-running its notebook cell replaces the old one."""
    return a.__module__ == b.__module__ and a.__qualname__ == b.__qualname__


def unregister_codec(name: str) -> None:
    """Remove a codec from the registry (tests and notebooks that redefine codecs)."""
    with _lock:
        cls = _registry.pop(name, None)
        _instances.pop(cls, None)
        _changed()


def _changed() -> None:
    """Forget what was resolved against the registry as it was (caller holds the lock)."""
    _resolved.clear()
    _generation[0] += 1


def registry_generation() -> int:
    """A number that changes whenever a codec is registered or removed (a key for caches of decoders)."""
    return _generation[0]


def _load_builtins() -> None:
    # the built-in codecs subclass Codec, so their module imports this one: it is loaded on
    # the first lookup rather than at the top of this module
    with _lock:
        if not _discovery["builtins"]:
            _discovery["builtins"] = True
            importlib.import_module(".builtins", __package__)
            importlib.import_module(".npy", __package__)
            importlib.import_module(".object", __package__)
            importlib.import_module(".filepath", __package__)


def _load_entry_points() -> None:
    with _lock:
        if _discovery["entry_points"]:
            return
        _discovery["entry_points"] = True
    from importlib.metadata import entry_points

    for group in ENTRY_POINT_GROUPS:
        for ep in entry_points(group=group):
            try:
                obj = ep.load()
            except Exception as error:  # noqa: BLE001 - a broken plug-in must not break every lookup
                logger.warning("Codec entry point %s (%s) failed to load: %s", ep.name, group, error)
                continue
            if isinstance(obj, type) and issubclass(obj, Codec) and obj.name and obj.name not in _registry:
                _register(obj)


# ----------------------------------------------------------------------------- lookup
def parse_codec_name(dtype: str) -> tuple[str, str | None]:
    """``"<blob@cold>"`` -> ``("blob", "cold")``; ``"<blob@>"`` -> ``("blob", "")``; ``"blob"`` -> ``("blob", None)``."""
    m = _REFERENCE.match(dtype) if isinstance(dtype, str) else None
    if m is None or not m.group("name"):
        raise DataJointError(f"Expected a codec reference such as '<blob>' or '<blob@store>'; got {dtype!r}.")
    return m.group("name"), m.group("store")


def get_codec(name: str) -> Codec:
    """The registered codec of a name (brackets and store are ignored).

    Parameters
    ----------
    name : str
        ``"blob"``, ``"<blob>"`` or ``"<blob@store>"``.

    Returns
    -------
    Codec
        The codec instance (one per class).

    Raises
    ------
    DataJointError
        No codec of that name is registered, here or in an installed plug-in; the message
        lists the registered names.

    Examples
    --------
    >>> get_codec("<blob@cold>").name
    'blob'
    """
    codec_name, _ = parse_codec_name(name)
    _load_builtins()
    cls = _registry.get(codec_name)
    if cls is None:
        _load_entry_points()
        cls = _registry.get(codec_name)
    if cls is None:
        raise DataJointError(
            f"Unknown codec <{codec_name}>: no codec of that name is registered. Registered codecs: "
            f"{', '.join(f'<{n}>' for n in sorted(_registry))}. Define a dj.Codec subclass with "
            f"name = {codec_name!r} (run its cell first) or install the package that provides it."
        )
    with _lock:
        inst = _instances.get(cls)
        if inst is None:
            inst = _instances[cls] = cls()
    return inst


def list_codecs() -> list[str]:
    """Sorted names of the registered codecs (built-ins and installed plug-ins included).

    Examples
    --------
    >>> {"attach", "blob", "hash"} <= set(list_codecs())
    True
    """
    _load_builtins()
    _load_entry_points()
    return sorted(_registry)


def resolve_dtype(dtype: str) -> tuple[str, list[Codec], str | None]:
    """Follow a codec chain down to its core storage type.

    Parameters
    ----------
    dtype : str
        A codec reference (``"<blob@cold>"``) or a core type (``"json"``).

    Returns
    -------
    final : str
        The core type of the column (``"bytes"``, ``"json"``...).
    chain : list of Codec
        Codecs from the outermost (applied first on insert) to the innermost.
    store : str or None
        The store: ``None`` in-table, ``""`` the default store, else its name.  An inner
        codec written without a store inherits the outer one.

    Raises
    ------
    DataJointError
        An unknown codec, a codec that refuses the mode (``<hash>`` without ``@``), or a
        chain that comes back to a codec already in it.

    Examples
    --------
    >>> final, chain, store = resolve_dtype("<blob@cold>")
    >>> final, [c.name for c in chain], store
    ('json', ['blob', 'hash'], 'cold')
    >>> resolve_dtype("<blob>")[0]
    'bytes'
    """
    known = _resolved.get(dtype)
    if known is None:
        final, chain, store = _resolve(dtype)
        known = _resolved[dtype] = (final, tuple(chain), store)  # fetch and insert resolve every codec column
    return known[0], list(known[1]), known[2]


def _resolve(dtype: str) -> tuple[str, list[Codec], str | None]:
    chain: list[Codec] = []
    seen: list[str] = []
    store: str | None = None
    current = dtype.strip()
    while current.startswith("<"):
        name, inner_store = parse_codec_name(current)
        if name in seen:
            path = " -> ".join(f"<{n}>" for n in [*seen, name])
            raise DataJointError(f"Codec chain {path} is circular: a codec's storage type leads back to itself.")
        seen.append(name)
        store = inner_store if inner_store is not None else store
        codec = get_codec(name)
        chain.append(codec)
        current = _storage_of(codec, store)
    _check_core(dtype, current, chain)
    return current, chain, store


def _check_core(dtype: str, final: str, chain: list[Codec]) -> None:
    try:
        spec = parse_type(final)
    except DataJointError:
        spec = None
    if spec is None or spec.kind == "codec":
        via = f" (via <{chain[-1].name}>.get_dtype)" if chain else ""
        raise DataJointError(f"{dtype} resolves to {final!r}{via}, which is not a core or native SQL type.")


def _storage_of(codec: Codec, store: str | None) -> str:
    dtype = codec.get_dtype(store is not None)
    if not isinstance(dtype, str) or not dtype.strip():
        raise DataJointError(f"Codec <{codec.name}>.get_dtype() returned {dtype!r}: expected a core type or '<codec>'.")
    dtype = dtype.strip()
    if dtype.startswith("<") and store is not None:
        name, inner = parse_codec_name(dtype)
        if inner is None:  # the store propagates inward
            dtype = f"<{name}@{store}>"
    return dtype
