/**
 * dj_jupyter in JupyterLab: `%%dj_table` cells highlighted and checked by the kernel's
 * parser as you type, and a pipeline sidebar.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { EditorExtensionRegistry, IEditorExtensionRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker, NotebookActions } from '@jupyterlab/notebook';
import { LabIcon } from '@jupyterlab/ui-components';
import { cellBody, magicLine, Problem } from './diagnostics';
import { Checker, djTableExtension, recheckAll } from './editor';
import { askKernel } from './kernel';
import { PipelineSidebar } from './sidebar';

/** A database cylinder, drawn in the theme's icon colour. */
const pipelineIcon = new LabIcon({
  name: 'dj-jupyter:pipeline',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161">' +
    '<path d="M12 2C7.6 2 4 3.3 4 5v14c0 1.7 3.6 3 8 3s8-1.3 8-3V5c0-1.7-3.6-3-8-3zm0 2c3.9 0 6 1.1 6 1.5S15.9 7 12 7 ' +
    '6 5.9 6 5.5 8.1 4 12 4zM6 8.3C7.5 8.8 9.6 9 12 9s4.5-.2 6-.7V12c0 .4-2.1 1.5-6 1.5S6 12.4 6 12V8.3zm0 6.5c1.5.5 ' +
    '3.6.7 6 .7s4.5-.2 6-.7V19c0 .4-2.1 1.5-6 1.5S6 19.4 6 19v-4.2z"/></g></svg>'
});

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'dj-jupyter-labextension:plugin',
  description: 'dj_jupyter: %%dj_table highlighting and validation, and a pipeline sidebar.',
  autoStart: true,
  requires: [IEditorExtensionRegistry, INotebookTracker],
  activate: (app: JupyterFrontEnd, registry: IEditorExtensionRegistry, tracker: INotebookTracker) => {
    const checker: Checker = async (cell: string, dom: HTMLElement) => {
      const panel = tracker.find(p => p.node.contains(dom)) ?? tracker.currentWidget;
      const kernel = panel?.sessionContext.session?.kernel;
      const request = { op: 'check', magic: magicLine(cell), text: cellBody(cell) };
      const answer = await askKernel(kernel, request);
      return answer ? (answer.problems as Problem[]) : null;
    };
    registry.addExtension({
      name: 'dj-jupyter:dj-table',
      factory: () => EditorExtensionRegistry.createImmutableExtension(djTableExtension(() => checker))
    });
    NotebookActions.executed.connect(() => recheckAll());
    const sidebar = new PipelineSidebar(tracker);
    sidebar.title.icon = pipelineIcon;
    app.shell.add(sidebar, 'left', { rank: 650 });
  }
};

export default plugin;
