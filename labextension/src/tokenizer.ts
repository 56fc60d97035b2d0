/**
 * The definition language of `%%dj_table` cells, split into highlighting tokens.
 *
 * Pure functions over strings (no editor, no DOM), so they are unit tested with jest.
 * The grammar follows dj_jupyter/definition/parser.py line by line: a definition line
 * is a comment, the `---` divider, a foreign key (`-> [options] Parent`), an index
 * (`[unique] index(a, b)`) or an attribute (`name [= default] : type [# comment]`).
 * Validation is not done here: the kernel's own parser checks the text.
 */

export type TokenKind =
  | 'magic' // %%dj_table
  | 'class' // the class name on the magic line
  | 'flag' // --schema, --tier ... on the magic line
  | 'comment'
  | 'divider' // ---
  | 'arrow' // ->
  | 'option' // nullable, unique inside [ ] of a foreign key
  | 'reference' // the parent table of a foreign key
  | 'keyword' // index, unique
  | 'name' // attribute name
  | 'operator' // = and :
  | 'default'
  | 'type' // core or native type
  | 'codec' // <blob>, <npy@store>
  | 'store'; // the @store part of a codec

export interface Token {
  /** Offset of the first character in the text given to the tokenizer. */
  from: number;
  /** Offset after the last character. */
  to: number;
  kind: TokenKind;
}

const MAGIC = /^\s*%%dj_table\b/;
const INDEX_START = /^(unique\s+)?index\b(?!\s*[:=])/i;

/** True if `text` is a `%%dj_table` cell (its first line is the magic). */
export function isDjTableCell(text: string): boolean {
  return MAGIC.test(text.slice(0, text.indexOf('\n') >>> 0));
}

/** Tokens of a whole cell, offsets relative to `text`; [] if it is not a `%%dj_table` cell. */
export function tokenizeCell(text: string): Token[] {
  if (!isDjTableCell(text)) {
    return [];
  }
  const tokens: Token[] = [];
  let start = 0;
  text.split('\n').forEach((line, index) => {
    const found = index === 0 ? tokenizeMagicLine(line) : tokenizeLine(line);
    for (const t of found) {
      tokens.push({ from: t.from + start, to: t.to + start, kind: t.kind });
    }
    start += line.length + 1;
  });
  return tokens;
}

/** Tokens of the magic line: `%%dj_table ClassName --option value ...`. */
export function tokenizeMagicLine(line: string): Token[] {
  const tokens: Token[] = [];
  const word = /\S+/g;
  let match: RegExpExecArray | null;
  let count = 0;
  while ((match = word.exec(line)) !== null) {
    const from = match.index;
    const to = from + match[0].length;
    if (count === 0) {
      tokens.push({ from, to, kind: 'magic' });
    } else if (match[0].startsWith('-')) {
      tokens.push({ from, to, kind: 'flag' });
    } else if (count === 1) {
      tokens.push({ from, to, kind: 'class' });
    }
    count++;
  }
  return tokens;
}

/** Tokens of one definition line, offsets relative to the line. */
export function tokenizeLine(line: string): Token[] {
  const offset = line.length - line.trimStart().length;
  const body = line.trim();
  if (!body) {
    return [];
  }
  let tokens: Token[];
  if (body.startsWith('#')) {
    tokens = [{ from: 0, to: body.length, kind: 'comment' }];
  } else if (body.startsWith('---')) {
    tokens = [{ from: 0, to: body.length, kind: 'divider' }];
  } else if (isForeignKey(body)) {
    tokens = foreignKey(body);
  } else if (INDEX_START.test(body)) {
    tokens = indexLine(body);
  } else {
    tokens = attribute(body);
  }
  return tokens.map(t => ({ from: t.from + offset, to: t.to + offset, kind: t.kind }));
}

