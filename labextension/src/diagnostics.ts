/**
 * Problems reported by the kernel's parser, placed in the text of a `%%dj_table` cell.
 * Pure: unit tested with jest.
 */

/** A problem as `labext_bridge` reports it (1-based, within the cell body; line 0 is the magic line). */
export interface Problem {
  line: number;
  column: number;
  end_column?: number;
  message: string;
  severity?: string;
}

/** A problem placed in the cell text (offsets into the whole cell, magic line included). */
export interface Placed {
  from: number;
  to: number;
  message: string;
  severity: 'error' | 'warning';
}

/** The magic line: the first line of the cell. */
export function magicLine(cell: string): string {
  const newline = cell.indexOf('\n');
  return newline < 0 ? cell : cell.slice(0, newline);
}

/** The cell body: the text after the magic line. */
export function cellBody(cell: string): string {
  const newline = cell.indexOf('\n');
  return newline < 0 ? '' : cell.slice(newline + 1);
}

/** Where each problem goes in the cell; a problem past the end of its line marks the line's last character. */
export function placeProblems(cell: string, problems: Problem[]): Placed[] {
  const lines = cell.split('\n');
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length + 1;
  }
  const placed: Placed[] = [];
  for (const p of problems) {
    // body line n is cell line n (0-based); line 0 is the magic line
    const index = Math.min(Math.max(p.line, 0), lines.length - 1);
    const text = lines[index];
    let from = Math.max(p.column - 1, 0);
    let to = Math.max((p.end_column ?? p.column + 1) - 1, from + 1);
    if (from >= text.length) {
      from = Math.max(text.length - 1, 0);
      to = text.length;
    }
    to = Math.min(to, text.length);
    if (to <= from) {
      to = from + 1; // an empty line: still something to hover
    }
    placed.push({
      from: starts[index] + from,
      to: Math.min(starts[index] + to, cell.length),
      message: p.message,
      severity: p.severity === 'warning' ? 'warning' : 'error'
    });
  }
  return placed;
}
