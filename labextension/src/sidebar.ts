/**
 * The pipeline sidebar: schemas and tables of the current notebook's kernel, with tier,
 * row count and populate status; clicking a table inserts a cell previewing it, and the
 * ERD button of a schema inserts a cell showing its diagram.
 */
import { INotebookTracker, Notebook, NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { Kernel } from '@jupyterlab/services';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import { askKernel } from './kernel';

/** Milliseconds between refreshes while a cell or a background populate runs, and otherwise. */
export const FAST_REFRESH = 1500;
export const SLOW_REFRESH = 10000;

interface PopulateStatus {
  state: string;
  done: number;
  total: number;
  errors: number;
  pending: number;
  running: boolean;
  messages?: string[];
}

interface TableEntry {
  name: string;
  class_name: string;
  tier: string;
  rows: number | null;
  preview_code: string;
  populate: PopulateStatus | null;
  error?: string;
}

interface SchemaEntry {
  name: string;
  diagram_code: string;
  tables: TableEntry[];
  error?: string;
}

interface Summary {
  running: boolean;
  schemas: SchemaEntry[];
}

function element(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

export class PipelineSidebar extends Widget {
  private summary: Summary | null = null;
  private timer = 0;
  private inFlight = false;
  private running = 0; // cells of the current notebook scheduled and not yet finished
  private kernel: Kernel.IKernelConnection | null = null;
  private body: HTMLElement;
  private status: HTMLElement;

  constructor(private tracker: INotebookTracker) {
    super();
    this.id = 'dj-jupyter-pipeline';
    this.addClass('dj-sidebar');
    this.title.caption = 'DataJoint pipeline';
    const header = element('div', 'dj-sidebar-header');
    header.appendChild(element('span', 'dj-sidebar-title', 'Pipeline'));
    const refresh = element('button', 'dj-sidebar-refresh jp-Button', 'Refresh');
    refresh.title = 'Read the schemas and tables again';
    refresh.onclick = () => void this.refresh();
    header.appendChild(refresh);
    this.status = element('div', 'dj-sidebar-status');
    this.body = element('div', 'dj-sidebar-body');
    this.node.append(header, this.status, this.body);
    tracker.currentChanged.connect(() => this.follow(), this);
    NotebookActions.executed.connect(this.onExecuted, this);
    NotebookActions.executionScheduled.connect(this.onScheduled, this);
    this.follow();
  }

  /** Follow the current notebook's kernel. */
  private follow(): void {
    const session = this.tracker.currentWidget?.sessionContext;
    if (session) {
      session.kernelChanged.disconnect(this.onKernel, this);
      session.kernelChanged.connect(this.onKernel, this);
      session.statusChanged.disconnect(this.onStatus, this);
      session.statusChanged.connect(this.onStatus, this);
    }
    this.onKernel();
  }

  /** A restart ends the running cells without their `executed` signals. */
  private onStatus(_: unknown, status: Kernel.Status): void {
    if (status === 'restarting' || status === 'autorestarting' || status === 'dead') {
      this.running = 0;
    }
  }

  private onKernel(): void {
    this.summary = null;
    this.running = 0;
    void this.refresh();
  }

  /**
   * When a cell of the current notebook starts or ends: tables may have been declared or filled.
   * (Kernel status changes are not used: the sidebar's own requests make the kernel busy too.)
   */
  private onScheduled(_: unknown, args: { notebook: Notebook }): void {
    if (args.notebook === this.tracker.currentWidget?.content) {
      this.running++;
      this.schedule(300);
    }
  }

  private onExecuted(_: unknown, args: { notebook: Notebook }): void {
    if (args.notebook === this.tracker.currentWidget?.content) {
      this.running = Math.max(this.running - 1, 0);
      this.schedule(300);
    }
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this.refresh();
  }

  private schedule(delay: number): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.refresh(), delay);
  }

  /** Ask the kernel for the pipeline summary and redraw; again soon while a background populate runs. */
  async refresh(): Promise<void> {
    window.clearTimeout(this.timer);
    if (this.isDisposed || !this.isVisible) {
      return; // hidden: refreshed when shown again
    }
    if (this.inFlight) {
      this.schedule(FAST_REFRESH);
      return;
    }
    const panel = this.tracker.currentWidget;
    this.kernel = panel?.sessionContext.session?.kernel ?? null;
    this.inFlight = true;
    try {
      this.summary = (await askKernel(this.kernel, { op: 'summary' })) as Summary | null;
      this.render(panel);
    } finally {
      this.inFlight = false;
    }
    const busy = this.running > 0; // cells of this notebook run (answers come from a kernel subshell)
    this.schedule(this.summary && (this.summary.running || busy) ? FAST_REFRESH : SLOW_REFRESH);
  }

  private render(panel: NotebookPanel | null): void {
    this.body.textContent = '';
    if (!panel || !this.kernel) {
      this.status.textContent = 'Open a notebook to see its pipeline.';
      return;
    }
    if (!this.summary) {
      this.status.textContent = 'No dj_jupyter in this kernel yet (import dj_jupyter or %load_ext dj_jupyter).';
      return;
    }
    const schemas = this.summary.schemas;
    this.status.textContent = schemas.length
      ? this.summary.running
        ? 'A background populate is running.'
        : ''
      : 'No schema in this notebook yet.';
    for (const schema of schemas) {
      this.body.appendChild(this.renderSchema(schema, panel));
    }
  }

  private renderSchema(schema: SchemaEntry, panel: NotebookPanel): HTMLElement {
    const box = element('div', 'dj-schema');
    box.dataset.schema = schema.name;
    const header = element('div', 'dj-schema-header');
    header.appendChild(element('span', 'dj-schema-name', schema.name));
    const erd = element('button', 'dj-erd-button jp-Button', 'ERD');
    erd.title = 'Insert a cell showing the diagram of this schema';
    erd.onclick = () => void insertCell(panel, schema.diagram_code);
    header.appendChild(erd);
    box.appendChild(header);
    if (schema.error) {
      box.appendChild(element('div', 'dj-error', schema.error));
    }
    const list = element('ul', 'dj-tables');
    for (const table of schema.tables) {
      list.appendChild(this.renderTable(table, panel));
    }
    box.appendChild(list);
    return box;
  }

  private renderTable(table: TableEntry, panel: NotebookPanel): HTMLElement {
    const item = element('li', `dj-table dj-tier-${table.tier.toLowerCase()}`);
    item.dataset.table = table.name;
    item.title = `${table.tier} table \`${table.name}\`: click to insert a cell previewing it`;
    item.onclick = () => void insertCell(panel, table.preview_code);
    const line = element('div', 'dj-table-line');
    line.appendChild(element('span', 'dj-tier-badge', table.tier[0]));
    line.appendChild(element('span', 'dj-table-name', table.class_name));
    const rows = table.rows === null ? '' : `${table.rows} row${table.rows === 1 ? '' : 's'}`;
    line.appendChild(element('span', 'dj-rows', rows));
    item.appendChild(line);
    if (table.populate) {
      item.appendChild(renderPopulate(table.populate));
    }
    if (table.error) {
      item.appendChild(element('div', 'dj-error', table.error));
    }
    return item;
  }

  dispose(): void {
    window.clearTimeout(this.timer);
    NotebookActions.executed.disconnect(this.onExecuted, this);
    NotebookActions.executionScheduled.disconnect(this.onScheduled, this);
    super.dispose();
  }
}

function renderPopulate(status: PopulateStatus): HTMLElement {
  const box = element('div', `dj-populate dj-populate-${status.state}`);
  const bar = document.createElement('progress');
  bar.className = 'dj-progress';
  bar.max = Math.max(status.total, 1);
  bar.value = status.total ? status.done : 1;
  box.appendChild(bar);
  box.appendChild(element('span', 'dj-progress-text', `${status.done}/${status.total}`));
  if (status.running) {
    box.appendChild(element('span', 'dj-running', 'running'));
  }
  if (status.errors) {
    const errors = element('span', 'dj-errors', `${status.errors} error${status.errors === 1 ? '' : 's'}`);
    errors.title = (status.messages ?? []).join('\n\n');
    box.appendChild(errors);
  }
  return box;
}

/** Insert a code cell with `code` below the active cell of `panel` and run it. */
async function insertCell(panel: NotebookPanel, code: string): Promise<void> {
  const notebook = panel.content;
  NotebookActions.insertBelow(notebook);
  const cell = notebook.activeCell;
  if (!cell) {
    return;
  }
  cell.model.sharedModel.setSource(code);
  await NotebookActions.run(notebook, panel.sessionContext);
}
