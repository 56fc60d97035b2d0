/**
 * Requests to the kernel side of the extension (dj_jupyter/jupyter/labext_bridge.py).
 *
 * A request is a silent execute_request whose user expression calls
 * `labext_bridge.reply(<json>, globals())`, and only when `dj_jupyter` is already
 * imported in the kernel: a kernel without it is not changed and answers null.
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
    const future = kernel.requestExecute(
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
    const reply = await future.done;
    if (reply.content.status !== 'ok') {
      return null;
    }
    const value = expressionValue((reply.content as any).user_expressions?.dj);
    return value && !value.error ? value : null;
  } catch {
    return null; // a restarting or disconnected kernel: stay quiet
  }
}
