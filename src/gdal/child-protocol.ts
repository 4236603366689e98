/**
 * Messages between a worker thread and its GDAL child process (IPC, advanced serialization).
 * Several requests may be in flight at once: GDAL's *Async calls run on the child's libuv pool,
 * so a package job's clips overlap on both cores.
 */

export interface ChildRequest {
  t: 'run';
  id: number;
  op: string;
  args: unknown;
}

/** Keeps the child alive: a child that hears nothing for PING_TIMEOUT_MS exits on its own. */
export interface ChildPing {
  t: 'ping';
}

export type ParentMessage = ChildRequest | ChildPing;

export type ChildMessage =
  | { t: 'ready'; gdal: string }
  | { t: 'progress'; id: number; percent: number; message?: string }
  | { t: 'done'; id: number; result: unknown }
  | { t: 'error'; id: number; message: string; input?: string };

export const PING_INTERVAL_MS = 2_000;
// A terminated worker thread does not close the IPC pipe (the process lives on), so the child
// cannot rely on 'disconnect' alone: silence this long means its thread is gone.
export const PING_TIMEOUT_MS = 15_000;

/** An op reports progress through this and may throw InputError-like errors with `input`. */
export interface OpContext {
  progress(percent: number, message?: string): void;
}
