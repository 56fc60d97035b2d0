"""The definition language parser: definition text -> frozen :class:`TableDef`.

The parser is line-oriented, as DataJoint's is: an optional ``# table comment`` first,
primary-key lines until ``---``, then secondary lines.  Each line is an attribute
(``name [= default] : type [# comment]``), a foreign key (``-> [options] Parent``) or an
index (``[unique] index(a, b)``).  Nothing is evaluated and no SQL is produced: the
result is data that the declaration layer resolves against its context.

Every error is a :class:`~dj_jupyter.errors.DefinitionError` whose ``line`` counts the
lines of the text exactly as given (1-based, so it matches an IPython cell) and whose
``column`` (1-based) points at the offending token of that line.  Each line is parsed
on its own (only the ``---`` separator and the duplicate-name check relate lines), so
every problem is found at once: :func:`definition_problems` lists them,
:func:`parse_definition` raises the first with all of them in its ``problems``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..errors import DefinitionError
from . import types as type_catalogue
from .syntax import AttributeDef, Default, ForeignKeyDef, IndexDef, Item, Reference, Span, TableDef

__all__ = ["definition_problems", "parse_definition", "parse_definition_partial"]

_ATTRIBUTE_NAME = re.compile(r"[a-z][a-z0-9_]*")
_NAME_CHARS = re.compile(r"[A-Za-z0-9_]+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# "index(" / "unique index (" starts an index line; "index : int32" is an attribute
_INDEX_START = re.compile(r"(unique\s+)?index\b(?!\s*[:=])", re.IGNORECASE)
_SQL_DEFAULT = re.compile(r"current_timestamp(\s*\(\s*\d*\s*\))?", re.IGNORECASE)
_FOREIGN_KEY_OPTIONS = ("nullable", "unique")
_ATTRIBUTE_FORM = "name [= default] : type [# comment]"
_REFERENCE_FORMS = "Table, module.Table, or Table.proj(new_name='old_name')"


@dataclass(frozen=True)
class _Line:
    """One source line: its number, the raw text and where the stripped body starts."""

    number: int
    raw: str
    table: str | None

    @property
    def offset(self) -> int:
        return len(self.raw) - len(self.raw.lstrip())

    @property
    def body(self) -> str:
        return self.raw.strip()

    def span(self) -> Span:
        return Span(line=self.number, column=self.offset + 1, text=self.raw)

    def error(self, message: str, at: int) -> DefinitionError:
        """An error pointing at index ``at`` of the stripped body."""
        return DefinitionError(
            message, line=self.number, column=self.offset + at + 1, text=self.raw, table=self.table
        )


def parse_definition(text: str, *, table: str | None = None) -> TableDef:
    """Parse a table definition into a frozen :class:`TableDef`.

    Parameters
    ----------
    text : str
        The definition, as written in the class's ``definition`` attribute or a cell.
    table : str, optional
        The table's name, used only to prefix error messages.

    Returns
    -------
    TableDef
        The table comment and the attribute, foreign-key and index items in order.
        A definition without primary-key attributes is returned as is; the
        declaration layer adds the singleton sentinel.

    Raises
    ------
    DefinitionError
        For the first problem: ``line`` (1-based, counting the lines of ``text`` as given),
        ``column`` (1-based), ``text`` (the source line) and a message saying what was
        expected.  Every line is checked, so ``problems`` lists all the problems of the
        definition in line order (the first is this one) and the message names the others.

    Examples
    --------
    >>> d = parse_definition('''
    ... # experimental subjects
    ... subject_id : int32
    ... ---
    ... -> [nullable] Species
    ... sex = 'U' : enum('F', 'M', 'U')   # sex of the animal
    ... ''')
    >>> d.comment
    'experimental subjects'
    >>> [a.name for a in d.attributes]
    ['subject_id', 'sex']
    >>> d.foreign_keys[0].ref.names, d.foreign_keys[0].nullable
    (('Species',), True)
    """
    tdef, problems = parse_definition_partial(text, table=table)
    if problems:
        raise DefinitionError.from_problems(problems)
    return tdef


def definition_problems(text: str, *, table: str | None = None) -> list[DefinitionError]:
    """Every problem of a table definition, in line order, without raising.

    Each line is checked on its own (only the ``---`` separator and the duplicate-name
    check relate lines), so a bad line never hides a later one.  A line reports at most
    one problem: the first found on it.

    Parameters
    ----------
    text : str
        The definition, as given to :func:`parse_definition`.
    table : str, optional
        The table's name, used only to prefix error messages.

    Returns
    -------
    list of DefinitionError
        Each with ``line``, ``column``, ``text`` and ``message`` as :func:`parse_definition`
        would raise it; empty when the definition is valid.

    Examples
    --------
    >>> [(p.line, p.column) for p in definition_problems("a : int32\\nB : int32\\nc : int99")]
    [(2, 1), (3, 5)]
    >>> definition_problems("a : int32")
    []
    """
    return parse_definition_partial(text, table=table)[1]


def parse_definition_partial(text: str, *, table: str | None = None) -> tuple[TableDef, list[DefinitionError]]:
    """Parse what can be parsed: the definition of the good lines and the problems of the others.

    Parameters
    ----------
    text : str
        The definition, as given to :func:`parse_definition`.
    table : str, optional
        The table's name, used only to prefix error messages.

    Returns
    -------
    tuple of (TableDef, list of DefinitionError)
        The items of the lines without problems (in order; a line with a problem
        contributes nothing, and a bad table comment reads as ``""``) and every problem,
        in line order, as :func:`definition_problems` returns them.

    Examples
    --------
    >>> tdef, problems = parse_definition_partial("a : int32\\nb : int99\\n---\\n-> Parent")
    >>> [type(i).__name__ for i in tdef.items], [p.line for p in problems]
    (['AttributeDef', 'ForeignKeyDef'], [2])
    """
    # split on any line ending so that line numbers match the text as the user sees it
    lines = [_Line(n, raw, table) for n, raw in enumerate(re.split(r"\r\n|\r|\n", text), start=1)]
    content = [line for line in lines if line.body]
    problems: list[DefinitionError] = []
    comment = ""
    if content and content[0].body.startswith("#"):
        try:
            comment = _table_comment(content.pop(0))
        except DefinitionError as problem:
            problems.append(problem)
    items = _parse_items(content, problems)
    return TableDef(comment=comment, items=items), problems


def _parse_items(content: list[_Line], problems: list[DefinitionError]) -> tuple[Item, ...]:
    """The items of the good lines; the problem of each bad line is appended to ``problems``."""
    items: list[Item] = []
    seen: dict[str, int] = {}
    in_key = True
    for line in content:
        body = line.body
        if body.startswith("#"):
            continue  # a free comment
        if body.startswith("---"):
            in_key = False
            continue
        try:
            item = _parse_item(line, in_key=in_key)
            if isinstance(item, AttributeDef):
                _check_unique_name(line, item.name, seen)
        except DefinitionError as problem:
            problems.append(problem)
            _remember_name(line, seen)
            continue
        items.append(item)
    return tuple(items)


def _remember_name(line: _Line, seen: dict[str, int]) -> None:
    """Record the name of a bad attribute line, so that a later line declaring it again is reported now."""
    body = line.body
    if _is_foreign_key_line(body) or _INDEX_START.match(body):
        return
    match = _NAME_CHARS.match(body)
    if match is not None:
        seen.setdefault(match.group(), line.number)


def _table_comment(line: _Line) -> str:
    comment = line.body[1:].strip()
    if comment.startswith(":"):
        raise line.error(
            "a table comment cannot start with ':' (that form is reserved for type markers); "
            "reword it or remove the ':'",
            line.body.index(":"),
        )
    return comment


def _parse_item(line: _Line, *, in_key: bool) -> Item:
    body = line.body
    if _is_foreign_key_line(body):
        return _parse_foreign_key(line, in_key=in_key)
    if _INDEX_START.match(body):
        return _parse_index(line)
    if body.startswith("_"):
        name = _NAME_CHARS.match(body).group()
        raise line.error(
            f"attribute name '{name}' starts with '_', which is reserved for hidden platform "
            f"attributes; rename it to start with a lower-case letter, e.g. '{name.lstrip('_') or 'value'}'",
            0,
        )
    return _parse_attribute(line, in_key=in_key)


def _is_foreign_key_line(body: str) -> bool:
    """``->`` with no quote or ``#`` before it (an arrow in a default or comment does not count)."""
    arrow = body.find("->")
    return arrow >= 0 and not any(ch in body[:arrow] for ch in "\"'#")


