/**
 * Requests to the kernel side of the extension (dj_jupyter/jupyter/labext_bridge.py).
 *
 * A request is a silent execute_request whose user expression calls
 * `labext_bridge.reply(<json>, globals())`, and only when `dj_jupyter` is already
 * imported in the kernel: a kernel without it is not changed and answers null.
 * Requests go to a kernel subshell when the kernel has them, so they are answered
 * while a cell runs (a foreground populate moves the sidebar too).
 */
import { Kernel } from '@jupyterlab/services';

/** The user expression sent for `request`. */
export function bridgeExpression(request: object): string {
  const literal = JSON.stringify(JSON.stringify(request));
  return (
    "(__import__('dj_jupyter.jupyter.labext_bridge', fromlist=['reply'])" +
    `.reply(${literal}, globals()) if 'dj_jupyter' in __import__('sys').modules else None)`
  );
}

/** The JSON value of a user expression's display data, or null. */
export function expressionValue(result: any): any {
  if (!result || result.status !== 'ok' || !result.data) {
    return null;
  }
  const data = result.data;
  if (data['application/json'] !== undefined) {
    return data['application/json'];
  }
  const text = data['text/plain'];
  if (typeof text !== 'string' || text === 'None') {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const pythonKernels = new WeakMap<Kernel.IKernelConnection, boolean>();

async function isPython(kernel: Kernel.IKernelConnection): Promise<boolean> {
  let known = pythonKernels.get(kernel);
  if (known === undefined) {
    const info = await kernel.info;
    known = info.language_info.name === 'python';
    pythonKernels.set(kernel, known);
  }
  return known;
}

/** Milliseconds after which a request is given up (a kernel that lost its subshell never answers). */
export const REQUEST_TIMEOUT = 30000;

const sideChannels = new WeakMap<Kernel.IKernelConnection, Promise<Kernel.IKernelConnection>>();

/**
 * A connection to a subshell of `kernel` (JEP 91, ipykernel 7), so that requests are answered
 * while the main shell runs a cell; the kernel itself when it has no subshells.
 */
function sideChannel(kernel: Kernel.IKernelConnection): Promise<Kernel.IKernelConnection> {
  let channel = sideChannels.get(kernel);
  if (!channel) {
    channel = openSideChannel(kernel);
    sideChannels.set(kernel, channel);
  }
  return channel;
}

async function openSideChannel(kernel: Kernel.IKernelConnection): Promise<Kernel.IKernelConnection> {
  await kernel.info;
  if (!kernel.supportsSubshells) {
    return kernel;
  }
  const side = kernel.clone({ handleComms: false });
  const forget = (_: unknown, status: Kernel.Status) => {
    if (status === 'restarting' || status === 'autorestarting' || status === 'dead') {
      side.subshellId = null; // gone with the kernel process: nothing to delete
      close(); // a restarted kernel gets a new subshell on the next request
    }
  };
  const close = () => {
    sideChannels.delete(kernel);
    kernel.statusChanged.disconnect(forget);
    if (!side.isDisposed) {
      side.dispose();
    }
  };
  try {
    await side.info;
    const reply = await side.requestCreateSubshell({}, true).done;
    const id = (reply.content as { subshell_id?: string; status?: string }).subshell_id;
    if (!id) {
      side.dispose();
      return kernel;
    }
    side.subshellId = id;
  } catch {
    side.dispose();
    return kernel;
  }
  kernel.statusChanged.connect(forget);
  kernel.disposed.connect(close);
  return side;
}

function withTimeout<T>(promise: Promise<T>, onTimeout: () => void): Promise<T | null> {
  return new Promise(resolve => {
    const timer = window.setTimeout(() => {
      onTimeout();
      resolve(null);
    }, REQUEST_TIMEOUT);
    promise.then(
      value => {
        window.clearTimeout(timer);
        resolve(value);
      },
      () => {
        window.clearTimeout(timer);
        resolve(null);
      }
    );
  });
}

/** Ask the kernel; null when there is no usable kernel, no dj_jupyter in it, or the request failed. */
export async function askKernel(
  kernel: Kernel.IKernelConnection | null | undefined,
  request: object
): Promise<any> {
  if (!kernel || kernel.isDisposed || kernel.status === 'dead' || kernel.status === 'unknown') {
    return null;
  }
  try {
    if (!(await isPython(kernel))) {
      return null;
    }
    const channel = await sideChannel(kernel);
    const future = channel.requestExecute(
      {
        code: '',
        silent: true,
        store_history: false,
        allow_stdin: false,
        stop_on_error: false,
        user_expressions: { dj: bridgeExpression(request) }
      },
      true
    );
    const reply = await withTimeout(future.done, () => future.dispose());
    if (!reply || reply.content.status !== 'ok') {
      return null;
    }
    const value = expressionValue((reply.content as any).user_expressions?.dj);
    return value && !value.error ? value : null;
  } catch {
    return null; // a restarting or disconnected kernel: stay quiet
  }
}
