"""dj.config: precedence, discovery, secrets, validation, templates, stores.

Every config here is built with ``_build_config`` from a temporary project folder
(marked as a repository root with ``.git`` so discovery never leaves it) and an
explicit environment mapping, so the real working directory and os.environ never
matter.
"""

from __future__ import annotations

import itertools
import json
import logging
from pathlib import Path

import pytest

from dj_jupyter.errors import DataJointError
from dj_jupyter.settings import (
    Config,
    InvalidSettingError,
    Secret,
    UnknownSettingError,
    _build_config,
    config as global_config,
    find_config_file,
    logger,
    parse_backend,
    thread_safe_mode,
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project root: discovery stops here."""
    (tmp_path / ".git").mkdir()
    return tmp_path


def build(folder: Path, env: dict[str, str] | None = None, secrets: Path | None = None) -> Config:
    return _build_config(cwd=folder, environ=env or {}, system_secrets_dir=secrets)


def write_json(folder: Path, content: dict) -> Path:
    path = folder / "datajoint.json"
    path.write_text(json.dumps(content))
    return path


def write_secret(folder: Path, name: str, text: str) -> None:
    (folder / ".secrets").mkdir(exist_ok=True)
    (folder / ".secrets" / name).write_text(text + "\n")


# ---------------------------------------------------------------------- precedence
SOURCES = ("runtime", "env", "file", "secrets")


@pytest.mark.parametrize(
    "present",
    [combo for n in range(len(SOURCES) + 1) for combo in itertools.combinations(SOURCES, n)],
    ids=lambda combo: "+".join(combo) or "none",
)
@pytest.mark.parametrize(("key", "env_var"), [("database.user", "DJ_USER"), ("database.password", "DJ_PASS")])
def test_precedence_runtime_env_file_secrets_default(project, present, key, env_var):
    # the file must exist for .secrets/ beside it to be found, so it always exists
    write_json(project, {key: "from-file"} if "file" in present else {"display.limit": 3})
    if "secrets" in present:
        write_secret(project, key, "from-secrets")
    cfg = build(project, {env_var: "from-env"} if "env" in present else {})
    if "runtime" in present:
        cfg[key] = "from-runtime"
    expected = next((f"from-{source}" for source in SOURCES if source in present), None)
    assert cfg[key] == expected
    assert cfg.source_of(key) == next((s for s in SOURCES if s in present), "default")


def test_env_wins_over_file_for_every_mapped_variable(project):
    write_json(project, {"database": {"port": 3307, "create_tables": True}, "jobs": {"keep_completed": False}})
    cfg = build(project, {"DJ_PORT": "3310", "DJ_CREATE_TABLES": "false", "DJ_JOBS_KEEP_COMPLETED": "yes"})
    assert cfg["database.port"] == 3310
    assert cfg["database.create_tables"] is False
    # DataJoint lets the file win here (unmapped variable); we keep one precedence rule
    assert cfg.jobs.keep_completed is True


def test_environment_variables_are_parsed(project):
    env = {
        "DJ_HOST": "db:3399", "DJ_BACKEND": "postgres", "DJ_USE_TLS": "0", "DJ_LOG_LEVEL": "warning",
        "DJ_DIAGRAM_DIRECTION": "tb", "DJ_DIAGRAM_THEME": "Dark", "DJ_PROVENANCE_CAPTURE": "true",
        "DJ_DATABASE_NAME": "lab", "DJ_JOBS_STALE_TIMEOUT": "60", "DJ_PORT": "",
    }
    cfg = build(project, env)
    assert cfg.database.backend == "postgresql"
    assert cfg.database.use_tls is False
    assert cfg.loglevel == "WARNING"
    assert cfg.display.diagram_direction == "TB"
    assert cfg.display.diagram_theme == "dark"
    assert cfg.provenance.capture is True
    assert cfg.database.name == "lab"
    assert cfg.jobs.stale_timeout == 60
    assert cfg.database.port is None  # an empty variable counts as unset
    assert cfg.effective_port() == 3399  # host:port wins


def test_bad_environment_variable_names_the_variable(project):
    with pytest.raises(InvalidSettingError, match="DJ_PORT expects an integer"):
        build(project, {"DJ_PORT": "mysql"})


def test_runtime_assignment_wins_until_deleted_then_default(project):
    write_json(project, {"database.host": "file-host"})
    cfg = build(project, {"DJ_HOST": "env-host"})
    assert cfg.database.host == "env-host"
    cfg.database.host = "runtime-host"
    assert cfg["database.host"] == "runtime-host"
    del cfg["database.host"]
    assert cfg.database.host == "localhost"
    assert cfg.source_of("database.host") == "default"


def test_reload_rereads_environment_and_forgets_runtime(project):
    env = {"DJ_USER": "first"}
    cfg = build(project, env)
    cfg.safemode = False
    env["DJ_USER"] = "second"
    assert cfg.database.user == "first"
    cfg.reload()
    assert cfg.database.user == "second"
    assert cfg.safemode is True


# ---------------------------------------------------------------------- discovery
def test_discovery_walks_up_from_a_subfolder(project):
    path = write_json(project, {"display.limit": 4})
    deep = project / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config_file(deep) == path.resolve()
    cfg = build(deep)
    assert cfg.config_file == path.resolve()
    assert cfg.display.limit == 4


@pytest.mark.parametrize("marker", [".git", ".hg"])
def test_discovery_stops_after_the_repository_root(tmp_path, marker):
    write_json(tmp_path, {"display.limit": 4})  # above the repository: must not be found
    repo = tmp_path / "repo"
    (repo / marker).mkdir(parents=True)
    (repo / "notebooks").mkdir()
    assert find_config_file(repo / "notebooks") is None
    cfg = build(repo / "notebooks")
    assert cfg.config_file is None
    assert cfg.display.limit == 12


def test_file_in_the_repository_root_itself_is_found(project):
    path = write_json(project, {})
    assert find_config_file(project) == path.resolve()


def test_discovery_uses_the_working_directory_by_default(project, monkeypatch):
    path = write_json(project, {"safemode": False})
    monkeypatch.chdir(project)
    assert find_config_file() == path.resolve()
    assert _build_config(environ={}, system_secrets_dir=None).safemode is False


def test_no_file_is_silent(project, recwarn):
    build(project)
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]


def test_ignore_config_file_skips_file_and_secrets(project):
    write_json(project, {"database.host": "file-host"})
    write_secret(project, "database.user", "secret-user")
    cfg = build(project, {"DJ_IGNORE_CONFIG_FILE": "true"})
    assert cfg.database.host == "localhost"
    assert cfg.database.user is None
    assert cfg.config_file is None


def test_system_secrets_folder_used_without_project_secrets(project, tmp_path_factory):
    system = tmp_path_factory.mktemp("run_secrets")
    (system / "database.user").write_text("svc\n")
    assert build(project, secrets=system).database.user == "svc"


# ---------------------------------------------------------------------- sqlite path
def test_relative_sqlite_name_is_taken_from_the_file_folder(project, monkeypatch):
    write_json(project, {"database": {"backend": "sqlite", "name": "data/lab.db"}})
    sub = project / "notebooks"
    sub.mkdir()
    monkeypatch.chdir(sub)
    cfg = build(sub)
    assert cfg.sqlite_path() == project.resolve() / "data" / "lab.db"


def test_default_sqlite_file_without_config_is_in_the_working_directory_at_use(project, monkeypatch):
    cfg = build(project)
    other = project / "elsewhere"
    other.mkdir()
    monkeypatch.chdir(other)
    assert cfg.sqlite_path() == other.resolve() / "dj_jupyter.db"


def test_absolute_and_memory_sqlite_names_are_kept(project):
    cfg = build(project)
    cfg["database.name"] = project / "abs.db"
    assert cfg.sqlite_path() == project / "abs.db"
    cfg["database.name"] = ":memory:"
    assert cfg.sqlite_path() == Path(":memory:")


# ---------------------------------------------------------------------- backend rule
def test_nothing_configured_means_sqlite(project):
    cfg = build(project)
    assert cfg.database.backend == "sqlite"
    assert cfg["database.backend"] == "sqlite"
    assert cfg.effective_port() is None


def test_a_file_without_a_server_keeps_sqlite(project):
    write_json(project, {"display": {"limit": 3}})
    assert build(project).database.backend == "sqlite"


def test_host_in_file_means_mysql(project):
    write_json(project, {"database": {"host": "db.lab"}})
    cfg = build(project)
    assert cfg.database.backend == "mysql"
    assert cfg.effective_port() == 3306


def test_dj_host_means_mysql(project):
    assert build(project, {"DJ_HOST": "db.lab"}).database.backend == "mysql"


def test_runtime_host_means_mysql_and_reset_returns_to_sqlite(project):
    cfg = build(project)
    cfg.database.host = "db.lab"
    assert cfg.database.backend == "mysql"
    del cfg["database.host"]
    assert cfg.database.backend == "sqlite"


def test_credentials_alone_mean_a_server(project):
    write_secret(project, "database.user", "alice")
    write_json(project, {})
    assert build(project).database.backend == "mysql"


@pytest.mark.parametrize(
    ("file_content", "env", "expected", "port"),
    [
        ({"database": {"host": "db", "backend": "sqlite"}}, {}, "sqlite", None),
        ({"database": {"host": "db"}}, {"DJ_BACKEND": "postgres"}, "postgresql", 5432),
        ({}, {"DJ_BACKEND": "MariaDB"}, "mysql", 3306),
        ({"database.backend": "postgresql", "database.port": 6000}, {}, "postgresql", 6000),
    ],
)
def test_explicit_backend_wins(project, file_content, env, expected, port):
    write_json(project, file_content)
    cfg = build(project, env)
    assert cfg.database.backend == expected
    assert cfg.effective_port() == port


def test_parse_backend_rejects_unknown_names():
    assert parse_backend("Postgres") == "postgresql"
    with pytest.raises(InvalidSettingError, match="one of 'sqlite' or 'mysql' or 'postgresql'"):
        parse_backend("oracle")


# ---------------------------------------------------------------------- file formats
def test_nested_dotted_and_mixed_file_formats(project):
    write_json(project, {
        "database": {"host": "h", "port": 1234},
        "display.limit": 7,
        "jobs": {"default_priority": 2},
        "provenance": {"source": {"lab": "x"}},
        "unknown_key": 1,
        "database.nonsense": 2,
    })
    cfg = build(project)
    assert (cfg.database.host, cfg.database.port, cfg.display.limit) == ("h", 1234, 7)
    assert cfg.jobs.default_priority == 2
    assert cfg.provenance.source == {"lab": "x"}


def test_invalid_value_in_file_warns_and_keeps_the_rest(project):
    write_json(project, {"database": {"port": "not-a-port", "host": "h"}})
    with pytest.warns(UserWarning, match="database.port"):
        cfg = build(project)
    assert cfg.database.port is None
    assert cfg.database.host == "h"


def test_file_that_is_not_json_warns(project):
    (project / "datajoint.json").write_text("{not json")
    with pytest.warns(UserWarning, match="Could not load"):
        cfg = build(project)
    assert cfg.database.backend == "sqlite"


def test_stores_nested_and_dotted_are_merged(project):
    write_json(project, {
        "stores": {"main": {"protocol": "file", "location": "/a"}, "default": "main"},
        "stores.main.subfolding": [2, 2],
        "stores.raw.protocol": "file",
    })
    cfg = build(project)
    assert cfg.stores["main"] == {"protocol": "file", "location": "/a", "subfolding": [2, 2]}
    assert cfg["stores.raw.protocol"] == "file"
    assert cfg["stores.default"] == "main"


def test_dj_stores_replaces_file_stores(project):
    write_json(project, {"stores": {"main": {"protocol": "file", "location": "/a"}}})
    cfg = build(project, {"DJ_STORES": json.dumps({"s3": {"protocol": "s3", "bucket": "b"}})})
    assert set(cfg.stores) == {"s3"}
    assert cfg["stores.s3.bucket"] == "b"


def test_dj_stores_bad_json_is_a_value_error(project):
    with pytest.raises(ValueError, match="DJ_STORES must be a JSON object"):
        build(project, {"DJ_STORES": "{main: "})


def test_store_secrets_fill_only_missing_values(project):
    write_json(project, {"stores": {"main": {"protocol": "s3", "access_key": "file-key"}}})
    write_secret(project, "stores.main.access_key", "secret-key-id")
    write_secret(project, "stores.main.secret_key", "s3cret")
    cfg = build(project)
    assert cfg["stores.main.access_key"] == "file-key"
    assert cfg["stores.main.secret_key"] == "s3cret"
    assert "s3cret" not in repr(cfg)


def test_load_joins_the_file_layer(project, tmp_path_factory):
    other = tmp_path_factory.mktemp("other") / "lab.json"
    other.write_text(json.dumps({"database": {"host": "loaded", "name": "x.db"}}))
    cfg = build(project, {"DJ_HOST": "env-host"})
    cfg.load(other)
    assert cfg.database.host == "env-host"  # environment still wins
    assert cfg.database.name == "x.db"
    assert cfg.sqlite_path() == other.parent / "x.db"
    with pytest.raises(FileNotFoundError):
        cfg.load(project / "missing.json")


# ---------------------------------------------------------------------- API
def test_attribute_and_item_access_agree(project):
    cfg = build(project)
    cfg["display.width"] = 20
    assert cfg.display.width == 20
    cfg.display.width = 21
    assert cfg["display.width"] == 21
    cfg.safemode = False
    assert cfg["safemode"] is False
    cfg["jobs"] = {"keep_completed": True, "stale_timeout": 5}
    assert (cfg.jobs.keep_completed, cfg.jobs.stale_timeout) == (True, 5)
    assert cfg.get("nope.nothing", "fallback") == "fallback"
    assert cfg.get("database.host") == "localhost"
    assert "database.host" in cfg and "database.hots" not in cfg


def test_stores_item_access_and_mutation(project):
    cfg = build(project)
    cfg["stores.main"] = {"protocol": "file", "location": "/a"}
    cfg["stores.main.location"] = "/b"
    cfg.stores["raw"] = {"protocol": "file", "location": "/raw"}
    assert cfg["stores.raw.location"] == "/raw"
    assert cfg.get_store_spec("main") == {"protocol": "file", "location": "/b"}
    del cfg["stores.main.location"]
    assert cfg["stores.main"] == {"protocol": "file"}
    with pytest.raises(KeyError, match="'nope' not found"):
        cfg["stores.nope.location"]
    with pytest.raises(InvalidSettingError, match="stores.bad must be a dict"):
        cfg["stores.bad"] = "oops"


def test_unknown_key_lists_close_matches(project):
    cfg = build(project)
    with pytest.raises(KeyError, match="Did you mean 'database.host'") as info:
        cfg["database.hots"] = "x"
    assert isinstance(info.value, DataJointError)
    with pytest.raises(UnknownSettingError, match="'safemode'"):
        cfg["safemod"]
    with pytest.raises(AttributeError, match="Did you mean 'database.host'"):
        cfg.database.hots
    with pytest.raises(KeyError):
        cfg["fetch_format"] = "frame"  # removed in DataJoint 2.x
    with pytest.raises(KeyError):
        del cfg["no.such"]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("database.port", "abc", "an integer >= 1 or None"),
        ("database.port", True, "an integer"),
        ("safemode", "maybe", "True or False"),
        ("loglevel", "LOUD", "one of 'DEBUG'"),
        ("database.backend", "oracle", "one of 'sqlite'"),
        ("display.limit", 0, "an integer >= 1"),
        ("display.diagram_direction", "RL", "one of 'LR' or 'TB'"),
        ("database.host", 5, "a string"),
        ("provenance.source", {"f": object()}, "JSON-serialisable"),
        ("jobs.version_method", "svn", "one of 'git' or 'none'"),
    ],
)
def test_wrong_types_are_rejected_and_value_kept(project, key, value, expected):
    cfg = build(project)
    before = cfg[key]
    with pytest.raises(InvalidSettingError, match=expected) as info:
        cfg[key] = value
    assert isinstance(info.value, (ValueError, TypeError, DataJointError))
    assert cfg[key] == before


@pytest.mark.parametrize(
    ("key", "value", "stored"),
    [("database.port", "3307", 3307), ("safemode", "no", False), ("database.backend", "postgres", "postgresql"),
     ("query_cache", "/tmp/qc", Path("/tmp/qc")), ("loglevel", "debug", "DEBUG")],
)
def test_lax_coercions(project, key, value, stored):
    cfg = build(project)
    cfg[key] = value
    assert cfg[key] == stored


def test_override_restores_on_exit_and_on_exception(project):
    cfg = build(project, {"DJ_HOST": "env-host"})
    cfg["stores.main"] = {"protocol": "file", "location": "/a"}
    with cfg.override(safemode=False, database__host="x", display__diagram_direction="TB",
                      stores__main__location="/tmp"):
        assert (cfg.safemode, cfg.database.host, cfg.display.diagram_direction) == (False, "x", "TB")
        assert cfg["stores.main.location"] == "/tmp"
    assert (cfg.safemode, cfg.database.host, cfg.display.diagram_direction) == (True, "env-host", "LR")
    assert cfg.source_of("database.host") == "env"
    assert cfg["stores.main.location"] == "/a"
    with pytest.raises(RuntimeError), cfg.override(display__limit=2):
        assert cfg.display.limit == 2
        raise RuntimeError
    assert cfg.display.limit == 12


def test_override_with_a_bad_key_changes_nothing(project):
    cfg = build(project)
    with pytest.raises(KeyError):
        with cfg.override(safemode=False, databse__host="x"):
            pass
    assert cfg.safemode is True


def test_loglevel_sets_the_package_logger(monkeypatch):
    before = logger.level
    with global_config.override(loglevel="ERROR"):
        assert logger.level == logging.ERROR
    assert logger.level == before


# ---------------------------------------------------------------------- passwords
def test_password_never_shown(project, caplog):
    write_json(project, {"database": {"host": "h"}})
    write_secret(project, "database.user", "u")
    caplog.set_level(logging.DEBUG, logger="dj_jupyter")
    cfg = build(project, {"DJ_PASS": "hunter2-env"})
    cfg["database.password"] = "hunter2-runtime"
    with cfg.override(database__password="hunter2-override"):
        shown = [repr(cfg), str(cfg), repr(cfg.database), str(cfg.database.password), repr(cfg.database.password)]
        assert cfg["database.password"] == "hunter2-override"
    for bad in ([1, 2], 3.5):
        with pytest.raises(InvalidSettingError) as info:
            cfg["database.password"] = bad
        shown.append(str(info.value))
    assert all("hunter2" not in text for text in shown + [caplog.text])
    assert "***" in repr(cfg) and "***" in str(cfg)
    assert cfg["database.password"] == "hunter2-runtime"
    assert isinstance(cfg.database.password, Secret)
    assert cfg.database.password.get_secret_value() == "hunter2-runtime"


# ---------------------------------------------------------------------- save_template
def test_save_template_minimal_round_trip(project):
    cfg = build(project, {"DJ_HOST": "db.lab:3307", "DJ_PASS": "pw"})
    target = cfg.save_template(project / "datajoint.json")
    content = json.loads(target.read_text())
    assert content == {"database": {"backend": "mysql", "host": "db.lab:3307", "port": 3307}}
    secrets = project / ".secrets"
    assert (secrets / ".gitignore").read_text() == "*\n"
    assert (secrets / "database.user").read_text() == ""
    assert (secrets / "database.password").read_text() == ""
    reread = build(project)  # empty placeholders fill nothing
    assert (reread.database.backend, reread.database.user, reread.database.password) == ("mysql", None, None)
    with pytest.raises(FileExistsError):
        cfg.save_template(target)


def test_save_template_full_leaves_out_credentials(project):
    cfg = build(project, {"DJ_HOST": "db.lab", "DJ_USER": "alice"})
    cfg["stores.main"] = {"protocol": "s3", "bucket": "b", "secret_key": "sk"}
    cfg["database.password"] = "pw"
    target = cfg.save_template(project / "full.json", minimal=False, create_secrets_dir=False)
    content = json.loads(target.read_text())
    assert content["database"]["backend"] == "mysql"
    assert content["database"]["host"] == "db.lab" and content["database"]["port"] == 3306
    assert "password" not in content["database"] and "user" not in content["database"]
    assert content["display"]["limit"] == 12 and content["jobs"]["stale_timeout"] == 3600
    assert content["stores"] == {"main": {"protocol": "s3", "bucket": "b"}}
    assert not (project / ".secrets").exists()


def test_save_template_sqlite_keeps_sqlite(project):
    cfg = build(project)
    target = cfg.save_template(project / "datajoint.json", create_secrets_dir=False)
    assert json.loads(target.read_text()) == {"database": {"backend": "sqlite", "name": "dj_jupyter.db"}}
    reread = build(project)
    assert reread.database.backend == "sqlite"
    assert reread.sqlite_path() == project.resolve() / "dj_jupyter.db"


# ---------------------------------------------------------------------- get_store_spec
def test_get_store_spec(project):
    write_json(project, {"stores": {
        "default": "main", "filepath_default": "raw",
        "main": {"protocol": "file", "location": "/m"}, "raw": {"protocol": "file", "location": "/r"},
    }})
    cfg = build(project)
    assert cfg.get_store_spec() == {"protocol": "file", "location": "/m"}
    assert cfg.get_store_spec(use_filepath_default=True)["location"] == "/r"
    assert cfg.get_store_spec("raw")["location"] == "/r"
    spec = cfg.get_store_spec("main")
    spec["location"] = "/changed"
    assert cfg["stores.main.location"] == "/m"  # a copy
    with pytest.raises(DataJointError, match="'nope'.*Configured stores: 'main', 'raw'"):
        cfg.get_store_spec("nope")


def test_get_store_spec_without_default(project):
    cfg = build(project)
    with pytest.raises(DataJointError, match=r"config\['stores.default'\] is not set"):
        cfg.get_store_spec()
    with pytest.raises(DataJointError, match="Configured stores: none"):
        cfg.get_store_spec("main")


def test_thread_safe_mode_flag():
    assert thread_safe_mode({"DJ_THREAD_SAFE": "Yes"}) is True
    assert thread_safe_mode({"DJ_THREAD_SAFE": "0"}) is False
    assert thread_safe_mode({}) is False
