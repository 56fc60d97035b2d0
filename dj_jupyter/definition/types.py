"""Attribute types of the definition language: the catalogue and :func:`parse_type`.

A declared type is one of three kinds, tried in this order:

* **core** types, portable across backends and recorded in the column comment
  (``int32``, ``uint16``, ``varchar(100)``, ``enum('a', 'b')``, ``decimal(6,2)``...);
  their names are case-sensitive lower case;
* **native** SQL types passed through with a portability warning (``int unsigned``,
  ``double``, ``longblob``...), matched case-insensitively;
* **codec** types in angle brackets (``<blob>``, ``<npy@>``, ``<blob@cold>``).

Nothing here knows about SQL dialects: mapping a :class:`TypeSpec` to a column type
is the job of the per-dialect type tables in ``dj_jupyter.sql``.

Layering note: the definition parser imports this module to classify attribute types;
it depends only on ``dj_jupyter.errors`` and ``dj_jupyter.definition.syntax``.
"""

from __future__ import annotations

import difflib
import re

from ..definition.syntax import TypeSpec
from ..errors import DataJointError

__all__ = [
    "CORE_TYPES",
    "TypeParseError",
    "parse_type",
    "read_string_literal",
    "is_native_warning_needed",
    "recommended_core_type",
    "native_type_warning",
]

#: Names of the core types (``TypeSpec.name`` of every core ``TypeSpec``).
CORE_TYPES: tuple[str, ...] = (
    "int8", "int16", "int32", "int64",
    "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "bool", "uuid", "json", "bytes", "date",
    "datetime", "char", "varchar", "enum", "decimal",
)  # fmt: skip

# core types written without arguments; ``jsonb`` is an accepted spelling of ``json``
_BARE_CORE = frozenset(CORE_TYPES[:15]) | {"jsonb"}
_ALL_CORE_WORDS = frozenset(CORE_TYPES) | {"jsonb"}

# how the core types are listed in error messages
_CORE_LISTING = (
    "int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64, bool, uuid, "
    "json, bytes, date, datetime, datetime(n), char(n), varchar(n), enum('a', 'b', ...), decimal(p,s)"
)
_EXPECTED_ANY = "a core type, a native SQL type, or a codec <name>"

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STORE = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")

_MAX_LENGTH = {"char": 255, "varchar": 65535}
_MAX_DECIMAL_PRECISION = 65

# native families, matched against the normalised lower-case text (see _normalise)
_MODIFIERS = r"(?: unsigned)?(?: zerofill)?"
_NATIVE_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (family, re.compile(pattern))
    for family, pattern in (
        ("integer", r"(tinyint|smallint|mediumint|int|integer|bigint)(\(\d+\))?" + _MODIFIERS + r"(?: auto_increment)?"),
        ("serial", r"serial"),
        ("decimal", r"(numeric|decimal|dec|fixed)(\(\d+(?:,\d+)?\))?" + _MODIFIERS),
        ("float", r"(float|double precision|double|real)(\(\d+(?:,\d+)?\))?" + _MODIFIERS),
        ("temporal", r"(time|timestamp|year)(\(\d+\))?"),
        ("blob", r"(tinyblob|blob|mediumblob|longblob)"),
        ("text", r"(tinytext|text|mediumtext|longtext)"),
        ("string", r"(char|varchar)\(\d+\)(?: binary| (?:character set|charset) \w+| collate \w+)+"),
    )
)

# recommended core type for a native base type (signed, unsigned)
_INTEGER_CORE = {
    "tinyint": ("int8", "uint8"),
    "smallint": ("int16", "uint16"),
    "mediumint": ("int32", "uint32"),
    "int": ("int32", "uint32"),
    "integer": ("int32", "uint32"),
    "bigint": ("int64", "uint64"),
}
_FLOAT_CORE = {"float": "float32", "double": "float64", "double precision": "float64", "real": "float64"}