def _check_unique_name(line: _Line, name: str, seen: dict[str, int]) -> None:
    if name in seen:
        raise line.error(
            f"attribute '{name}' is declared twice (first on line {seen[name]}); "
            "each attribute name may appear once: rename or remove one of them",
            0,
        )
    seen[name] = line.number


def _skip_space(body: str, i: int) -> int:
    while i < len(body) and body[i].isspace():
        i += 1
    return i


def _found(body: str, i: int) -> str:
    """How the text at ``i`` is quoted in messages."""
    if i >= len(body):
        return "the end of the line"
    token = re.match(r"\S+", body[i:])
    return f"'{token.group()}'"


def _find_unquoted(body: str, targets: str, start: int) -> tuple[int, int | None]:
    """Index of the first character in ``targets`` outside quotes (``len(body)`` if none).

    Also returns where an unterminated quote opened (``None`` if all quotes close).
    """
    i = start
    while i < len(body):
        ch = body[i]
        if ch in "'\"":
            read = type_catalogue.read_string_literal(body, i)
            if read is None:
                return len(body), i
            i = read[1]
            continue
        if ch in targets:
            return i, None
        i += 1
    return len(body), None


# --- attribute lines -------------------------------------------------------------------


def _parse_attribute(line: _Line, *, in_key: bool) -> AttributeDef:
    body = line.body
    name = _parse_attribute_name(line)
    i = _skip_space(body, len(name))
    default = None
    if body[i : i + 1] == "=":
        default, default_at, i = _parse_default(line, i + 1)
        if in_key and default.kind == "null":
            raise line.error(
                f"primary key attributes cannot be nullable: '{name}' has '= null'; "
                "remove the default or move the attribute below '---'",
                default_at,
            )
    if body[i : i + 1] != ":":
        raise line.error(
            f"expected ':' between the attribute name and its type, found {_found(body, i)}; "
            f"write {_ATTRIBUTE_FORM} (names use lower-case letters, digits and '_')",
            i,
        )
    type_at = i + 1
    hash_at, _ = _find_unquoted(body, "#", type_at)
    try:
        spec = type_catalogue.parse_type(body[type_at:hash_at])
    except type_catalogue.TypeParseError as err:
        raise line.error(err.message, type_at + err.position) from None
    comment = _parse_comment(line, hash_at)
    return AttributeDef(name=name, type=spec, default=default, comment=comment, in_key=in_key, span=line.span())


