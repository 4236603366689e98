/**
 * Entry of every worker thread (bundled as dist/worker.cjs). Runs one processor call per task.
 * A beat every second shows the scheduler the thread's event loop is alive; a processor that
 * blocks it for longer than SUBSETD_WORKER_STALL_TIMEOUT gets the thread terminated.
 */
import { threadId } from 'node:worker_threads';
import { loadFamilies } from '../processes/families.js';
import { ProcessRegistry } from '../processes/registry.js';
import type { ProcessResult } from '../processes/types.js';
import type { SchedulerEvent, WorkerEvent, WorkerOutcome, WorkerTask } from './messages.js';

let registry: Promise<ProcessRegistry> | undefined;

export default async function runTask(task: WorkerTask): Promise<WorkerOutcome> {
  const { port } = task;
  const send = (e: WorkerEvent) => port.postMessage(e);
  const ac = new AbortController();
  port.on('message', (m: SchedulerEvent) => {
    if (m.t === 'abort') ac.abort(new Error(m.reason));
  });
  send({ t: 'beat', threadId });
  const beat = setInterval(() => send({ t: 'beat', threadId }), 1000);
  try {
    registry ??= loadFamilies(task.plugins).then((f) => new ProcessRegistry(f));
    const process = (await registry).get(task.processId);
    if (!process) return { ok: false, error: { message: `unknown process ${task.processId}`, retryable: false, code: 'no-such-process' } };
    let last = 0;
    const result: ProcessResult = await process.execute(task.inputs, {
      jobId: task.jobId,
      workDir: task.workDir,
      dataRoot: task.dataRoot,
      stateDir: task.stateDir,
      datasetsFile: task.datasetsFile,
      tsCacheDir: task.tsCacheDir,
      uploadDir: task.uploadDir,
      signal: ac.signal,
      progress(percent, message) {
        // Throttled: a processor may call this per chunk; the store needs a few updates a second at most.
        const now = Date.now();
        if (now - last < 200 && percent < 100) return;
        last = now;
        send({ t: 'progress', percent, message });
      },
      log(msg, extra) {
        send({ t: 'log', msg, extra });
      },
    });
    return { ok: true, outputs: result.outputs, ...(typeof result.message === 'string' ? { message: result.message.slice(0, 500) } : {}) };
  } catch (e) {
    const err = e as Error & { retryable?: boolean; input?: string };
    const code = err.name === 'InputError' ? 'invalid-input' : ac.signal.aborted ? 'aborted' : 'processing-error';
    const message = err.name === 'InputError' && err.input ? `${err.input}: ${err.message}` : err.message || String(e);
    return { ok: false, error: { message, retryable: err.retryable === true, code, ...(code === 'invalid-input' && err.input ? { input: err.input } : {}) } };
  } finally {
    clearInterval(beat);
    port.close();
  }
}