class TypeParseError(DataJointError, ValueError):
    """An attribute type could not be parsed.

    Raised by :func:`parse_type`.  ``position`` is the 0-based offset of the offending
    character inside the type text as given, ``expected`` says what would have been valid
    there and ``text`` is the type text itself; the definition parser turns these into a
    line and column.
    """

    def __init__(self, message: str, *, text: str = "", position: int = 0, expected: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position
        self.expected = expected

    def __str__(self) -> str:
        return self.message

    def suggest(self, *args: object) -> "TypeParseError":
        extra = " ".join(str(a) for a in args)
        return TypeParseError(
            f"{self.message} {extra}", text=self.text, position=self.position, expected=self.expected
        )


def read_string_literal(text: str, start: int) -> tuple[str, int] | None:
    """Read the quoted string that begins at ``text[start]``.

    Either quote character may open the string.  Inside it, the opening quote is written
    doubled (``'it''s'``) or backslash-escaped (``'it\\'s'``); ``\\\\`` is one backslash,
    any other backslash is kept as written.

    Parameters
    ----------
    text : str
        The text to read from.
    start : int
        Index of the opening quote.

    Returns
    -------
    tuple of (str, int) or None
        The unquoted value and the index just after the closing quote, or ``None`` when
        the string is not terminated.

    Examples
    --------
    >>> read_string_literal("'it''s' rest", 0)
    ("it's", 7)
    """
    quote = text[start]
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "\\'\"":
            chars.append(text[i + 1])
            i += 2
        elif ch == quote and text[i + 1 : i + 2] == quote:
            chars.append(quote)
            i += 2
        elif ch == quote:
            return "".join(chars), i + 1
        else:
            chars.append(ch)
            i += 1
    return None


def parse_type(text: str) -> TypeSpec:
    """Parse an attribute type as written in a table definition.

    Parameters
    ----------
    text : str
        The type text, e.g. ``"uint16"``, ``"varchar(64)"``, ``"enum('F', 'M')"``,
        ``"int unsigned"`` or ``"<blob@cold>"``.  Surrounding whitespace is ignored.

    Returns
    -------
    TypeSpec
        Frozen, validated description with a canonical ``text``.

    Raises
    ------
    TypeParseError
        If the text is not a core type, a native SQL type or a codec reference, or its
        arguments are out of range.  The message lists the valid core types and suggests
        a close match.

    Examples
    --------
    >>> parse_type("decimal(6, 2)")
    TypeSpec(text='decimal(6,2)', kind='core', name='decimal', args=(6, 2), store=None)
    >>> parse_type("INT UNSIGNED").name
    'int unsigned'
    >>> parse_type("<blob@>").store
    ''
    """
    body = text.strip()
    base = len(text) - len(text.lstrip())
    if not body:
        raise TypeParseError(
            f"expected a type, found nothing: use {_EXPECTED_ANY}, e.g. int32 or varchar(64)",
            text=text, position=len(text), expected=_EXPECTED_ANY,
        )
    if body.startswith("<"):
        return _parse_codec(text, body, base)
    word_match = _WORD.match(body)
    word = word_match.group() if word_match else ""
    if word in _ALL_CORE_WORDS:
        core = _parse_core(text, body, base, word)
        if core is not None:
            return core
    elif word.lower() in _ALL_CORE_WORDS:
        _reject_wrong_case(text, body, base, word)
    native = _parse_native(body)
    if native is not None:
        return native
    raise _unknown_type(text, body, base, word)


# --- core types ------------------------------------------------------------------------


def _parse_core(text: str, body: str, base: int, word: str) -> TypeSpec | None:
    """Parse a type whose first word is a core type name; ``None`` means try native."""
    rest_at = len(word)
    rest = body[rest_at:]
    if word in _BARE_CORE:
        if rest.strip():
            raise _trailing_text(text, body, base, word, rest_at)
        name = "json" if word == "jsonb" else word
        return TypeSpec(text=name, kind="core", name=name)
    if word == "enum":
        return _parse_enum(text, body, base)
    if not rest.strip():
        return _parse_bare_parametric(text, base, word)
    modified = not re.fullmatch(r"\w+\s*\([^)]*\)", body)
    if modified and word in ("char", "varchar", "decimal") and _parse_native(body) is not None:
        return None  # a native form with modifiers: "varchar(64) binary", "decimal(10,2) unsigned"
    if not rest.lstrip().startswith("("):
        raise _trailing_text(text, body, base, word, rest_at)
    open_at, close_at = body.index("("), body.find(")")
    if close_at == -1:
        raise TypeParseError(
            f"expected ')' to close the arguments of '{word}', found the end of the type",
            text=text, position=base + len(body), expected="')'",
        )
    if body[close_at + 1 :].strip():
        raise _trailing_text(text, body, base, body[: close_at + 1], close_at + 1)
    args = _int_args(text, body, base, open_at, close_at)
    return _core_with_args(text, base, word, args)


def _parse_bare_parametric(text: str, base: int, word: str) -> TypeSpec | None:
    if word == "datetime":
        return TypeSpec(text="datetime", kind="core", name="datetime")
    if word == "decimal":
        return None  # bare "decimal" is the native numeric family
    raise TypeParseError(
        f"type '{word}' needs a length: write {word}(n), e.g. {word}(64); "
        f"n is 1..{_MAX_LENGTH[word]}",
        text=text, position=base + len(word), expected=f"'(' and a length after '{word}'",
    )


def _int_args(text: str, body: str, base: int, open_at: int, close_at: int) -> list[tuple[int, int]]:
    """The comma-separated integers between the parentheses, each with its position in ``text``."""
    args: list[tuple[int, int]] = []
    start = open_at + 1
    for piece in body[open_at + 1 : close_at].split(","):
        value = piece.strip()
        pos = base + start + (len(piece) - len(piece.lstrip()))
        if not value.isdigit():
            found = f"'{value}'" if value else "nothing"
            raise TypeParseError(
                f"expected a whole number inside the parentheses of '{body}', found {found}",
                text=text, position=pos, expected="a whole number",
            )
        args.append((int(value), pos))
        start += len(piece) + 1
    return args


def _core_with_args(text: str, base: int, word: str, args: list[tuple[int, int]]) -> TypeSpec:
    values = tuple(v for v, _ in args)
    if word in ("char", "varchar"):
        _check_count(text, base, word, args, 1, 1, f"{word}(n)")
        _check_range(text, args[0], 1, _MAX_LENGTH[word], f"the length of {word}")
        return TypeSpec(text=f"{word}({values[0]})", kind="core", name=word, args=values)
    if word == "datetime":
        _check_count(text, base, word, args, 1, 1, "datetime or datetime(n)")
        _check_range(text, args[0], 0, 6, "the fractional-second digits of datetime")
        return TypeSpec(text=f"datetime({values[0]})", kind="core", name="datetime", args=values)
    # decimal(p) or decimal(p, s)
    _check_count(text, base, word, args, 1, 2, "decimal(p,s)")
    _check_range(text, args[0], 1, _MAX_DECIMAL_PRECISION, "the precision p of decimal(p,s)")
    precision, scale = values[0], (values[1] if len(values) == 2 else 0)
    if len(args) == 2:
        _check_range(text, args[1], 0, precision, "the scale s of decimal(p,s) (at most p)")
    return TypeSpec(text=f"decimal({precision},{scale})", kind="core", name="decimal", args=(precision, scale))


def _check_count(text, base, word, args, low, high, form) -> None:
    if low <= len(args) <= high:
        return
    raise TypeParseError(
        f"{word} takes {low if low == high else f'{low} or {high}'} argument(s), found {len(args)}: write {form}",
        text=text, position=args[min(high, len(args) - 1)][1], expected=form,
    )


def _check_range(text: str, arg: tuple[int, int], low: int, high: int, what: str) -> None:
    value, pos = arg
    if not low <= value <= high:
        raise TypeParseError(
            f"{what} must be between {low} and {high}, found {value}",
            text=text, position=pos, expected=f"a number from {low} to {high}",
        )


def _parse_enum(text: str, body: str, base: int) -> TypeSpec:
    """``enum('a', "b", ...)``: quoted values, either quote character, at least one."""
    i = _skip_space(body, len("enum"))
    if body[i : i + 1] != "(":
        raise _enum_error(text, base, i, "'(' after enum", body)
    values: list[str] = []
    i += 1
    while True:
        i = _skip_space(body, i)
        if body[i : i + 1] == ")" and not values:
            raise TypeParseError(
                "enum needs at least one value, e.g. enum('F', 'M')",
                text=text, position=base + i, expected="a quoted value",
            )
        if body[i : i + 1] not in ("'", '"'):
            raise _enum_error(text, base, i, "a quoted value such as 'a'", body)
        read = read_string_literal(body, i)
        if read is None:
            raise TypeParseError(
                "unterminated quote in enum value: close it with the same quote character",
                text=text, position=base + i, expected="a closing quote",
            )
        value, value_at, i = read[0], i, read[1]
        if value in values:
            raise TypeParseError(
                f"enum value {value!r} is listed twice; each value may appear once",
                text=text, position=base + value_at, expected="distinct values",
            )
        values.append(value)
        i = _skip_space(body, i)
        if body[i : i + 1] == ",":
            i += 1
        elif body[i : i + 1] == ")":
            break
        else:
            raise _enum_error(text, base, i, "',' or ')' after an enum value", body)
    if body[i + 1 :].strip():
        raise _enum_error(text, base, _skip_space(body, i + 1), "nothing after the closing ')'", body)
    return TypeSpec(text=_enum_text(values), kind="core", name="enum", args=tuple(values))


def _enum_text(values: list[str]) -> str:
    # backslashes are doubled so that the canonical text parses back to the same values
    quoted = ("'" + v.replace("\\", "\\\\").replace("'", "''") + "'" for v in values)
    return "enum(" + ", ".join(quoted) + ")"


def _enum_error(text: str, base: int, i: int, expected: str, body: str) -> TypeParseError:
    found = f"'{body[i]}'" if i < len(body) else "the end of the type"
    return TypeParseError(
        f"malformed enum: expected {expected}, found {found}; write enum('a', 'b', ...)",
        text=text, position=base + i, expected=expected,
    )


def _skip_space(body: str, i: int) -> int:
    while i < len(body) and body[i].isspace():
        i += 1
    return i


def _trailing_text(text: str, body: str, base: int, word: str, rest_at: int) -> TypeParseError:
    at = _skip_space(body, rest_at)
    extra = body[at:].strip()
    hint = ""
    if extra.lower() == "unsigned" and word in ("int8", "int16", "int32", "int64"):
        hint = f" Did you mean 'u{word}'?"
    return TypeParseError(
        f"unexpected '{extra}' after the type '{word}'.{hint}",
        text=text, position=base + at, expected=f"the end of the type after '{word}'",
    )


def _reject_wrong_case(text: str, body: str, base: int, word: str) -> None:
    """Core type names are lower case; ``Int32`` is an error, ``INT`` stays native."""
    try:
        spec = parse_type(word.lower() + body[len(word) :])
    except TypeParseError:
        spec = None
    if spec is not None and spec.kind != "core":
        return  # e.g. "DECIMAL" or "DECIMAL(10,2) UNSIGNED": a native type
    suggestion = spec.text if spec is not None else word.lower()
    raise TypeParseError(
        f"unknown type '{body}': core type names are lower case. Did you mean '{suggestion}'?",
        text=text, position=base, expected="a lower-case core type name",
    )


# --- native types ----------------------------------------------------------------------


def _normalise(body: str) -> str:
    """Lower case, single spaces, no spaces inside parentheses: ``int(11) unsigned``."""
    s = re.sub(r"\s+", " ", body.strip().lower())
    s = re.sub(r"\s*\(\s*", "(", s)
    s = re.sub(r"\s*,\s*", ",", s)
    s = re.sub(r"\s*\)", ")", s)
    return re.sub(r"\)(?=\w)", ") ", s)


def _native_family(name: str) -> str | None:
    for family, pattern in _NATIVE_FAMILIES:
        if pattern.fullmatch(name):
            return family
    return None


def _parse_native(body: str) -> TypeSpec | None:
    name = _normalise(body)
    if _native_family(name) is None:
        return None
    return TypeSpec(text=name, kind="native", name=name)


def is_native_warning_needed(spec: TypeSpec) -> bool:
    """Whether declaring ``spec`` should log a portability warning (native SQL types do)."""
    return spec.kind == "native"


def recommended_core_type(spec: TypeSpec | str) -> str | None:
    """The core type to use instead of a native SQL type, for the portability warning.

    Parameters
    ----------
    spec : TypeSpec or str
        A native type (a ``TypeSpec`` of kind ``"native"`` or its text).

    Returns
    -------
    str or None
        e.g. ``"uint32"`` for ``int unsigned``, ``"float64"`` for ``double``; ``None`` when
        there is no portable equivalent (``time``, ``auto_increment`` columns) or the type
        is not native.

    Examples
    --------
    >>> recommended_core_type("int unsigned")
    'uint32'
    >>> recommended_core_type("tinyint")
    'int8'
    """
    if isinstance(spec, TypeSpec) and spec.kind != "native":
        return None
    name = _normalise(spec.name if isinstance(spec, TypeSpec) else spec)
    family = _native_family(name)
    if family is None or family == "serial" or "auto_increment" in name:
        return None
    base = re.match(r"[a-z_ ]+", name).group().strip()
    if family == "integer":
        signed, unsigned = _INTEGER_CORE[base.split(" ")[0]]
        return unsigned if " unsigned" in name else signed
    if family == "float":
        return _FLOAT_CORE[base.replace(" unsigned", "").replace(" zerofill", "")]
    if family == "decimal":
        args = re.search(r"\((\d+)(?:,(\d+))?\)", name)
        return f"decimal({args.group(1)},{args.group(2) or 0})" if args else "decimal(p,s)"
    if family == "string":
        return re.match(r"\w+\(\d+\)", name).group()
    return {"temporal": {"timestamp": "datetime", "year": "int16"}.get(base), "blob": "bytes", "text": "varchar(n)"}[family]


def native_type_warning(spec: TypeSpec, attribute: str = "") -> str:
    """The text of the portability warning logged when a native type is declared."""
    who = f"attribute '{attribute}' uses " if attribute else ""
    core = recommended_core_type(spec)
    advice = f"use the core type '{core}' instead" if core else "there is no portable core equivalent"
    return (
        f"{who}the native SQL type '{spec.text}', which is not portable across backends "
        f"and carries no type marker: {advice}"
    )


# --- codecs ----------------------------------------------------------------------------


def _parse_codec(text: str, body: str, base: int) -> TypeSpec:
    """``<name>``, ``<name@>`` (default store) or ``<name@store>``."""
    name_match = _IDENT.match(body, 1)
    if name_match is None:
        raise _codec_error(text, base, body, 1, "a codec name such as blob")
    name, i = name_match.group(), name_match.end()
    store = None
    if body[i : i + 1] == "@":
        store_match = _STORE.match(body, i + 1)
        store = store_match.group() if store_match else ""
        i = store_match.end() if store_match else i + 1
    if body[i : i + 1] != ">":
        raise _codec_error(text, base, body, i, "'>' (or '@store>' for an object store)")
    if i + 1 != len(body):
        raise _codec_error(text, base, body, _skip_space(body, i + 1), "nothing after '>'")
    rendered = f"<{name}>" if store is None else f"<{name}@{store}>"
    return TypeSpec(text=rendered, kind="codec", name=name, store=store)


def _codec_error(text: str, base: int, body: str, i: int, expected: str) -> TypeParseError:
    found = f"'{body[i]}'" if i < len(body) else "the end of the type"
    return TypeParseError(
        f"malformed codec type '{body}': expected {expected}, found {found}; "
        "write <name>, <name@> or <name@store>",
        text=text, position=base + i, expected=expected,
    )


# --- unknown ---------------------------------------------------------------------------


def _unknown_type(text: str, body: str, base: int, word: str) -> TypeParseError:
    candidates = sorted(_ALL_CORE_WORDS - {"jsonb"})
    key = word.lower() if word else body.lower()
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    hint = ""
    if close:
        suggestion = close[0] + body[len(word) :] if word else close[0]
        hint = f" Did you mean '{suggestion}'?"
    return TypeParseError(
        f"unknown type '{body}': expected a core type ({_CORE_LISTING}), "
        f"a native SQL type, or a codec <name>.{hint}",
        text=text, position=base, expected=_EXPECTED_ANY,
    )
