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

import contextlib
import copy
import difflib
import json
import logging
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DataJointError, ValidationError

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
]

CONFIG_FILENAME = "datajoint.json"
SECRETS_DIRNAME = ".secrets"
SYSTEM_SECRETS_DIR = Path("/run/secrets/datajoint")
SQLITE_DEFAULT_NAME = "dj_jupyter.db"
DEFAULT_PORTS = {"mysql": 3306, "postgresql": 5432, "sqlite": None}
JOBS_LEVEL = 15  # DataJoint's custom level for "Making/Success/Error making ..." lines

# keys whose presence outside the defaults means "the user has a database server"
_SERVER_KEYS = ("database.host", "database.port", "database.user", "database.password")
_RESET = object()  # runtime-layer marker left by ``del config[key]``: use the default
_LAYERS = ("runtime", "env", "file", "secrets")

logger = logging.getLogger("dj_jupyter")


# ---------------------------------------------------------------------- errors and values
class InvalidSettingError(ValidationError, TypeError):
    """A setting was given a value of the wrong type or outside its allowed values.

    Also a ``ValueError`` and a ``TypeError``, so either ``except`` clause catches it.
    """


class UnknownSettingError(DataJointError, KeyError):
    """A setting name (or store entry) that does not exist."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""

    @classmethod
    def for_key(cls, key: str, known: Iterable[str]) -> UnknownSettingError:
        """The error for ``key``, naming the closest known settings."""
        close = difflib.get_close_matches(key, list(known), n=3, cutoff=0.6)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        return cls(f"Unknown setting {key!r}.{hint} config.keys() lists every setting.")


class Secret:
    """A password that prints as ``***``; ``get_secret_value()`` returns the text."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        """The plain text."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class _Invalid(Exception):
    """Raised by a parser; carries what was expected."""


@dataclass(frozen=True)
class _Setting:
    default: Any
    parse: Callable[[Any], Any]
    env: str | None = None
    secret: bool = False

    def parse_as(self, key: str, value: Any, *, env: str | None = None) -> Any:
        """Validate ``value`` for ``key``; secrets never appear in the message."""
        try:
            return self.parse(value)
        except _Invalid as bad:
            where = f"Environment variable {env}" if env else f"config[{key!r}]"
            got = f"a value of type {type(value).__name__}" if self.secret else f"{value!r}"
            raise InvalidSettingError(f"{where} expects {bad}; got {got}.") from None


_TRUE = {"true", "1", "yes", "on", "y", "t"}
_FALSE = {"false", "0", "no", "off", "n", "f"}


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _Invalid("True or False (or 'true'/'false', 'yes'/'no', 1/0)")


