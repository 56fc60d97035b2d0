"""``get_store(name)``: the store configured under a name in ``dj.config["stores"]``.

``None`` and ``""`` mean the default store, ``stores.default`` (``<blob@>`` is written
for "the default store": DataJoint 2.x looks up a store named ``""`` there and fails).
Credentials of S3 stores come from the configuration, or from the files
``.secrets/stores.<name>.access_key`` and ``.secrets/stores.<name>.secret_key``.
Stores are built once per configuration and reused.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from ..errors import DataJointError, UnsupportedError
from ..settings import config as global_config
from .base import Store
from .folder import FolderStore
from .fsspec_store import FsspecStore
from .spec import StoreSpec, parse_store_spec

__all__ = ["get_store", "resolve_store_name", "store_spec"]

_POINTERS = ("default", "filepath_default")
_SECRET_KEYS = ("access_key", "secret_key")
_cache: dict[tuple[str, StoreSpec], Store] = {}
_lock = threading.Lock()


def _config(config: Any) -> Any:
    return global_config if config is None else config


def _stores(config: Any) -> dict[str, Any]:
    stores = config["stores"]
    return stores if isinstance(stores, dict) else {}


def _listing(stores: dict[str, Any]) -> str:
    names = sorted(n for n, s in stores.items() if isinstance(s, dict))
    return ", ".join(repr(n) for n in names) or "none"


def resolve_store_name(name: str | None, *, config: Any = None) -> str:
    """The configured name of a store: ``None``/``""`` -> the value of ``stores.default``.

    Raises
    ------
    DataJointError
        The default is requested but ``stores.default`` is not set.
    """
    if name:
        return name
    stores = _stores(_config(config))
    default = stores.get("default")
    if not default:
        raise DataJointError(
            "The default store is requested (<codec@>) but config['stores.default'] is not set. "
            f"Set it to one of the configured stores ({_listing(stores)}), or name the store: <codec@name>."
        )
    return default


def store_spec(name: str | None = None, *, config: Any = None) -> StoreSpec:
    """The validated configuration of a store (credentials from ``.secrets/`` filled in).

    Raises
    ------
    DataJointError
        The store is not configured (the message lists the configured stores), or its
        configuration is invalid.
    """
    config = _config(config)
    resolved = resolve_store_name(name, config=config)
    stores = _stores(config)
    raw = stores.get(resolved)
    if resolved in _POINTERS or not isinstance(raw, dict):
        raise DataJointError(
            f"Store {resolved!r} is requested but not configured. Configured stores: {_listing(stores)}. "
            f"Add it to 'stores' in datajoint.json or set dj.config['stores.{resolved}'] = "
            "{'protocol': 'file', 'location': '/path/to/folder'}."
        )
    raw = dict(raw)
    if raw.get("protocol") == "s3":
        for key in _SECRET_KEYS:
            if raw.get(key) is None:
                secret = _secret_file(config, resolved, key)
                if secret is not None:
                    raw[key] = secret
    return parse_store_spec(resolved, raw)


def _secret_file(config: Any, store: str, key: str) -> str | None:
    folders = [getattr(config, "secrets_dir", None), Path.cwd() / ".secrets"]
    for folder in folders:
        if folder is None:
            continue
        path = Path(folder) / f"stores.{store}.{key}"
        if path.is_file():
            text = path.read_text(encoding="utf-8").strip()
            if text:
                return text
    return None


def get_store(name: str | None = None, *, config: Any = None) -> Store:
    """The object store configured under ``name``.

    Parameters
    ----------
    name : str, optional
        A store name; ``None`` or ``""`` means ``stores.default``.
    config : Config, optional
        Settings to read (default: ``dj.config``).

    Returns
    -------
    Store
        A :class:`FolderStore` (protocol ``file``) or :class:`FsspecStore` (protocol ``s3``).

    Raises
    ------
    DataJointError
        The store or the default is not configured, or its configuration is invalid
        (unknown key, missing required key, half of a key pair...).

    Examples
    --------
    >>> import tempfile, dj_jupyter as dj
    >>> with dj.config.override(stores={"default": "main",
    ...                                 "main": {"protocol": "file", "location": tempfile.mkdtemp()}}):
    ...     get_store().name
    'main'
    """
    spec = store_spec(name, config=config)
    if spec.protocol not in ("file", "s3"):
        raise UnsupportedError(f"Store {spec.name!r} uses protocol {spec.protocol!r}, which dj_jupyter does not "
                               "support yet: use 'file' or 's3'.")
    key = (spec.name, spec)
    with _lock:
        store = _cache.get(key)
        if store is None:
            store = FolderStore(spec) if spec.protocol == "file" else FsspecStore.from_spec(spec)
            _cache[key] = store
        return store
