import {
  isDjTableCell,
  tokenizeCell,
  tokenizeLine,
  tokenizeMagicLine,
  Token
} from '../src/tokenizer';

/** [kind, text] pairs of the tokens of `text`. */
function pairs(text: string, tokens: Token[]): [string, string][] {
  return tokens.map(t => [t.kind, text.slice(t.from, t.to)]);
}

function line(text: string): [string, string][] {
  return pairs(text, tokenizeLine(text));
}

describe('isDjTableCell', () => {
  it('recognises the magic on the first line only', () => {
    expect(isDjTableCell('%%dj_table Subject\nsubject_id : uint16')).toBe(true);
    expect(isDjTableCell('%%dj_table')).toBe(true);
    expect(isDjTableCell('  %%dj_table Subject --tier lookup')).toBe(true);
    expect(isDjTableCell('x = 1\n%%dj_table Subject')).toBe(false);
    expect(isDjTableCell('%%dj_tables Subject')).toBe(false);
    expect(isDjTableCell('%dj_schema lab')).toBe(false);
    expect(isDjTableCell('')).toBe(false);
  });
});

describe('tokenizeLine', () => {
  it('splits an attribute into name, operator and type', () => {
    expect(line('subject_id : uint16')).toEqual([
      ['name', 'subject_id'],
      ['operator', ':'],
      ['type', 'uint16']
    ]);
  });

  it('keeps indentation out of the tokens and offsets in the line', () => {
    const tokens = tokenizeLine('    name : varchar(100)');
    expect(tokens[0]).toEqual({ from: 4, to: 8, kind: 'name' });
    expect(line('    name : varchar(100)')).toEqual([
      ['name', 'name'],
      ['operator', ':'],
      ['type', 'varchar(100)']
    ]);
  });

  it('finds defaults, including quoted ones holding : and #', () => {
    expect(line("sex = 'U' : enum('F', 'M', 'U')  # sex of the animal")).toEqual([
      ['name', 'sex'],
      ['operator', '='],
      ['default', "'U'"],
      ['operator', ':'],
      ['type', "enum('F', 'M', 'U')"],
      ['comment', '# sex of the animal']
    ]);
    expect(line("note = 'a:b #c' : varchar(20)")).toEqual([
      ['name', 'note'],
      ['operator', '='],
      ['default', "'a:b #c'"],
      ['operator', ':'],
      ['type', 'varchar(20)']
    ]);
    expect(line('ts = CURRENT_TIMESTAMP : datetime')).toContainEqual(['default', 'CURRENT_TIMESTAMP']);
  });

  it('splits codec types and their store', () => {
    expect(line('trace : <blob@raw>  # the signal')).toEqual([
      ['name', 'trace'],
      ['operator', ':'],
      ['codec', '<blob'],
      ['store', '@raw'],
      ['codec', '>'],
      ['comment', '# the signal']
    ]);
    expect(line('frames : <npy@>')).toEqual([
      ['name', 'frames'],
      ['operator', ':'],
      ['codec', '<npy'],
      ['store', '@'],
      ['codec', '>']
    ]);
    expect(line('params : <blob>')).toContainEqual(['codec', '<blob>']);
    expect(line('raw : int32')).toContainEqual(['type', 'int32']);
  });

  it('reads foreign keys with options, projections and comments', () => {
    expect(line('-> Subject')).toEqual([
      ['arrow', '->'],
      ['reference', 'Subject']
    ]);
    expect(line('-> [nullable, unique] lab.Species  # what it is')).toEqual([
      ['arrow', '->'],
      ['option', 'nullable'],
      ['option', 'unique'],
      ['reference', 'lab.Species'],
      ['comment', '# what it is']
    ]);
    expect(line("->Session.proj(parent_id='session_id')")).toEqual([
      ['arrow', '->'],
      ['reference', "Session.proj(parent_id='session_id')"]
    ]);
  });

  it('does not take an arrow inside a default or comment for a foreign key', () => {
    expect(line("label = '->' : varchar(4)")[0]).toEqual(['name', 'label']);
    expect(line('x : int32  # maps a -> b')).toContainEqual(['comment', '# maps a -> b']);
  });

  it('reads index lines, and an attribute called index', () => {
    expect(line('unique index (name, date_of_birth)')).toEqual([
      ['keyword', 'unique'],
      ['keyword', 'index'],
      ['name', 'name'],
      ['name', 'date_of_birth']
    ]);
    expect(line('INDEX(session_date)')).toEqual([
      ['keyword', 'INDEX'],
      ['name', 'session_date']
    ]);
    expect(line('index : int32')).toEqual([
      ['name', 'index'],
      ['operator', ':'],
      ['type', 'int32']
    ]);
  });

  it('reads comments, dividers and blank lines', () => {
    expect(line('# experimental subjects')).toEqual([['comment', '# experimental subjects']]);
    expect(line('  ---')).toEqual([['divider', '---']]);
    expect(line('-----------')).toEqual([['divider', '-----------']]);
    expect(line('   ')).toEqual([]);
  });

  it('still marks what it can on incomplete lines (while typing)', () => {
    expect(line('subject_id')).toEqual([['name', 'subject_id']]);
    expect(line('subject_id :')).toEqual([
      ['name', 'subject_id'],
      ['operator', ':']
    ]);
    expect(line('->')).toEqual([['arrow', '->']]);
    expect(line('trace : <blob@ra')).toEqual([
      ['name', 'trace'],
      ['operator', ':'],
      ['codec', '<blob'],
      ['store', '@ra']
    ]);
    expect(line("s = 'unterminated : int32")).toEqual([
      ['name', 's'],
      ['operator', '='],
      ['default', "'unterminated : int32"]
    ]);
  });
});

describe('tokenizeMagicLine', () => {
  it('marks the magic, the class name and the flags', () => {
    const text = '%%dj_table Session --schema lab --tier computed';
    expect(pairs(text, tokenizeMagicLine(text))).toEqual([
      ['magic', '%%dj_table'],
      ['class', 'Session'],
      ['flag', '--schema'],
      ['flag', '--tier']
    ]);
  });
});

describe('tokenizeCell', () => {
  const cell = [
    '%%dj_table Session',
    '# a recording session',
    '-> Subject',
    'session_idx : uint8',
    '---',
    'trace : <blob@raw>'
  ].join('\n');

  it('gives offsets in the cell text', () => {
    const got = pairs(cell, tokenizeCell(cell));
    expect(got).toEqual([
      ['magic', '%%dj_table'],
      ['class', 'Session'],
      ['comment', '# a recording session'],
      ['arrow', '->'],
      ['reference', 'Subject'],
      ['name', 'session_idx'],
      ['operator', ':'],
      ['type', 'uint8'],
      ['divider', '---'],
      ['name', 'trace'],
      ['operator', ':'],
      ['codec', '<blob'],
      ['store', '@raw'],
      ['codec', '>']
    ]);
  });

  it('returns tokens in order and never overlapping', () => {
    const tokens = tokenizeCell(cell);
    for (let i = 1; i < tokens.length; i++) {
      expect(tokens[i].from).toBeGreaterThanOrEqual(tokens[i - 1].to);
    }
  });

  it('leaves other cells alone', () => {
    expect(tokenizeCell('subject_id : uint16\n---\nname : varchar(10)')).toEqual([]);
    expect(tokenizeCell('print("%%dj_table")')).toEqual([]);
  });
});
