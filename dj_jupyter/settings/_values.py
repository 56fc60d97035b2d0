"""Setting definitions: names, defaults, environment variables, value parsers, errors."""

from __future__ import annotations

import copy
import difflib
import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DataJointError, ValidationError


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


