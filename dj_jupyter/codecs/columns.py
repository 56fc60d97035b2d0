"""Codec attributes in inserts and fetches: whole columns through a codec chain.

Insert (:func:`codec_column_encoder`): ``validate`` of the outermost codec on every value,
then each codec's ``encode`` from the outermost to the innermost, one codec at a time over
the whole column (so a value that cannot be serialized fails before anything is uploaded),
then the core encoder of the storage type (``bytes`` or ``json``).  ``None`` stays NULL.

Fetch (:func:`codec_column_decoder`): the core decoder (JSON text parsed first), then each
codec's ``decode`` from the innermost to the outermost.

Each ``encode`` receives ``key`` (the row's primary-key values plus ``_schema``, ``_table``,
``_field``, ``_config``) and, when its signature declares them, ``context`` (``schema``,
``table``, ``field``, ``config``) and ``store_name``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from ..definition.types import parse_type
from ..errors import DataJointError, ValidationError
from ..heading.heading import Attribute
from ..heading.values import column_decoder, column_encoder
from ..settings import config as global_config
from ..stores import StoreError, get_store
from .registry import Codec, CodecTypeError, resolve_dtype

__all__ = ["CodecPlan", "codec_column_decoder", "codec_column_encoder", "plan_codec"]


@dataclass(frozen=True)
class CodecPlan:
    """How one codec attribute is stored: its chain, store and storage attribute."""

    attr: Attribute
    chain: tuple[Codec, ...]
    store: str | None
    storage: Attribute  # the attribute with its core storage type (bytes, json)


def plan_codec(attr: Attribute) -> CodecPlan:
    """Resolve an attribute's codec chain.

    Raises
    ------
    DataJointError
        The codec is not registered (e.g. a table declared elsewhere with a custom codec
        whose class has not been defined in this session).
    """
    try:
        final, chain, store = resolve_dtype(attr.type.text)
    except DataJointError as error:
        raise DataJointError(f"Attribute `{attr.name}` has type {attr.type.text}: {error}") from None
    return CodecPlan(attr, tuple(chain), store, replace(attr, type=parse_type(final)))


@cache
def _declared(cls: type, method: str) -> frozenset[str]:
    """Keyword names a codec method accepts (``**kwargs`` accepts all)."""
    params = inspect.signature(getattr(cls, method)).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return frozenset({"key", "context", "store_name"})
    return frozenset(p.name for p in params)


def _arguments(codec: Codec, method: str, key: dict, context: dict, store: str | None) -> dict[str, Any]:
    accepted = _declared(type(codec), method)
    out: dict[str, Any] = {"key": key} if "key" in accepted else {}
    if "context" in accepted:
        out["context"] = context
    if method == "encode" and "store_name" in accepted:
        out["store_name"] = store
    return out


def _value_error(plan: CodecPlan, row: int, value: Any, error: Exception) -> Exception:
    """The codec's error, naming the attribute and row; store and configuration errors pass as they are."""
    if isinstance(error, StoreError) or (isinstance(error, DataJointError)
                                         and not isinstance(error, (TypeError, ValueError))):
        return error
    text = (f"Attribute `{plan.attr.name}` ({plan.attr.type.text}) cannot store the value at row {row} "
            f"(type {type(value).__name__}): {error}")
    cls = CodecTypeError if isinstance(error, TypeError) else ValidationError
    if isinstance(error, DataJointError):
        try:
            return type(error)(text)
        except TypeError:  # a subclass with another constructor: fall back to ours
            return cls(text)
    return cls(text)


def codec_column_encoder(attr: Attribute, dialect: str, *, schema: str, table: str,
                         config: Any = None) -> Callable[[Sequence[Any], Sequence[dict]], list]:
    """A function encoding one column of insert values of a codec attribute.

    Parameters
    ----------
    attr : Attribute
        A codec attribute (``attr.is_codec``).
    dialect : str
        ``"sqlite"``, ``"mysql"`` or ``"postgresql"``.
    schema, table : str
        Where the rows go (objects are addressed by schema).
    config : Config, optional
        Settings passed to codecs (default ``dj.config``).

    Returns
    -------
    callable
        ``encode(values, keys)``: ``keys[i]`` holds the primary-key values of row ``i``.

    Raises
    ------
    DataJointError
        Unknown codec or store (checked before any value is encoded).
    """
    plan = plan_codec(attr)
    cfg = global_config if config is None else config
    if plan.store is not None:  # an unknown store fails before any value is encoded
        pick = getattr(plan.chain[0], "store_name", None)  # a codec may read <x@> as another default
        get_store(pick(plan.store, cfg) if pick is not None else plan.store, config=cfg)
    context = {"schema": schema, "table": table, "field": attr.name, "config": cfg}
    extra = {"_schema": schema, "_table": table, "_field": attr.name, "_config": cfg}
    store = plan.store or None
    finish = column_encoder(plan.storage, dialect)

    def encode(values: Sequence[Any], keys: Sequence[dict]) -> list:
        column = list(values)
        _validate(plan, column)
        row_keys, whole = None, None
        for codec in plan.chain:
            whole = codec.encode_column(column)
            if whole is not None:
                column = whole
                continue
            if row_keys is None:
                row_keys = [{**k, **extra} for k in keys]
            column = _encode_step(plan, codec, column, row_keys, context, store)
        # a whole-column encode by the innermost codec of a bytes column has made the stored bytes already
        return column if whole is not None and plan.storage.core == "bytes" else finish(column)

    return encode


def _validate(plan: CodecPlan, column: list) -> None:
    """The outermost codec's ``validate`` on every value (skipped for codecs that do not define one)."""
    outer = plan.chain[0]
    if type(outer).validate is Codec.validate:
        return
    for row, value in enumerate(column):
        if value is not None:
            try:
                outer.validate(value)
            except (TypeError, ValueError) as error:
                raise _value_error(plan, row, value, error) from error


def _encode_step(plan: CodecPlan, codec: Codec, column: list, keys: list[dict], context: dict,
                 store: str | None) -> list:
    out = []
    for row, value in enumerate(column):
        if value is None:
            out.append(None)
            continue
        try:
            out.append(codec.encode(value, **_arguments(codec, "encode", keys[row], context, store)))
        except (DataJointError, TypeError, ValueError) as error:
            raise _value_error(plan, row, value, error) from error
    return out


def codec_column_decoder(attr: Attribute, dialect: str, *, config: Any = None) -> Callable[[list], list]:
    """A function decoding one fetched column of a codec attribute (innermost codec first)."""
    plan = plan_codec(attr)
    cfg = global_config if config is None else config
    key, context = {"_config": cfg}, {"config": cfg}
    core = column_decoder(plan.storage, dialect)
    steps = [(codec, _arguments(codec, "decode", key, context, None)) for codec in reversed(plan.chain)]

    def decode(column: list) -> list:
        values = core(column) if core is not None else column
        for codec, kwargs in steps:
            values = codec.decode_column(values, **kwargs)
        return values

    return decode
