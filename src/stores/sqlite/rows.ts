/** Row <-> JobRecord mapping for the SQLite store. */
import type { JobRecord } from '../job-store.js';

export interface JobRow {
  id: string;
  process_id: string;
  status: JobRecord['status'];
  inputs: string;
  dedup_key: string | null;
  meta: string;
  progress: number;
  message: string | null;
  attempts: number;
  max_attempts: number;
  created: number;
  started: number | null;
  finished: number | null;
  updated: number;
  worker_id: string | null;
  locked_until: number | null;
  outputs: string | null;
  error: string | null;
  expires_at: number | null;
  owner: string | null;
}

export function toRecord(r: JobRow): JobRecord {
  return {
    id: r.id,
    processId: r.process_id,
    status: r.status,
    inputs: JSON.parse(r.inputs),
    dedupKey: r.dedup_key,
    meta: JSON.parse(r.meta),
    progress: r.progress,
    message: r.message,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    created: r.created,
    started: r.started,
    finished: r.finished,
    updated: r.updated,
    workerId: r.worker_id,
    lockedUntil: r.locked_until,
    outputs: r.outputs === null ? null : JSON.parse(r.outputs),
    error: r.error === null ? null : JSON.parse(r.error),
    expiresAt: r.expires_at,
    owner: r.owner ?? null,
  };
}