def _integer(minimum: int | None = None) -> Callable[[Any], int]:
    expected = "an integer" + (f" >= {minimum}" if minimum is not None else "")

    def parse(value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid(expected)
        if minimum is not None and value < minimum:
            raise _Invalid(expected)
        return value

    return parse


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("a string")
    return value


def _pathlike(value: Any) -> str:
    if not isinstance(value, (str, os.PathLike)):
        raise _Invalid("a path (string or pathlib.Path)")
    return os.fspath(value)


def _path(value: Any) -> Path:
    return Path(_pathlike(value))


def _optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def parse_optional(value: Any) -> Any:
        if value is None:
            return None
        try:
            return parse(value)
        except _Invalid as bad:
            raise _Invalid(f"{bad} or None") from None

    return parse_optional


def _choice(*values: str, aliases: Mapping[str, str] | None = None, upper: bool = False):
    options = " or ".join(repr(v) for v in values)

    def parse(value: Any) -> str:
        if isinstance(value, str):
            text = value.strip().upper() if upper else value.strip().lower()
            text = (aliases or {}).get(text, text)
            if text in values:
                return text
        raise _Invalid(f"one of {options}")

    return parse


def _json_object(value: Any) -> dict[str, Any]:
    if isinstance(value, str):  # from DJ_PROVENANCE_SOURCE
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise _Invalid("a JSON object") from None
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        raise _Invalid("a JSON-serialisable dict") from None
    if not isinstance(value, dict):
        raise _Invalid("a JSON-serialisable dict")
    return value


_parse_backend = _choice("sqlite", "mysql", "postgresql", aliases={"postgres": "postgresql", "mariadb": "mysql"})


def parse_backend(value: Any) -> str:
    """Normalise a backend name: ``"sqlite"``, ``"mysql"`` (alias ``"mariadb"``) or
    ``"postgresql"`` (alias ``"postgres"``).

    Raises
    ------
    InvalidSettingError
        The name is none of these.

    Examples
    --------
    >>> parse_backend("Postgres")
    'postgresql'
    """
    return _Setting(None, _parse_backend).parse_as("database.backend", value)


def _jobs(name: str, default: Any, parse: Callable[[Any], Any]) -> tuple[str, _Setting]:
    return f"jobs.{name}", _Setting(default, parse, f"DJ_JOBS_{name.upper()}")


SETTINGS: dict[str, _Setting] = dict(
    [
        ("database.host", _Setting("localhost", _text, "DJ_HOST")),
        ("database.user", _Setting(None, _optional(_text), "DJ_USER")),
        ("database.password", _Setting(None, _optional(_text), "DJ_PASS", secret=True)),
        ("database.backend", _Setting(None, _optional(_parse_backend), "DJ_BACKEND")),
        ("database.port", _Setting(None, _optional(_integer(1)), "DJ_PORT")),
        ("database.name", _Setting(None, _optional(_pathlike), "DJ_DATABASE_NAME")),
        ("database.reconnect", _Setting(True, _boolean)),
        ("database.use_tls", _Setting(None, _optional(_boolean), "DJ_USE_TLS")),
        ("database.database_prefix", _Setting("", _text, "DJ_DATABASE_PREFIX")),
        ("database.create_tables", _Setting(True, _boolean, "DJ_CREATE_TABLES")),
        ("connection.charset", _Setting("", _text)),
        ("display.limit", _Setting(12, _integer(1))),
        ("display.width", _Setting(14, _integer(1))),
        ("display.show_tuple_count", _Setting(True, _boolean)),
        ("display.diagram_direction", _Setting("LR", _choice("LR", "TB", upper=True), "DJ_DIAGRAM_DIRECTION")),
        ("display.diagram_theme", _Setting("auto", _choice("auto", "light", "dark"), "DJ_DIAGRAM_THEME")),
        _jobs("auto_refresh", True, _boolean),
        _jobs("keep_completed", False, _boolean),
        _jobs("stale_timeout", 3600, _integer(0)),
        _jobs("default_priority", 5, _integer(0)),
        _jobs("version_method", None, _optional(_choice("git", "none"))),
        _jobs("allow_new_pk_fields_in_computed_tables", False, _boolean),
        _jobs("add_job_metadata", False, _boolean),
        ("provenance.capture", _Setting(False, _boolean, "DJ_PROVENANCE_CAPTURE")),
        ("provenance.source", _Setting({}, _json_object, "DJ_PROVENANCE_SOURCE")),
        ("loglevel", _Setting("INFO", _choice("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", upper=True), "DJ_LOG_LEVEL")),
        ("safemode", _Setting(True, _boolean)),
        ("ignore_config_file", _Setting(False, _boolean, "DJ_IGNORE_CONFIG_FILE")),
        ("query_cache", _Setting(None, _optional(_path))),
        ("download_path", _Setting(".", _pathlike)),
    ]
)
GROUPS = ("database", "connection", "display", "jobs", "provenance")
# store keys holding credentials: masked in repr, left out of templates
STORE_SECRET_KEYS = frozenset({"access_key", "secret_key", "account_key", "connection_string", "token", "password"})
_STORE_POINTERS = ("default", "filepath_default")  # names whose value is another store's name


def parse_stores(data: Any, *, source: str) -> dict[str, Any]:
    """Validate the shape of a ``stores`` dict (the stores layer checks each spec's keys)."""
    if not isinstance(data, Mapping):
        raise InvalidSettingError(f"{source}: 'stores' must be a dict of store name -> dict; got {type(data).__name__}.")
    stores: dict[str, Any] = {}
    for name, spec in data.items():
        if name in _STORE_POINTERS:
            if spec is not None and not isinstance(spec, str):
                raise InvalidSettingError(
                    f"{source}: stores.{name} must name a store (a string); got {type(spec).__name__}."
                )
        elif not isinstance(spec, Mapping) or not all(isinstance(k, str) for k in spec):
            raise InvalidSettingError(
                f"{source}: stores.{name} must be a dict such as "
                f"{{'protocol': 'file', 'location': '/data'}}; got {type(spec).__name__}."
            )
        stores[str(name)] = copy.deepcopy(dict(spec)) if isinstance(spec, Mapping) else spec
    return stores


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


class _GroupView:
    """Attribute access to one group of settings: ``config.database.host``."""

    def __init__(self, config: Config, group: str) -> None:
        object.__setattr__(self, "_config", config)
        object.__setattr__(self, "_group", group)

    def _key(self, name: str) -> str:
        key = f"{self._group}.{name}"
        if key not in SETTINGS:
            raise AttributeError(str(UnknownSettingError.for_key(key, SETTINGS)))
        return key

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._config._value(self._key(name), reveal=False)

    def __setattr__(self, name: str, value: Any) -> None:
        self._config[self._key(name)] = value

    def __delattr__(self, name: str) -> None:
        del self._config[self._key(name)]

    def __dir__(self) -> list[str]:
        return [k.split(".", 1)[1] for k in SETTINGS if k.startswith(self._group + ".")]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self.to_dict() == dict(other)
        return NotImplemented

    def to_dict(self) -> dict[str, Any]:
        """The group's values as a dict (secrets stay masked)."""
        return {name: getattr(self, name) for name in self.__dir__()}

    def __repr__(self) -> str:
        return f"{self._group}: {self.to_dict()!r}"


class Config:
    """DataJoint settings with layered precedence (see the module docstring).

    ``Config()`` loads the environment and the nearest ``datajoint.json`` at once.

    Parameters
    ----------
    cwd : Path, optional
        Folder where the search for ``datajoint.json`` starts (default: the current
        working directory at load time).
    environ : Mapping, optional
        Environment variables to read (default: ``os.environ``).
    system_secrets_dir : Path, optional
        Secrets folder used when no ``.secrets/`` sits beside ``datajoint.json``.

    Examples
    --------
    >>> cfg = Config(environ={})
    >>> with cfg.override(safemode=False, display__limit=3):
    ...     cfg["display.limit"]
    3
    """

    def __init__(
        self,
        *,
        cwd: Path | str | None = None,
        environ: Mapping[str, str] | None = None,
        system_secrets_dir: Path | None = SYSTEM_SECRETS_DIR,
        manage_logger: bool = False,
    ) -> None:
        attrs = {"_cwd": cwd, "_environ": environ, "_system_secrets": system_secrets_dir,
                 "_manage_logger": manage_logger}
        for name, value in attrs.items():
            object.__setattr__(self, name, value)
        self.reload()

    # ------------------------------------------------------------------ loading
    def reload(self) -> None:
        """Forget runtime assignments; read the environment, file and secrets again."""
        object.__setattr__(self, "_layers", {name: {} for name in _LAYERS})
        object.__setattr__(self, "_stores", {})
        object.__setattr__(self, "_config_file", None)
        object.__setattr__(self, "_secrets_dir", None)
        environ = os.environ if self._environ is None else self._environ
        self._layers["env"].update(_read_environment(environ))
        path = None
        if not self._value("ignore_config_file"):
            path = find_config_file(Path(self._cwd) if self._cwd is not None else None)
            if path is None:
                logger.debug("No %s found; using defaults and DJ_* variables.", CONFIG_FILENAME)
        if path is not None:
            try:
                self._read_file(path, strict=False)
            except (OSError, ValueError) as error:
                warnings.warn(f"Could not load {path}: {error}. Continuing without it.", stacklevel=2)
        if environ.get("DJ_STORES"):
            self._stores.clear()
            self._stores.update(_parse_env_stores(environ["DJ_STORES"]))
        if not self._value("ignore_config_file"):
            self._read_secrets(path)
        self._apply_loglevel()

    def load(self, filename: str | Path) -> None:
        """Read settings from a JSON file, as if it were the project's ``datajoint.json``.

        Its values join the file layer (environment variables and runtime assignments
        still win); relative SQLite paths and ``.secrets/`` are then taken from its folder.

        Raises
        ------
        FileNotFoundError
            The file does not exist.
        InvalidSettingError
            A known setting has a value of the wrong type.
        """
        path = Path(filename)
        if not path.is_file():
            raise FileNotFoundError(f"Config file not found: {path.absolute()}")
        self._read_file(path.absolute(), strict=True)
        self._read_secrets(path.absolute())
        self._apply_loglevel()

    def _read_file(self, path: Path, *, strict: bool) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise InvalidSettingError(f"{path} must hold a JSON object; got {type(data).__name__}.")
        logger.info("Loading configuration from %s", path)
        values, stores = _flatten_file(data)
        for key, raw in values.items():
            try:
                self._layers["file"][key] = _wrap(key, SETTINGS[key].parse_as(key, raw))
            except InvalidSettingError as error:
                if strict:
                    raise
                warnings.warn(f"Ignoring a setting in {path}: {error}", stacklevel=3)
        for name, spec in parse_stores(stores, source=str(path)).items():
            if isinstance(spec, dict) and isinstance(self._stores.get(name), dict):
                self._stores[name].update(spec)
            else:
                self._stores[name] = spec
        object.__setattr__(self, "_config_file", path)

    def _read_secrets(self, config_file: Path | None) -> None:
        folder = config_file.parent / SECRETS_DIRNAME if config_file is not None else None
        if folder is None or not folder.is_dir():
            folder = self._system_secrets
        if folder is None or not Path(folder).is_dir():
            return
        object.__setattr__(self, "_secrets_dir", Path(folder))
        for entry in sorted(Path(folder).iterdir()):
            text = entry.read_text(encoding="utf-8").strip() if entry.is_file() else ""
            if not text:  # empty placeholder files written by save_template
                continue
            if entry.name in ("database.user", "database.password"):
                self._layers["secrets"][entry.name] = _wrap(entry.name, text)
            elif entry.name.startswith("stores."):
                self._fill_store_secret(entry.name, text)
        logger.debug("Read secrets from %s", folder)

    def _fill_store_secret(self, filename: str, text: str) -> None:
        parts = filename.split(".")
        if len(parts) != 3 or not isinstance(self._stores.get(parts[1]), dict):
            logger.debug("Secret file %s names no configured store; ignored.", filename)
            return
        self._stores[parts[1]].setdefault(parts[2], text)

    # ------------------------------------------------------------------ lookup
    def _lookup(self, key: str) -> tuple[str, Any]:
        for layer in _LAYERS:
            if key in self._layers[layer]:
                value = self._layers[layer][key]
                if value is _RESET:
                    break
                return layer, value
        return "default", copy.deepcopy(SETTINGS[key].default)

    def _value(self, key: str, *, reveal: bool = True) -> Any:
        if key == "database.backend":
            return self._effective_backend()
        value = self._lookup(key)[1]
        if isinstance(value, Secret) and reveal:
            return value.get_secret_value()
        return value

    def source_of(self, key: str) -> str:
        """Which layer supplies ``key``: "runtime", "env", "file", "secrets" or "default"."""
        self._check_key(key)
        return "runtime" if key.startswith("stores") else self._lookup(key)[0]

    def _effective_backend(self) -> str:
        layer, backend = self._lookup("database.backend")
        if backend is not None:
            return backend
        if any(self._lookup(key)[0] != "default" for key in _SERVER_KEYS):
            return "mysql"
        return "sqlite"

    def effective_port(self) -> int | None:
        """The port to connect to: ``host:port`` wins, then ``database.port``, then the backend's default."""
        host = self._value("database.host") or ""
        if host.count(":") == 1 and host.rsplit(":", 1)[1].isdigit():
            return int(host.rsplit(":", 1)[1])
        port = self._value("database.port")
        return port if port is not None else DEFAULT_PORTS[self._effective_backend()]

    def sqlite_path(self) -> Path:
        """Absolute path of the SQLite database file (``database.name``, default ``dj_jupyter.db``).

        A relative name is taken from the folder of the ``datajoint.json`` that was found,
        else from the current working directory now.  ``":memory:"`` is returned as is.
        """
        name = str(self._value("database.name") or SQLITE_DEFAULT_NAME)
        if name == ":memory:":
            return Path(name)
        path = Path(name).expanduser()
        if not path.is_absolute():
            base = self._config_file.parent if self._config_file is not None else Path.cwd()
            path = base / path
        return Path(os.path.abspath(path))

    @property
    def config_file(self) -> Path | None:
        """The ``datajoint.json`` that was read, if any."""
        return self._config_file

    @property
    def secrets_dir(self) -> Path | None:
        """The secrets folder that was read, if any."""
        return self._secrets_dir

    # ------------------------------------------------------------------ mapping API
    def keys(self) -> list[str]:
        """All setting names (dotted), plus ``"stores"``."""
        return [*SETTINGS, "stores"]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except (KeyError, TypeError):
            return False
        return True

    def _check_key(self, key: str) -> None:
        if not isinstance(key, str):
            raise TypeError(f"Setting names are dotted strings such as 'database.host'; got {key!r}.")
        if key in SETTINGS or key in GROUPS or key == "stores" or key.startswith("stores."):
            return
        raise UnknownSettingError.for_key(key, [*SETTINGS, *GROUPS, "stores"])

    def __getitem__(self, key: str) -> Any:
        self._check_key(key)
        if key in GROUPS:
            return _GroupView(self, key)
        if key == "stores" or key.startswith("stores."):
            return _store_item(self._stores, key)
        return self._value(key)

    def get(self, key: str, default: Any = None) -> Any:
        """``config[key]``, or ``default`` when the key is unknown or the store is missing."""
        try:
            return self[key]
        except KeyError:
            return default

    def __setitem__(self, key: str, value: Any) -> None:
        self._check_key(key)
        if key in GROUPS:
            self._set_group(key, value)
        elif key == "stores" or key.startswith("stores."):
            _set_store_item(self._stores, key, value)
        else:
            self._layers["runtime"][key] = _wrap(key, SETTINGS[key].parse_as(key, value))
            if key == "loglevel":
                self._apply_loglevel()

    def _set_group(self, group: str, value: Any) -> None:
        if not isinstance(value, Mapping):
            raise InvalidSettingError(
                f"config[{group!r}] expects a dict of its settings; got {type(value).__name__}. "
                f"Or set one value: config['{group}.<name>'] = value."
            )
        parsed = {}
        for name, item in value.items():
            key = f"{group}.{name}"
            self._check_key(key)
            parsed[key] = _wrap(key, SETTINGS[key].parse_as(key, item))
        self._layers["runtime"].update(parsed)  # all or nothing
        self._apply_loglevel()

    def __delitem__(self, key: str) -> None:
        """Reset ``key`` to its default (ignoring file and environment values too)."""
        self._check_key(key)
        if key == "stores" or key.startswith("stores."):
            _delete_store_item(self._stores, key)
            return
        keys = [k for k in SETTINGS if k.startswith(key + ".")] if key in GROUPS else [key]
        for each in keys:
            self._layers["runtime"][each] = _RESET
        self._apply_loglevel()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            self._check_key(name)
        except UnknownSettingError as error:
            raise AttributeError(str(error)) from None
        if name in GROUPS:
            return _GroupView(self, name)
        if name == "stores":
            return self._stores
        return self._value(name, reveal=False)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            raise AttributeError(f"Config has no attribute {name!r}.")
        self[name] = value

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *GROUPS, "stores", *(k for k in SETTINGS if "." not in k)})

    # ------------------------------------------------------------------ helpers
    @contextlib.contextmanager
    def override(self, **settings: Any) -> Iterator[Config]:
        """Set values for the duration of a ``with`` block; ``__`` separates levels.

        Examples
        --------
        >>> cfg = Config(environ={})
        >>> with cfg.override(database__host="db.example.org"):
        ...     cfg.database.host
        'db.example.org'
        >>> cfg.database.host
        'localhost'
        """
        keys = {name: name.replace("__", ".") for name in settings}
        for key in keys.values():
            self._check_key(key)
        saved = copy.copy(self._layers["runtime"])
        saved_stores = copy.deepcopy(self._stores)
        try:
            for name, key in keys.items():
                self[key] = settings[name]
            yield self
        finally:
            self._layers["runtime"].clear()
            self._layers["runtime"].update(saved)
            self._stores.clear()
            self._stores.update(saved_stores)
            self._apply_loglevel()

    def get_store_spec(self, store: str | None = None, *, use_filepath_default: bool = False) -> dict[str, Any]:
        """The configuration dict of a store (a copy).

        Parameters
        ----------
        store : str, optional
            Store name; None means ``stores.default`` (or ``stores.filepath_default``
            when ``use_filepath_default`` is true).

        Raises
        ------
        DataJointError
            The store (or the default) is not configured; the message lists the stores.
        """
        configured = sorted(n for n, s in self._stores.items() if isinstance(s, dict))
        listing = ", ".join(repr(n) for n in configured) or "none"
        if store is None:
            pointer = "filepath_default" if use_filepath_default else "default"
            store = self._stores.get(pointer)
            if not store:
                raise DataJointError(
                    f"No store given and config['stores.{pointer}'] is not set. "
                    f"Set it to one of the configured stores ({listing}) or name the store."
                )
        spec = self._stores.get(store)
        if not isinstance(spec, dict):
            raise DataJointError(
                f"Store {store!r} is requested but not configured. Configured stores: {listing}. "
                f"Add it to 'stores' in {CONFIG_FILENAME} or set config['stores.{store}'] = {{...}}."
            )
        return copy.deepcopy(spec)

    def save_template(
        self, path: str | Path = CONFIG_FILENAME, minimal: bool = True, create_secrets_dir: bool = True
    ) -> Path:
        """Write a ``datajoint.json`` from the current settings (never credentials).

        Parameters
        ----------
        path : str or Path
            File to write; it must not exist yet.
        minimal : bool
            Only the connection settings (True) or every setting (False).
        create_secrets_dir : bool
            Also create ``.secrets/`` beside it with empty ``database.user`` and
            ``database.password`` files and a ``.gitignore`` that ignores everything.

        Returns
        -------
        Path
            The file written.

        Raises
        ------
        FileExistsError
            ``path`` already exists.
        """
        target = Path(path)
        if target.exists():
            raise FileExistsError(f"{target} already exists; choose another path or edit it by hand.")
        content = self._template(minimal=minimal)
        target.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
        if create_secrets_dir:
            folder = target.parent / SECRETS_DIRNAME
            folder.mkdir(exist_ok=True)
            for name, text in (("database.user", ""), ("database.password", ""), (".gitignore", "*\n")):
                if not (folder / name).exists():
                    (folder / name).write_text(text, encoding="utf-8")
        logger.info("Wrote configuration template %s", target)
        return target

    def _template(self, *, minimal: bool) -> dict[str, Any]:
        backend = self._effective_backend()
        database: dict[str, Any] = {"backend": backend}
        if backend == "sqlite":
            database["name"] = self._value("database.name") or SQLITE_DEFAULT_NAME
        else:
            database.update(host=self._value("database.host"), port=self.effective_port())
        if minimal:
            return {"database": database}
        content: dict[str, Any] = {}
        for key in SETTINGS:
            if key not in ("database.user", "database.password", "ignore_config_file"):
                group, _, name = key.rpartition(".")
                value = self._value(key)
                (content.setdefault(group, {}) if group else content)[name] = (
                    str(value) if isinstance(value, Path) else value
                )
        content["database"].update(database)
        content["stores"] = _mask_stores(self._stores, drop=True)
        return content

    def _apply_loglevel(self) -> None:
        if self._manage_logger:
            logger.setLevel(self._value("loglevel"))

    def to_dict(self) -> dict[str, Any]:
        """All settings as a nested dict with secrets shown as ``'***'``."""
        content: dict[str, Any] = {}
        for key in SETTINGS:
            group, _, name = key.rpartition(".")
            value = self._value(key, reveal=False)
            (content.setdefault(group, {}) if group else content)[name] = (
                str(value) if isinstance(value, Secret) else value
            )
        content["stores"] = _mask_stores(self._stores, drop=False)
        return content

    def __repr__(self) -> str:
        return f"Config({self.to_dict()!r})"

    def __str__(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=str)


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


def _build_config(cwd: Path | str | None = None, environ: Mapping[str, str] | None = None, **kwargs: Any) -> Config:
    """A fresh, independent Config read from ``cwd`` and ``environ`` (for tests and ``dj.Instance``)."""
    return Config(cwd=cwd, environ=environ, **kwargs)


_install_log_handler(os.environ)
config = Config(manage_logger=True)
