/**
 * The closed set of job states (OGC API - Processes statusCode) and the only transitions allowed.
 * The SQLite schema carries the same list in a CHECK constraint (migration 001); keep them equal.
 */
export const JOB_STATUSES = ['accepted', 'running', 'successful', 'failed', 'dismissed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

const TRANSITIONS: Record<JobStatus, readonly JobStatus[]> = {
  // accepted -> failed: validation found at claim time, or expired before it ran.
  accepted: ['running', 'dismissed', 'failed'],
  // running -> accepted: lease lost (crash, kill -9, shutdown) and re-queued for another attempt.
  running: ['successful', 'failed', 'dismissed', 'accepted'],
  // OGC dismiss on a finished job removes its results; the record stays until it expires.
  successful: ['dismissed'],
  failed: ['dismissed'],
  dismissed: [],
};

export const TERMINAL: readonly JobStatus[] = ['successful', 'failed', 'dismissed'];

export function isJobStatus(s: unknown): s is JobStatus {
  return typeof s === 'string' && (JOB_STATUSES as readonly string[]).includes(s);
}

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The states from which a move to `to` is allowed: stores use it in their conditional updates. */
export function sourcesOf(to: JobStatus): JobStatus[] {
  return JOB_STATUSES.filter((s) => TRANSITIONS[s].includes(to));
}

export function isTerminal(s: JobStatus): boolean {
  return TERMINAL.includes(s);
}