def _parse_attribute_name(line: _Line) -> str:
    body = line.body
    match = _NAME_CHARS.match(body)
    if match is None:
        raise line.error(
            f"expected an attribute name, a foreign key '-> Table', an index line or '---', "
            f"found {_found(body, 0)}; attribute lines read {_ATTRIBUTE_FORM}",
            0,
        )
    name = match.group()
    if name[0].isdigit():
        raise line.error(
            f"attribute name '{name}' starts with a digit; names start with a lower-case letter, "
            "e.g. 'trial_" + name + "'",
            0,
        )
    if not _ATTRIBUTE_NAME.fullmatch(name):
        raise line.error(
            f"attribute name '{name}' is not lower case; names use lower-case letters, digits "
            f"and '_'. Did you mean '{name.lower()}'?",
            0,
        )
    return name


def _parse_default(line: _Line, start: int) -> tuple[Default, int, int]:
    """Parse the default after ``=``; returns it, where it starts and the index of ``:``."""
    body = line.body
    colon, open_quote = _find_unquoted(body, ":", start)
    if open_quote is not None:
        raise line.error(
            "unterminated quote in the default value: close it with the same quote character",
            open_quote,
        )
    at = _skip_space(body, start)
    text = body[start:colon].strip()
    if not text:
        raise line.error(f"expected a default value after '=', found {_found(body, at)}", at)
    if colon == len(body):
        raise line.error(
            f"expected ':' between the default value and the type, found the end of the line; "
            f"write {_ATTRIBUTE_FORM}",
            colon,
        )
    return _classify_default(line, text, at), at, colon