/** `->` with no quote or `#` before it, as the parser decides. */
function isForeignKey(body: string): boolean {
  const arrow = body.indexOf('->');
  return arrow >= 0 && !/["'#]/.test(body.slice(0, arrow));
}

/** Index of the first character of `targets` outside quotes, or body.length. */
function findUnquoted(body: string, targets: string, start: number): number {
  let quote = '';
  for (let i = start; i < body.length; i++) {
    const ch = body[i];
    if (quote) {
      if (ch === '\\') {
        i++;
      } else if (ch === quote) {
        quote = '';
      }
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (targets.includes(ch)) {
      return i;
    }
  }
  return body.length;
}

/** The trailing `# comment` from `at`, if any. */
function trailingComment(body: string, at: number): Token[] {
  return at < body.length ? [{ from: at, to: body.length, kind: 'comment' }] : [];
}

/** A span with its surrounding whitespace trimmed; null if empty. */
function trimmed(body: string, from: number, to: number, kind: TokenKind): Token | null {
  while (from < to && /\s/.test(body[from])) {
    from++;
  }
  while (to > from && /\s/.test(body[to - 1])) {
    to--;
  }
  return to > from ? { from, to, kind } : null;
}

function foreignKey(body: string): Token[] {
  const arrow = body.indexOf('->');
  const tokens: Token[] = [{ from: arrow, to: arrow + 2, kind: 'arrow' }];
  const hash = findUnquoted(body, '#', arrow + 2);
  let i = arrow + 2;
  const open = body.indexOf('[', i);
  if (open >= 0 && open < hash && !body.slice(i, open).trim()) {
    const close = body.indexOf(']', open);
    const end = close >= 0 && close < hash ? close : hash;
    const word = /[A-Za-z_]+/g;
    word.lastIndex = open + 1;
    let match: RegExpExecArray | null;
    while ((match = word.exec(body)) !== null && match.index < end) {
      tokens.push({ from: match.index, to: match.index + match[0].length, kind: 'option' });
    }
    i = end + 1;
  }
  const ref = trimmed(body, i, hash, 'reference');
  if (ref) {
    tokens.push(ref);
  }
  return tokens.concat(trailingComment(body, hash));
}

function indexLine(body: string): Token[] {
  const tokens: Token[] = [];
  const head = INDEX_START.exec(body)!;
  const unique = /^unique/i.exec(body);
  if (unique) {
    tokens.push({ from: 0, to: unique[0].length, kind: 'keyword' });
  }
  const index = head[0].length - 'index'.length;
  tokens.push({ from: index, to: head[0].length, kind: 'keyword' });
  const hash = findUnquoted(body, '#', head[0].length);
  const word = /[A-Za-z_][A-Za-z0-9_]*/g;
  word.lastIndex = head[0].length;
  let match: RegExpExecArray | null;
  while ((match = word.exec(body)) !== null && match.index < hash) {
    tokens.push({ from: match.index, to: match.index + match[0].length, kind: 'name' });
  }
  return tokens.concat(trailingComment(body, hash));
}

function attribute(body: string): Token[] {
  const tokens: Token[] = [];
  const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(body);
  let i = 0;
  if (name) {
    tokens.push({ from: 0, to: name[0].length, kind: 'name' });
    i = name[0].length;
  }
  const colon = findUnquoted(body, ':#', i);
  const equals = findUnquoted(body.slice(0, colon), '=', i);
  if (equals < colon) {
    tokens.push({ from: equals, to: equals + 1, kind: 'operator' });
    const value = trimmed(body, equals + 1, colon, 'default');
    if (value) {
      tokens.push(value);
    }
  }
  if (colon >= body.length || body[colon] === '#') {
    return tokens.concat(trailingComment(body, colon));
  }
  tokens.push({ from: colon, to: colon + 1, kind: 'operator' });
  const hash = findUnquoted(body, '#', colon + 1);
  const type = trimmed(body, colon + 1, hash, 'type');
  if (type) {
    tokens.push(...typeTokens(body, type));
  }
  return tokens.concat(trailingComment(body, hash));
}

/** A type span: `<codec@store>` is split into codec and store; other types are one token. */
function typeTokens(body: string, type: Token): Token[] {
  const text = body.slice(type.from, type.to);
  if (!text.startsWith('<')) {
    return [type];
  }
  const at = text.indexOf('@');
  const close = text.indexOf('>');
  if (at < 0 || (close >= 0 && close < at)) {
    return [{ ...type, kind: 'codec' }];
  }
  const storeEnd = close >= 0 ? close : text.length;
  const tokens: Token[] = [
    { from: type.from, to: type.from + at, kind: 'codec' },
    { from: type.from + at, to: type.from + storeEnd, kind: 'store' }
  ];
  if (close >= 0) {
    tokens.push({ from: type.from + close, to: type.to, kind: 'codec' });
  }
  return tokens;
}
