"""Where settings come from: datajoint.json discovery, the environment, stores, logging."""

from __future__ import annotations

import copy
import json
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any



from ._values import (CONFIG_FILENAME, SECRETS_DIRNAME, SYSTEM_SECRETS_DIR, SQLITE_DEFAULT_NAME, DEFAULT_PORTS, JOBS_LEVEL, _SERVER_KEYS, _RESET, _LAYERS, logger, InvalidSettingError, UnknownSettingError, Secret, _Invalid, _Setting, _TRUE, _FALSE, _boolean, _integer, _text, _pathlike, _path, _optional, _choice, _json_object, _parse_backend, parse_backend, _jobs, SETTINGS, GROUPS, STORE_SECRET_KEYS, _STORE_POINTERS, parse_stores)  # noqa


def find_config_file(start: Path | None = None) -> Path | None:
    """Find ``datajoint.json`` in ``start`` or the nearest parent folder.

    The walk stops after a folder that contains ``.git`` or ``.hg`` (the project root)
    or at the filesystem root.

    Parameters
    ----------
    start : Path, optional
        Folder to start from; the current working directory by default.

    Returns
    -------
    Path or None
        The absolute path of the file, or None when there is none.
    """
    folder = Path(start if start is not None else Path.cwd()).resolve()
    while True:
        candidate = folder / CONFIG_FILENAME
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists() or (folder / ".hg").exists() or folder.parent == folder:
            return None
        folder = folder.parent


# ---------------------------------------------------------------------- module helpers
def _wrap(key: str, value: Any) -> Any:
    return Secret(value) if SETTINGS[key].secret and value is not None else value


def _read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Parse the mapped DJ_* variables; an empty variable counts as unset."""
    values = {}
    for key, setting in SETTINGS.items():
        text = environ.get(setting.env) if setting.env else None
        if text:
            values[key] = _wrap(key, setting.parse_as(key, text, env=setting.env))
    return values


def _parse_env_stores(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidSettingError(
            f"DJ_STORES must be a JSON object such as '{{\"main\": {{\"protocol\": \"file\", "
            f"\"location\": \"/data\"}}}}'; it is not valid JSON ({error.msg} at position {error.pos})."
        ) from None
    return parse_stores(data, source="DJ_STORES")


def _flatten_file(data: Mapping[str, Any], prefix: str = "") -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a nested or dotted file object into (setting values, stores dict)."""
    values: dict[str, Any] = {}
    stores: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = f"{prefix}{raw_key}"
        if key == "stores" and isinstance(value, Mapping):
            stores.update(value)
        elif key.startswith("stores."):
            _set_store_item(stores, key, value, validate=False)
        elif key in SETTINGS:
            values[key] = value
        elif key in GROUPS and isinstance(value, Mapping):
            nested_values, _ = _flatten_file(value, prefix=key + ".")
            values.update(nested_values)
        else:
            logger.debug("Ignoring unknown setting %r in the configuration file.", key)
    return values, stores


def _store_item(stores: dict[str, Any], key: str) -> Any:
    node: Any = stores
    for part in key.split(".")[1:]:
        if not isinstance(node, dict) or part not in node:
            known = ", ".join(repr(k) for k in node) if isinstance(node, dict) else "none"
            raise UnknownSettingError(f"config[{key!r}] is not set ({part!r} not found; present: {known}).")
        node = node[part]
    return node


def _set_store_item(stores: dict[str, Any], key: str, value: Any, *, validate: bool = True) -> None:
    parts = key.split(".")[1:]
    if not parts:
        new = parse_stores(value, source="config['stores']")
        stores.clear()
        stores.update(new)
        return
    if validate and len(parts) == 1:
        value = parse_stores({parts[0]: value}, source=f"config[{key!r}]")[parts[0]]
    node = stores
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise InvalidSettingError(f"config['stores.{part}'] is {child!r}, not a store dict; cannot set {key!r}.")
        node = child
    node[parts[-1]] = value


def _delete_store_item(stores: dict[str, Any], key: str) -> None:
    parts = key.split(".")[1:]
    if not parts:
        stores.clear()
        return
    parent = _store_item(stores, ".".join(["stores", *parts[:-1]]))
    parent.pop(parts[-1], None)


def _mask_stores(stores: Mapping[str, Any], *, drop: bool) -> dict[str, Any]:
    """Copy of ``stores`` with credentials masked (or dropped, for files to commit)."""
    masked: dict[str, Any] = {}
    for name, spec in stores.items():
        if isinstance(spec, dict):
            spec = {k: v for k, v in spec.items() if not (drop and k in STORE_SECRET_KEYS)}
            spec = {k: ("***" if k in STORE_SECRET_KEYS and v is not None else v) for k, v in spec.items()}
        masked[name] = copy.deepcopy(spec)
    return masked


class _LogFormatter(logging.Formatter):
    """``[time] message`` for INFO, ``[time][LEVEL]: message`` otherwise (as DataJoint)."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = self.formatTime(record, "%Y-%m-%d %H:%M:%S")
        if record.levelno == logging.INFO:
            return f"[{stamp}] {record.getMessage()}"
        return f"[{stamp}][{record.levelname}]: {record.getMessage()}"


def _install_log_handler(environ: Mapping[str, str]) -> None:
    logging.addLevelName(JOBS_LEVEL, "JOBS")
    if logger.handlers:  # re-imports (autoreload) must not stack handlers
        return
    stream = sys.stderr if environ.get("DJ_LOG_STREAM", "stdout").lower() == "stderr" else sys.stdout
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_LogFormatter())
    logger.addHandler(handler)


def thread_safe_mode(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``DJ_THREAD_SAFE`` asks for thread-safe mode (global config and connection forbidden).

    The package's ``dj.config`` proxy and ``dj.conn()`` consult this; the
    :class:`Config` objects themselves (e.g. inside ``dj.Instance``) always work.
    """
    value = (os.environ if environ is None else environ).get("DJ_THREAD_SAFE", "")
    return value.strip().lower() in ("true", "1", "yes")


