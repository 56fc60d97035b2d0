"""Store configuration: one entry of ``dj.config["stores"]`` parsed into a frozen :class:`StoreSpec`.

```
{"protocol": "file", "location": "/data/objects"}
{"protocol": "s3", "endpoint": "s3.amazonaws.com", "bucket": "lab", "location": "project1",
 "access_key": "...", "secret_key": "...", "secure": true, "subfolding": [2, 2]}
```

Required keys depend on the protocol; any key that is neither required nor optional for
it is refused with the list of allowed keys, so a typo never silently falls back to a
default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataJointError

__all__ = ["COMMON_KEYS", "PROTOCOL_KEYS", "StoreSpec", "parse_store_spec"]

COMMON_KEYS = frozenset({
    "subfolding", "partition_pattern", "token_length", "hash_prefix", "schema_prefix", "filepath_prefix", "stage",
})
# protocol -> (required keys, optional keys)
PROTOCOL_KEYS: dict[str, tuple[frozenset, frozenset]] = {
    "file": (frozenset({"protocol", "location"}), frozenset()),
    "s3": (frozenset({"protocol", "endpoint", "bucket", "location"}),
           frozenset({"access_key", "secret_key", "secure", "proxy_server"})),
    "gcs": (frozenset({"protocol", "bucket", "location"}), frozenset({"token", "project"})),
    "azure": (frozenset({"protocol", "container", "location"}),
              frozenset({"account_name", "account_key", "connection_string"})),
}


@dataclass(frozen=True)
class StoreSpec:
    """A validated store configuration (credentials are kept out of ``repr``)."""

    name: str
    protocol: str
    location: str
    hash_prefix: str = "_hash"
    schema_prefix: str = "_schema"
    filepath_prefix: str | None = None
    subfolding: tuple[int, ...] = ()
    partition_pattern: str | None = None
    token_length: int = 8
    endpoint: str | None = None
    bucket: str | None = None
    secure: bool = True
    proxy_server: str | None = None
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    extra: tuple[tuple[str, Any], ...] = field(default=(), repr=False)  # gcs/azure keys, kept verbatim

    def to_dict(self) -> dict[str, Any]:
        """The configuration dict this spec was parsed from (defaults filled in)."""
        out: dict[str, Any] = {"protocol": self.protocol, "location": self.location,
                               "hash_prefix": self.hash_prefix, "schema_prefix": self.schema_prefix,
                               "token_length": self.token_length}
        optional = {"filepath_prefix": self.filepath_prefix, "partition_pattern": self.partition_pattern,
                    "subfolding": list(self.subfolding) or None}
        if self.protocol == "s3":
            optional.update(endpoint=self.endpoint, bucket=self.bucket, secure=self.secure,
                            proxy_server=self.proxy_server, access_key=self.access_key, secret_key=self.secret_key)
        out.update({k: v for k, v in optional.items() if v is not None})
        out.update(dict(self.extra))
        return out


def parse_store_spec(name: str, raw: Mapping[str, Any]) -> StoreSpec:
    """Validate one store's configuration.

    Parameters
    ----------
    name : str
        The store's name (for messages).
    raw : Mapping
        Its entry of ``dj.config["stores"]``.

    Returns
    -------
    StoreSpec

    Raises
    ------
    DataJointError
        Unknown protocol, a missing required key, a key the protocol does not allow (the
        message lists the allowed keys), a ``file`` location that is not an existing
        folder, only one of ``access_key``/``secret_key``, bad ``subfolding`` or
        ``token_length``, or prefixes that are equal or nested.

    Examples
    --------
    >>> parse_store_spec("raw", {"protocol": "file", "location": "."}).hash_prefix
    '_hash'
    """
    if not isinstance(raw, Mapping):
        raise DataJointError(f"Store {name!r}: expected a dict such as {{'protocol': 'file', 'location': '/data'}}; "
                             f"got {type(raw).__name__}.")
    protocol = raw.get("protocol")
    if protocol not in PROTOCOL_KEYS:
        raise DataJointError(f"Store {name!r}: protocol {protocol!r} is not supported; use one of "
                             f"{', '.join(repr(p) for p in PROTOCOL_KEYS)}.")
    required, optional = PROTOCOL_KEYS[protocol]
    missing = sorted(required - set(raw))
    if missing:
        raise DataJointError(f"Store {name!r} ({protocol}) is missing {', '.join(repr(k) for k in missing)}; "
                             f"a {protocol} store needs {', '.join(sorted(required))}.")
    allowed = required | optional | COMMON_KEYS
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise DataJointError(f"Store {name!r} ({protocol}): unknown key {', '.join(repr(k) for k in unknown)}. "
                             f"Allowed keys: {', '.join(sorted(allowed))}.")
    values = _common(name, raw)
    if protocol == "file":
        _check_folder(name, raw["location"])
    if protocol == "s3":
        values.update(_s3(name, raw))
    extra = tuple(sorted((k, raw[k]) for k in optional if k in raw)) if protocol in ("gcs", "azure") else ()
    spec = StoreSpec(name=name, protocol=protocol, location=str(raw["location"]).rstrip("/") if protocol != "file"
                     else str(raw["location"]), extra=extra, **values)
    _check_prefixes(spec)
    return spec


def _common(name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    sub = raw.get("subfolding")
    if sub is not None and (not isinstance(sub, (list, tuple)) or not all(isinstance(n, int) and n > 0 for n in sub)
                            or sum(sub) > 20):
        raise DataJointError(f"Store {name!r}: subfolding must be a list of positive folder-name lengths such as "
                             f"[2, 2]; got {sub!r}.")
    token = raw.get("token_length", 8)
    if not isinstance(token, int) or isinstance(token, bool):
        raise DataJointError(f"Store {name!r}: token_length must be an integer (4 to 16); got {token!r}.")
    values: dict[str, Any] = {"subfolding": tuple(sub or ()), "token_length": min(16, max(4, token))}
    for key in ("hash_prefix", "schema_prefix", "filepath_prefix", "partition_pattern"):
        if raw.get(key) is not None:
            if not isinstance(raw[key], str) or not raw[key].strip("/"):
                raise DataJointError(f"Store {name!r}: {key} must be a non-empty relative path; got {raw[key]!r}.")
            values[key] = raw[key].strip("/")
    return values


def _s3(name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    has_key, has_secret = raw.get("access_key") is not None, raw.get("secret_key") is not None
    if has_key != has_secret:
        given, lacking = ("access_key", "secret_key") if has_key else ("secret_key", "access_key")
        raise DataJointError(
            f"Store {name!r} has {given} but no {lacking}: give both or neither (neither uses the ambient AWS "
            f"credentials). Set config['stores.{name}.{lacking}'] or write it to .secrets/stores.{name}.{lacking}."
        )
    secure = raw.get("secure", True)
    if not isinstance(secure, bool):
        raise DataJointError(f"Store {name!r}: secure must be true or false; got {secure!r}.")
    return {"endpoint": str(raw["endpoint"]), "bucket": str(raw["bucket"]), "secure": secure,
            "proxy_server": raw.get("proxy_server"), "access_key": raw.get("access_key"),
            "secret_key": raw.get("secret_key")}


def _check_folder(name: str, location: Any) -> None:
    if not isinstance(location, (str, Path)) or not Path(location).is_dir():
        raise DataJointError(f"Store {name!r}: location {location!r} is not an existing folder. Create it first "
                             "(the store does not create its root, so a typo cannot scatter files).")


def _check_prefixes(spec: StoreSpec) -> None:
    named = [(k, getattr(spec, k)) for k in ("hash_prefix", "schema_prefix", "filepath_prefix") if getattr(spec, k)]
    for i, (ka, a) in enumerate(named):
        for kb, b in named[i + 1:]:
            if a == b or a.startswith(b + "/") or b.startswith(a + "/"):
                raise DataJointError(f"Store {spec.name!r}: {ka} {a!r} and {kb} {b!r} must be different folders, "
                                     "neither inside the other.")
