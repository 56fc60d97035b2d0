/**
 * The CodeMirror 6 extension of `%%dj_table` cells: token classes for highlighting and
 * problems from the kernel's parser underlined, with the message on hover.
 */
import { Extension, RangeSetBuilder, StateEffect, StateField } from '@codemirror/state';
import {
  Decoration,
  DecorationSet,
  EditorView,
  hoverTooltip,
  ViewPlugin,
  ViewUpdate
} from '@codemirror/view';
import { Placed, placeProblems, Problem } from './diagnostics';
import { isDjTableCell, tokenizeCell } from './tokenizer';

/** Checks a `%%dj_table` cell in the kernel of the notebook holding `dom`; null when nothing can check it. */
export type Checker = (cell: string, dom: HTMLElement) => Promise<Problem[] | null>;

/** Milliseconds of quiet typing before the kernel is asked. */
export const CHECK_DELAY = 400;

const marks = new Map<string, Decoration>();

function mark(kind: string): Decoration {
  let found = marks.get(kind);
  if (!found) {
    found = Decoration.mark({ class: `cm-dj-${kind}` });
    marks.set(kind, found);
  }
  return found;
}

function highlight(view: EditorView): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  for (const token of tokenizeCell(view.state.doc.toString())) {
    builder.add(token.from, token.to, mark(token.kind));
  }
  return builder.finish();
}

const highlighter = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = highlight(view);
    }
    update(update: ViewUpdate) {
      if (update.docChanged) {
        this.decorations = highlight(update.view);
      }
    }
  },
  { decorations: plugin => plugin.decorations }
);

const setProblems = StateEffect.define<Placed[]>();

interface ProblemState {
  placed: Placed[];
  decorations: DecorationSet;
}

function problemDecorations(placed: Placed[], length: number): DecorationSet {
  const sorted = placed.filter(p => p.to > p.from && p.to <= length).sort((a, b) => a.from - b.from);
  return Decoration.set(
    sorted.map(p =>
      Decoration.mark({
        class: `cm-dj-problem cm-dj-problem-${p.severity}`,
        attributes: { title: p.message, 'data-dj-message': p.message }
      }).range(p.from, p.to)
    )
  );
}

const problemField = StateField.define<ProblemState>({
  create: () => ({ placed: [], decorations: Decoration.none }),
  update(value, tr) {
    for (const effect of tr.effects) {
      if (effect.is(setProblems)) {
        return { placed: effect.value, decorations: problemDecorations(effect.value, tr.state.doc.length) };
      }
    }
    if (!tr.docChanged) {
      return value;
    }
    const placed = value.placed.map(p => ({ ...p, from: tr.changes.mapPos(p.from), to: tr.changes.mapPos(p.to) }));
    return { placed, decorations: value.decorations.map(tr.changes) };
  },
  provide: field => EditorView.decorations.from(field, value => value.decorations)
});

const problemTooltip = hoverTooltip((view, pos) => {
  const found = view.state.field(problemField).placed.filter(p => p.from <= pos && pos <= p.to);
  if (!found.length) {
    return null;
  }
  return {
    pos: found[0].from,
    end: found[0].to,
    above: true,
    create: () => {
      const dom = document.createElement('div');
      dom.className = 'cm-dj-tooltip';
      dom.textContent = found.map(p => p.message).join('\n\n');
      return { dom };
    }
  };
});

/** The live checkers, so that all cells can be checked again after a cell ran. */
const checkers = new Set<{ schedule(): void }>();

/** Check every `%%dj_table` cell again (after a cell ran, the names it defined may fix or break references). */
export function recheckAll(): void {
  checkers.forEach(checker => checker.schedule());
}

function checkerPlugin(getChecker: () => Checker | null) {
  return ViewPlugin.fromClass(
    class {
      private timer = 0;
      private version = 0;
      private inFlight = false;
      private destroyed = false;
      constructor(private view: EditorView) {
        checkers.add(this);
        this.schedule();
      }
      update(update: ViewUpdate) {
        if (update.docChanged) {
          this.schedule();
        }
      }
      schedule() {
        window.clearTimeout(this.timer);
        this.version++;
        const text = this.view.state.doc.toString();
        if (!isDjTableCell(text)) {
          if (this.view.state.field(problemField).placed.length) {
            this.timer = window.setTimeout(() => this.publish([]), 0); // not inside an update
          }
          return;
        }
        this.timer = window.setTimeout(() => void this.check(text, this.version), CHECK_DELAY);
      }
      async check(text: string, version: number) {
        if (this.inFlight) {
          return; // one request at a time: the answer triggers a new check if the text changed
        }
        const checker = getChecker();
        this.inFlight = true;
        let problems: Problem[] | null = null;
        try {
          problems = checker ? await checker(text, this.view.dom) : null;
        } finally {
          this.inFlight = false;
        }
        if (this.destroyed) {
          return;
        }
        if (version !== this.version) {
          this.schedule(); // the text changed meanwhile (a busy kernel answers late): check the new text
        } else if (problems !== null) {
          this.publish(placeProblems(text, problems)); // null: no kernel (or no dj_jupyter) to ask
        }
      }
      publish(placed: Placed[]) {
        this.view.dispatch({ effects: setProblems.of(placed) });
      }
      destroy() {
        window.clearTimeout(this.timer);
        this.destroyed = true;
        checkers.delete(this);
      }
    }
  );
}

/** The whole editor extension; `getChecker` gives the current kernel checker (or null). */
export function djTableExtension(getChecker: () => Checker | null): Extension {
  return [highlighter, problemField, problemTooltip, checkerPlugin(getChecker)];
}
