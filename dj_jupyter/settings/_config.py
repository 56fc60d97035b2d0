"""The Config object: layered lookup, validation, override, templates."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import DataJointError


from ._values import (CONFIG_FILENAME, SECRETS_DIRNAME, SYSTEM_SECRETS_DIR, SQLITE_DEFAULT_NAME, DEFAULT_PORTS, JOBS_LEVEL, _SERVER_KEYS, _RESET, _LAYERS, logger, InvalidSettingError, UnknownSettingError, Secret, _Invalid, _Setting, _TRUE, _FALSE, _boolean, _integer, _text, _pathlike, _path, _optional, _choice, _json_object, _parse_backend, parse_backend, _jobs, SETTINGS, GROUPS, STORE_SECRET_KEYS, _STORE_POINTERS, parse_stores)  # noqa
from ._sources import (find_config_file, _wrap, _read_environment, _parse_env_stores, _flatten_file, _store_item, _set_store_item, _delete_store_item, _mask_stores, _LogFormatter, _install_log_handler, thread_safe_mode)  # noqa


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


def _build_config(cwd: Path | str | None = None, environ: Mapping[str, str] | None = None, **kwargs: Any) -> Config:
    """A fresh, independent Config read from ``cwd`` and ``environ`` (for tests and ``dj.Instance``)."""
    return Config(cwd=cwd, environ=environ, **kwargs)


