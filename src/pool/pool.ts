/**
 * The piscina pool that runs processors. Piscina replaces a thread that crashed, ran out of
 * memory or was terminated because its task was aborted; we add the per-task message channel.
 */
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { SchedulerEvent, WorkerEvent, WorkerOutcome, WorkerTask } from './messages.js';

export interface PoolOptions {
  filename: string;
  threads: number;
  memoryBytes: number;
  /** Errors of threads outside any task (e.g. a thread that cannot start). */
  onError(err: Error): void;
}

export class WorkerPool {
  private readonly piscina: Piscina;
  private destroyed = false;

  constructor(opts: PoolOptions) {
    const n = Math.max(1, opts.threads);
    this.piscina = new Piscina({
      filename: opts.filename,
      minThreads: n,
      maxThreads: n,
      idleTimeout: 60_000,
      // One task per thread: a task that blocks its thread must not hold another job hostage.
      concurrentTasksPerWorker: 1,
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, Math.round(opts.memoryBytes / 2 ** 20)) },
    });
    // Errors of idle threads (e.g. a failed start) must not crash the process; tasks see their own.
    this.piscina.on('error', (e: Error) => opts.onError(e));
  }

  /**
   * Runs a task; `onEvent` sees its beats and progress. Aborting `signal` terminates the thread
   * (piscina replaces it), which stops even a processor stuck in WebAssembly.
   */
  run(task: Omit<WorkerTask, 'port'>, onEvent: (e: WorkerEvent) => void, signal: AbortSignal): { done: Promise<WorkerOutcome>; stop(reason: string): void } {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', onEvent);
    const done = this.piscina
      .run({ ...task, port: port2 } satisfies WorkerTask, { transferList: [port2], signal })
      .finally(() => port1.close()) as Promise<WorkerOutcome>;
    return {
      done,
      stop: (reason: string) => {
        try {
          port1.postMessage({ t: 'abort', reason } satisfies SchedulerEvent);
        } catch {
          /* port already closed: the task has ended */
        }
      },
    };
  }

  get size(): number {
    return this.piscina.threads.length;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.piscina.destroy();
  }
}
