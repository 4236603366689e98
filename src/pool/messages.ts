/** What passes between the scheduler (API thread) and a worker thread. Structured-clone safe. */
import type { MessagePort } from 'node:worker_threads';

export interface WorkerTask {
  jobId: string;
  processId: string;
  inputs: Record<string, unknown>;
  workDir: string;
  dataRoot: string;
  stateDir: string;
  datasetsFile: string;
  tsCacheDir?: string;
  uploadDir?: string;
  plugins: string[];
  port: MessagePort;
}

/** Worker -> scheduler, over the task's port. */
export type WorkerEvent =
  | { t: 'beat'; threadId: number }
  | { t: 'progress'; percent: number; message?: string }
  | { t: 'log'; msg: string; extra?: Record<string, unknown> };

/** Scheduler -> worker: ask the processor to stop (before the thread is terminated). */
export type SchedulerEvent = { t: 'abort'; reason: string };

/** A processor's failure travels as data: Error subclasses lose their fields across threads. */
export type WorkerOutcome =
  | { ok: true; outputs: Record<string, unknown>; message?: string }
  | { ok: false; error: { message: string; retryable: boolean; code: string; input?: string } };