def _classify_default(line: _Line, text: str, at: int) -> Default:
    if text.lower() == "null":
        return Default("null")
    if _SQL_DEFAULT.fullmatch(text):
        return Default("sql", text)
    if text.lower().startswith("current_timestamp"):
        raise line.error(
            f"unsupported SQL default '{text}': expected CURRENT_TIMESTAMP or CURRENT_TIMESTAMP(n), "
            "or a quoted literal",
            at,
        )
    if text[0] in "'\"":
        value, end = type_catalogue.read_string_literal(text, 0)  # terminated: _find_unquoted checked it
        if text[end:].strip():
            extra = _skip_space(text, end)
            raise line.error(
                f"unexpected {_found(text, extra)} after the quoted default value; "
                "put the whole default inside the quotes",
                at + extra,
            )
        return Default("literal", value, quoted=True)
    return Default("literal", text, quoted=False)


def _parse_comment(line: _Line, hash_at: int) -> str:
    body = line.body
    comment = body[hash_at + 1 :].strip()
    if comment.startswith(":"):
        raise line.error(
            "an attribute comment cannot start with ':' (that form is reserved for type markers); "
            "reword it or remove the ':'",
            body.index(":", hash_at),
        )
    return comment


# --- foreign-key lines -----------------------------------------------------------------


def _parse_foreign_key(line: _Line, *, in_key: bool) -> ForeignKeyDef:
    body = line.body
    arrow = body.find("->")
    if body[:arrow].strip():
        raise line.error(
            f"a foreign-key line must start with '->', found {_found(body, 0)} before the arrow; "
            f"write -> {_REFERENCE_FORMS}",
            0,
        )
    i = _skip_space(body, arrow + 2)
    options: dict[str, int] = {}
    if body[i : i + 1] == "[":
        options, i = _parse_options(line, i)
    if "nullable" in options and in_key:
        raise line.error(
            "primary dependencies cannot be nullable: above '---' the referenced attributes join "
            "the primary key, which cannot hold nulls; move this line below '---' or drop 'nullable'",
            options["nullable"],
        )
    ref, i = _parse_reference(line, _skip_space(body, i))
    i = _skip_space(body, i)
    if i < len(body) and body[i] != "#":
        raise _malformed_reference(line, i)
    return ForeignKeyDef(
        ref=ref, nullable="nullable" in options, unique="unique" in options, in_key=in_key, span=line.span()
    )


def _parse_options(line: _Line, start: int) -> tuple[dict[str, int], int]:
    """``[nullable, unique]``: the options (lower case) with their positions, and the index after ``]``."""
    body = line.body
    close = body.find("]", start)
    if close == -1:
        raise line.error("expected ']' to close the foreign-key options, e.g. -> [nullable] Table", len(body))
    inner = body[start + 1 : close]
    options: dict[str, int] = {}
    if not inner.strip():
        return options, close + 1
    pos = start + 1
    for piece in inner.split(","):
        option = piece.strip().lower()
        at = pos + len(piece) - len(piece.lstrip())
        if option not in _FOREIGN_KEY_OPTIONS:
            close_match = difflib.get_close_matches(option, _FOREIGN_KEY_OPTIONS, n=1)
            hint = f" Did you mean '{close_match[0]}'?" if close_match else ""
            shown = f"'{piece.strip()}'" if option else "an empty option"
            raise line.error(
                f"invalid foreign key option {shown}: valid options are nullable, unique.{hint}", at
            )
        options[option] = at
        pos += len(piece) + 1
    return options, close + 1


def _parse_reference(line: _Line, i: int) -> tuple[Reference, int]:
    """``Name``, ``a.b.Name`` or ``Name.proj(new='old', ...)``; returns the index after it."""
    body = line.body
    names: list[str] = []
    while True:
        i = _skip_space(body, i)
        match = _IDENTIFIER.match(body, i)
        if match is None:
            raise _malformed_reference(line, i)
        word, after = match.group(), _skip_space(body, match.end())
        if word == "proj" and names and body[after : after + 1] == "(":
            renames, end = _parse_proj(line, after)
            return Reference(tuple(names), renames), end
        names.append(word)
        if body[after : after + 1] != ".":
            return Reference(tuple(names)), match.end()
        i = after + 1


