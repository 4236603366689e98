/**
 * The one interface between routes / the worker loop and job persistence. SQLite and Redis
 * implement it; nothing outside `src/stores/<driver>/` imports a driver. The contract test suite
 * in test/stores/ runs against every implementation.
 */
import type { JobStatus } from '../jobs/status.js';
import type { CreateTokenResult, NewToken, TokenRecord } from './tokens.js';

/**
 * The store cannot be reached right now (e.g. Redis is down or restarting). Thrown by store
 * calls instead of waiting; the HTTP layer answers 503 with Retry-After and the worker loop
 * retries with backoff. The embedded SQLite store never throws it.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

export interface JobError {
  message: string;
  /** Whether another attempt might succeed (I/O hiccup vs. bad data). */
  retryable: boolean;
  /** OGC exception type URI suffix or our own code, e.g. 'timeout', 'worker-crashed'. */
  code?: string;
  /** With code 'invalid-input': the input found bad while running (e.g. a raster variable). */
  input?: string;
}

export interface JobRecord {
  id: string;
  processId: string;
  status: JobStatus;
  inputs: Record<string, unknown>;
  /** Hash of process + normalized inputs; identical requests share a job while it is live. */
  dedupKey: string | null;
  /** Free-form metadata owned by the creator (e.g. the ISIMIP adapter's view of the job). */
  meta: Record<string, unknown>;
  progress: number;
  message: string | null;
  attempts: number;
  maxAttempts: number;
  created: number;          // ms since epoch
  started: number | null;
  finished: number | null;
  updated: number;
  workerId: string | null;
  lockedUntil: number | null;
  outputs: Record<string, unknown> | null;
  error: JobError | null;
  /** When the record and its files are deleted; set when the job ends. */
  expiresAt: number | null;
  /** Token name that created the job (src/auth); null when access control is off. */
  owner: string | null;
}

export interface NewJob {
  /** Caller-chosen id (e.g. ISIMIP's SHA-1 of the request). If it exists, that job is returned. */
  id?: string;
  processId: string;
  inputs: Record<string, unknown>;
  dedupKey?: string | null;
  meta?: Record<string, unknown>;
  maxAttempts: number;
  /** Token name of the creator; null/absent when access control is off. */
  owner?: string | null;
}

export interface ListQuery {
  processId?: string[];
  status?: JobStatus[];
  /** Only jobs of this owner (token name). */
  owner?: string;
  limit: number;
  offset: number;
}

export type FinishResult =
  | { status: 'successful'; outputs: Record<string, unknown> }
  | { status: 'failed'; error: JobError };

export interface SweepResult {
  requeued: JobRecord[];
  failed: JobRecord[];
}

export interface JobStore {
  readonly kind: 'sqlite' | 'redis';

  /**
   * Inserts a job unless one with the same `id`, or a live job (accepted | running | successful,
   * not expired) with the same `dedupKey`, exists; then that one is returned with created=false.
   * Atomic: two concurrent identical creates yield one job.
   */
  create(job: NewJob): Promise<{ job: JobRecord; created: boolean }>;
  get(id: string): Promise<JobRecord | null>;
  list(q: ListQuery): Promise<{ jobs: JobRecord[]; total: number }>;

  /** Takes the oldest accepted job: status running, attempts + 1, lease until now + leaseMs. */
  claim(workerId: string, leaseMs: number): Promise<JobRecord | null>;
  /** Renews the lease and records progress. False when the job is no longer ours (dismissed, reclaimed). */
  heartbeat(id: string, workerId: string, leaseMs: number, progress?: { percent: number; message?: string }): Promise<boolean>;
  /** Ends a running job held by workerId. False when it was no longer ours. ttlMs sets expiresAt. */
  finish(id: string, workerId: string, result: FinishResult, ttlMs: number): Promise<boolean>;
  /** Gives a running job back to the queue (graceful shutdown) without counting the attempt. */
  release(id: string, workerId: string, message: string): Promise<boolean>;
  /** Moves any non-dismissed job to dismissed. Returns the job after the change, null if unknown. */
  dismiss(id: string, ttlMs: number): Promise<JobRecord | null>;

  /**
   * Running jobs whose lease expired before `cutoff` (ms): back to accepted while attempts <
   * maxAttempts, else failed with a message saying so. Timestamps written are the real time, not
   * the cutoff (a single-node restart passes a cutoff beyond every lease).
   */
  sweepStalled(cutoff: number, ttlMs: number): Promise<SweepResult>;
  /** Deletes records whose expiresAt passed; returns their ids so the caller removes their files. */
  purgeExpired(now: number): Promise<string[]>;

  /** Resolves when new work may be waiting, or after `ms`. Lets the worker loop sleep cheaply. */
  waitForWork(ms: number, signal?: AbortSignal): Promise<void>;

  /** Short-lived named lock (e.g. one package build per dataset-version and boundary). Atomic. */
  tryLock(name: string, owner: string, ttlMs: number): Promise<boolean>;
  unlock(name: string, owner: string): Promise<void>;

  /**
   * Node registry: a node says it is alive (with an opaque marker) until now + ttlMs; `nodes`
   * lists the live ones. Used to check that SUBSETD_RESULTS_DIR is shared between nodes.
   */
  announce(nodeId: string, marker: string, ttlMs: number): Promise<void>;
  nodes(): Promise<Array<{ nodeId: string; marker: string }>>;

  /** API tokens (src/stores/tokens.ts). Atomic: two creates of one name store one token. */
  createToken(t: NewToken): Promise<CreateTokenResult>;
  /** Every token, revoked ones too, by name. */
  listTokens(): Promise<TokenRecord[]>;
  /** Read on every request, never cached, so a revocation holds on every node at once. */
  findToken(prefix: string): Promise<TokenRecord | null>;
  /** Marks a live token revoked; false when there is none of that name (or it was revoked already). */
  revokeToken(name: string, now: number): Promise<boolean>;
  touchToken(name: string, now: number): Promise<void>;

  /**
   * A value every node must agree on (e.g. the link-signing key): the stored one, or
   * `candidate` stored first if there is none. Atomic between nodes.
   */
  sharedSecret(name: string, candidate: string): Promise<string>;

  /** Readiness: the store can be written now. Throws with the reason if not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
