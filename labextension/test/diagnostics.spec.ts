import { cellBody, magicLine, placeProblems } from '../src/diagnostics';

const cell = ['%%dj_table Session', '-> Subject', 'session_idx : uint8', '---', 'trace : <blobb>', ''].join('\n');

function text(from: number, to: number): string {
  return cell.slice(from, to);
}

describe('cellBody', () => {
  it('drops the magic line', () => {
    expect(cellBody(cell).split('\n')[0]).toBe('-> Subject');
    expect(cellBody('%%dj_table Session')).toBe('');
  });
});

describe('magicLine', () => {
  it('is the first line', () => {
    expect(magicLine(cell)).toBe('%%dj_table Session');
    expect(magicLine('%%dj_table X')).toBe('%%dj_table X');
  });
});

describe('placeProblems', () => {
  it('turns body lines and columns into cell offsets', () => {
    const [p] = placeProblems(cell, [
      { line: 4, column: 9, end_column: 16, message: 'Unknown codec <blobb>', severity: 'error' }
    ]);
    expect(text(p.from, p.to)).toBe('<blobb>');
    expect(p.message).toBe('Unknown codec <blobb>');
    expect(p.severity).toBe('error');
  });

  it('marks one character when no end is given, and keeps warnings', () => {
    const [p] = placeProblems(cell, [{ line: 2, column: 15, message: 'm', severity: 'warning' }]);
    expect(text(p.from, p.to)).toBe('u');
    expect(p.severity).toBe('warning');
  });

  it('moves a problem past the end of its line onto the last character', () => {
    const [p] = placeProblems(cell, [{ line: 1, column: 40, message: 'the end of the line' }]);
    expect(text(p.from, p.to)).toBe('t');
    expect(p.severity).toBe('error');
  });

  it('puts line 0 on the magic line', () => {
    const [p] = placeProblems(cell, [{ line: 0, column: 12, end_column: 19, message: 'bad class name' }]);
    expect(text(p.from, p.to)).toBe('Session');
  });

  it('clamps lines to the cell (an empty last line gives an empty range, skipped by the editor)', () => {
    const placed = placeProblems(cell, [
      { line: -1, column: 1, message: 'before' },
      { line: 99, column: 1, message: 'after' }
    ]);
    expect(placed.map(p => text(p.from, p.to))).toEqual(['%', '']);
    expect(placed.every(p => p.to >= p.from)).toBe(true);
    const [only] = placeProblems('%%dj_table X', [{ line: 1, column: 1, message: 'x' }]);
    expect(only.from).toBe(0); // no body: on the magic line
  });
});
