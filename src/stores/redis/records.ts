/**
 * Redis hash <-> JobRecord. A null field is an absent hash field; JSON fields are stored as
 * strings. `seq` (creation order) and `dispatch` (which BullMQ ticket may claim the job) are
 * bookkeeping of this store and stay out of the record.
 */
import type { JobRecord, JobSummary } from '../job-store.js';

export type Hash = Record<string, string>;

/** HGETALL as returned from a Lua script: a flat [field, value, ...] array. */
export function hashFrom(flat: unknown): Hash {
  const a = flat as string[];
  const h: Hash = {};
  for (let i = 0; i + 1 < a.length; i += 2) h[a[i]] = a[i + 1];
  return h;
}

const num = (v: string | undefined): number | null => (v === undefined ? null : Number(v));
const json = <T>(v: string | undefined): T | null => (v === undefined ? null : (JSON.parse(v) as T));

export function toRecord(h: Hash): JobRecord {
  return {
    id: h.id,
    processId: h.processId,
    status: h.status as JobRecord['status'],
    inputs: JSON.parse(h.inputs),
    dedupKey: h.dedupKey ?? null,
    meta: JSON.parse(h.meta ?? '{}'),
    progress: Number(h.progress ?? 0),
    message: h.message ?? null,
    attempts: Number(h.attempts ?? 0),
    maxAttempts: Number(h.maxAttempts),
    created: Number(h.created),
    started: num(h.started),
    finished: num(h.finished),
    updated: Number(h.updated),
    workerId: h.workerId ?? null,
    lockedUntil: num(h.lockedUntil),
    outputs: json(h.outputs),
    error: json(h.error),
    expiresAt: num(h.expiresAt),
    owner: h.owner ?? null,
  };
}

export const recordFrom = (flat: unknown): JobRecord => toRecord(hashFrom(flat));
export const dispatchOf = (flat: unknown): string => hashFrom(flat).dispatch;

/** LIST's HMGET of a JobSummary's fields, in lua-list.ts's order (absent fields are null). */
export function summaryFrom(f: Array<string | null>): JobSummary {
  const num = (v: string | null) => (v === null ? null : Number(v));
  return {
    id: f[0]!,
    processId: f[1]!,
    status: f[2] as JobSummary['status'],
    message: f[3],
    progress: Number(f[4] ?? 0),
    created: Number(f[5]),
    started: num(f[6]),
    finished: num(f[7]),
    updated: Number(f[8]),
    owner: f[9],
  };
}