def _parse_proj(line: _Line, i: int) -> tuple[tuple[tuple[str, str], ...], int]:
    """``(new='old', new2="old2")`` starting at the ``(``; returns the renames and the index after ``)``."""
    body = line.body
    renames: list[tuple[str, str]] = []
    i = _skip_space(body, i + 1)
    while body[i : i + 1] != ")":
        new, old, i = _parse_rename(line, i)
        if any(new == earlier for earlier, _ in renames):
            raise line.error(f"'{new}' is renamed twice in .proj(...); each new name may appear once", i - 1)
        renames.append((new, old))
        i = _skip_space(body, i)
        if body[i : i + 1] == ",":
            i = _skip_space(body, i + 1)
        elif body[i : i + 1] != ")":
            raise line.error(
                f"expected ',' or ')' in .proj(...), found {_found(body, i)}; "
                "write .proj(new_name='old_name', ...)",
                i,
            )
    return tuple(renames), i + 1


def _parse_rename(line: _Line, i: int) -> tuple[str, str, int]:
    """``new = 'old'`` at ``i``; returns both names and the index after the closing quote."""
    body = line.body
    form = "write .proj(new_name='old_name', ...)"
    match = _IDENTIFIER.match(body, i)
    if match is None:
        raise line.error(f"expected a new attribute name in .proj(...), found {_found(body, i)}; {form}", i)
    new = match.group()
    if not _ATTRIBUTE_NAME.fullmatch(new):
        raise line.error(
            f"the new name '{new}' in .proj(...) is not a valid attribute name; names use "
            "lower-case letters, digits and '_' and start with a letter",
            i,
        )
    i = _skip_space(body, match.end())
    if body[i : i + 1] != "=":
        raise line.error(f"expected '=' after '{new}' in .proj(...), found {_found(body, i)}; {form}", i)
    i = _skip_space(body, i + 1)
    read = type_catalogue.read_string_literal(body, i) if body[i : i + 1] in ("'", '"') else None
    if read is None:
        what = "an unterminated quote" if body[i : i + 1] in ("'", '"') else _found(body, i)
        raise line.error(f"expected the old attribute name in quotes after '{new}=', found {what}; {form}", i)
    old, end = read
    if not _IDENTIFIER.fullmatch(old):
        raise line.error(f"'{old}' is not an attribute name; {form}", i + 1)
    return new, old, end


def _malformed_reference(line: _Line, i: int) -> DefinitionError:
    return line.error(
        f"malformed foreign-key reference: expected {_REFERENCE_FORMS}, found {_found(line.body, i)}; "
        "a '# comment' may follow",
        i,
    )


# --- index lines -----------------------------------------------------------------------


def _parse_index(line: _Line) -> IndexDef:
    body = line.body
    match = _INDEX_START.match(body)
    i = _skip_space(body, match.end())
    if body[i : i + 1] != "(":
        raise line.error(
            f"malformed index line: expected '(' after 'index', found {_found(body, i)}; "
            "write index(attr1, attr2) or unique index(attr)",
            i,
        )
    items, end = _split_index_items(line, i)
    rest = _skip_space(body, end)
    if rest < len(body) and body[rest] != "#":
        raise line.error(
            f"malformed index line: unexpected {_found(body, rest)} after the closing ')'; "
            "only a '# comment' may follow",
            rest,
        )
    return IndexDef(unique=match.group(1) is not None, items=tuple(items), span=line.span())


def _split_index_items(line: _Line, open_at: int) -> tuple[list[str], int]:
    """Split ``(a, (f(b, c)), d)`` on top-level commas; returns the items and the index after ``)``."""
    body = line.body
    items: list[str] = []
    depth, start, i = 0, open_at + 1, open_at + 1
    while i < len(body):
        ch = body[i]
        if ch in "'\"":
            read = type_catalogue.read_string_literal(body, i)
            if read is None:
                raise line.error("unterminated quote in the index line", i)
            i = read[1]
            continue
        if ch == "(":
            depth += 1
        elif ch in ",)" and depth == 0:
            items.append(_index_item(line, start, i))
            if ch == ")":
                return items, i + 1
            start = i + 1
        elif ch == ")":
            depth -= 1
        i += 1
    raise line.error(
        "malformed index line: expected ')' to close the index, found the end of the line; "
        "write index(attr1, attr2)",
        len(body),
    )


def _index_item(line: _Line, start: int, end: int) -> str:
    body = line.body
    item = body[start:end].strip()
    if not item:
        raise line.error(
            "malformed index line: expected an attribute name or an expression, found nothing; "
            "write index(attr1, attr2)",
            _skip_space(body, start),
        )
    return item
