"""``dj.config``: settings from defaults, ``.secrets/``, ``datajoint.json``, ``DJ_*`` variables.

Each source is kept as its own *layer* (a dict of dotted keys); a value is looked up
in the order runtime > environment > ``datajoint.json`` > secrets > defaults, so the
precedence is a property of the data structure, not of the order things were loaded.
The ``stores`` setting is the one exception: it is a single mutable dict built once
(file, then ``DJ_STORES``, then secrets) so ``config.stores["x"] = {...}`` works.

Departure from DataJoint: with nothing configured at all the backend is SQLite; as
soon as a server is configured (host, port, user or password) it defaults to MySQL.
Importing this module reads files and the environment but never the network.
"""

from __future__ import annotations

import os

from ._config import Config, _build_config
from ._sources import _install_log_handler, find_config_file, thread_safe_mode
from ._values import (
    CONFIG_FILENAME, DEFAULT_PORTS, SETTINGS, SQLITE_DEFAULT_NAME, InvalidSettingError, Secret, UnknownSettingError,
    logger, parse_backend,
)

__all__ = [
    "CONFIG_FILENAME",
    "Config",
    "InvalidSettingError",
    "Secret",
    "UnknownSettingError",
    "config",
    "find_config_file",
    "parse_backend",
    "thread_safe_mode",
    "logger",
    "DEFAULT_PORTS",
    "SETTINGS",
    "SQLITE_DEFAULT_NAME",
    "_build_config",
]


_install_log_handler(os.environ)
config = Config(manage_logger=True)
