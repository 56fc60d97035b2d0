/**
 * Problems reported by the kernel's parser, placed in the text of a `%%dj_table` cell.
 * Pure: unit tested with jest.
 */

/** A problem as `labext_bridge.check_definition` reports it (1-based, within the cell body). */
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
    const index = Math.min(Math.max(p.line, 1), lines.length - 1); // body line n is cell line n (0-based)
    if (index < 1) {
      continue; // no body
    }
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
