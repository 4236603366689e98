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
  /** The owner's limits, checked atomically with the insert (each store's quota code). Absent: none. */
  limits?: OwnerLimits;
}

/** Per-owner limits; null = no limit. Jobs with owner null count as one owner. */
export interface OwnerLimits {
  /** Jobs of the owner that are accepted or running at once. */
  maxQueued: number | null;
  /**
   * Jobs the owner created in the last hour (sliding window). Submissions are recorded apart
   * from the jobs while this limit applies, so dismissed and purged jobs still count.
   */
  maxJobsPerHour: number | null;
  /** Length of the sliding window; one hour unless given (tests shorten it). */
  windowMs?: number;
}

export const QUOTA_WINDOW_MS = 3_600_000;

/** create() refused a job: the owner is at one of its limits. Becomes HTTP 429. */
export class QuotaExceededError extends Error {
  constructor(
    /** The stores check the first two; the request-shape limits are checked before (src/quota). */
    readonly limit: 'max-queued' | 'max-jobs-per-hour' | 'max-files-per-job' | 'max-upload-bytes',
    readonly value: number,
    /**
     * When trying again may succeed: for the hourly window, when the oldest counted submission
     * leaves it; null for max-queued (when one of the owner's jobs ends).
     */
    readonly retryAfterMs: number | null,
  ) {
    super(`${limit} ${value}`);
    this.name = 'QuotaExceededError';
  }
}

export interface ListQuery {
  processId?: string[];
  status?: JobStatus[];
  /** Only jobs of this owner (token name). */
  owner?: string;
  /** Only jobs created at or after / at or before this time (ms, inclusive). */
  createdFrom?: number;
  createdTo?: number;
  /** Only jobs whose inputs JSON contains this text; ASCII letters match case-insensitively. */
  q?: string;
  /**
   * Only jobs that started and ran at least / at most this long (ms, inclusive): finished minus
   * started, or now minus started while running (OGC job-list minDuration / maxDuration).
   */
  minDuration?: number;
  maxDuration?: number;
  /** Keyset paging: only jobs older than this position (newest first), or newer than `before`. */
  after?: ListCursor;
  /** Jobs newer than this position: the `limit` closest to it, still listed newest first. */
  before?: ListCursor;
  limit: number;
  /** Matching jobs skipped first (after the cursor, if any); costs a step per job skipped. */
  offset: number;
}

/**
 * A position in the list's order (newest first): the job's created time and a key that breaks
 * ties in insertion order (SQLite: rowid; Redis: the creation sequence). Opaque to callers.
 */
export interface ListCursor {
  created: number;
  key: number;
}

/** Whether a job's duration is within the query's bounds (jobs that never started have none). */
export function durationWithin(q: Pick<ListQuery, 'minDuration' | 'maxDuration'>, started: number | null, finished: number | null, now: number): boolean {
  if (started === null) return false;
  const d = (finished ?? now) - started;
  return (q.minDuration === undefined || d >= q.minDuration) && (q.maxDuration === undefined || d <= q.maxDuration);
}

/** ASCII-only lower-casing for the free-text filter, the same as SQLite's lower() and Lua's string.lower. */
export const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * Non-matching jobs one list call looks at, at most, where no index covers the filters (free
 * text, duration); then it returns a short page and a cursor to go on.
 */
export const LIST_SCAN_BUDGET = 10_000;

export interface JobPage {
  jobs: JobSummary[];
  /**
   * Jobs matching the filters, from counters or set sizes kept with every change (no scan): exact for the
   * status / process / owner filters, null when a created range, free text or duration is given.
   */
  total: number | null;
  /**
   * Where the next (older) page starts; null when no older job matches. A page may hold fewer
   * than `limit` jobs and still have a next cursor: the free-text scan budget ran out.
   */
  next: ListCursor | null;
  /** The first job's position, for a link to the newer page; null when the page is empty. */
  first: ListCursor | null;
  /** With `before`: whether jobs newer than this page match too. Otherwise unknown (undefined). */
  newer?: boolean;
}

export type FinishResult =
  /** `message`: the job's last word (statusInfo message), e.g. what answered it; 'done' when absent. */
  | { status: 'successful'; outputs: Record<string, unknown>; message?: string }
  | { status: 'failed'; error: JobError };

export interface SweepResult {
  requeued: JobRecord[];
  failed: JobRecord[];
}

/**
 * A job without its inputs, outputs and bookkeeping: enough for a statusInfo document and for
 * visibility checks. Lists carry it (reading inputs of every listed job would cost the most of
 * a page), and so do events.
 */
export type JobSummary = Pick<JobRecord, 'id' | 'processId' | 'status' | 'message' | 'progress' | 'created' | 'started' | 'finished' | 'updated' | 'owner'>;

/** What a subscriber hears on every change of a job's state or progress (Redis publishes it to every node). */
export type JobEvent = JobSummary;

/** One line of a job's own log (GET /jobs/{id}/log). Index = position in the log, from 0. */
export interface JobLogLine {
  time: number; // ms since epoch
  level: 'info' | 'warn' | 'error';
  message: string;
  progress?: number;
  retryable?: boolean;
}

/** A job log keeps at most this many lines; later ones are dropped (a chatty processor cannot fill the store). */
export const LOG_MAX_LINES = 2000;
/** Longer messages are cut to this many characters. */
export const LOG_MAX_MESSAGE = 2000;

/** One worker slot of a node, as announced in the node registry. */
export interface NodeWorker {
  slot: number;
  state: 'busy' | 'idle';
  jobId?: string;
  processId?: string;
  lastHeartbeatMsAgo?: number;
}

export interface NodeInfo {
  /** Opaque marker (the shared-results check's file content); '' when unused. */
  marker: string;
  workers: NodeWorker[];
  /** The processes this node's workers run ([] for an API-only node); absent from older nodes. */
  processes?: string[];
}

/** Figures for GET /admin/stats. */
export interface ActivityStats {
  /** Accepted (queued) jobs per process. */
  queue: Record<string, number>;
  /** Jobs that ended successful / failed per minute over the last 60 minutes, oldest first; `minute` is its start (ms). */
  perMinute: Array<{ minute: number; successful: number; failed: number }>;
  /** The last 20 failed jobs, newest first. */
  failures: Array<{ id: string; processId: string; finished: number; message: string }>;
}

export interface JobStore {
  readonly kind: 'sqlite' | 'redis';

  /**
   * Inserts a job unless one with the same `id`, or a live job (accepted | running | successful,
   * not expired) with the same `dedupKey`, exists; then that one is returned with created=false.
   * Atomic: two concurrent identical creates yield one job.
   * With `limits`, a job that would exceed the owner's limits is not inserted and
   * QuotaExceededError is thrown; the check and the insert are one atomic step across nodes.
   * Joining an existing job (same id or dedupKey) counts against no limit.
   */
  create(job: NewJob): Promise<{ job: JobRecord; created: boolean }>;
  get(id: string): Promise<JobRecord | null>;
  /**
   * One page of jobs, newest first (created, then insertion order). Costs O(limit + offset) per
   * call whatever the number of jobs, for every combination of filters but free text and duration
   * (which look at each job, at most LIST_SCAN_BUDGET non-matching ones per call).
   */
  list(q: ListQuery): Promise<JobPage>;

  /**
   * Takes an accepted job: status running, attempts + 1, lease until now + leaseMs. Fair across
   * owners: the owner served least recently goes first (owner null counts as one owner), and
   * within an owner the oldest job. With `processes`, only a job of one of them (a node that
   * serves only those, or whose other processes are at their concurrency limit); the others'
   * jobs are neither taken nor looked at in Redis mode (a queue per process).
   */
  claim(workerId: string, leaseMs: number, processes?: readonly string[]): Promise<JobRecord | null>;
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

  /**
   * Short-lived named lock (e.g. one package build per dataset-version and boundary; one
   * time-series cache build per file across nodes, `ts-cache:<real path>`). Atomic. The owner
   * renews it by calling again (the TTL starts anew); once it expired, anyone may take it and the
   * former owner's renewal fails.
   */
  tryLock(name: string, owner: string, ttlMs: number): Promise<boolean>;
  unlock(name: string, owner: string): Promise<void>;

  /**
   * Node registry: a node says it is alive (with an opaque marker and its worker slots) until
   * now + ttlMs; `nodes` lists the live ones with the time of their announcement. Used to check
   * that SUBSETD_RESULTS_DIR is shared between nodes and to show every node's workers.
   */
  announce(nodeId: string, info: NodeInfo, ttlMs: number): Promise<void>;
  nodes(): Promise<Array<NodeInfo & { nodeId: string; announced: number }>>;

  /**
   * Calls `listener` after every change of any job's state or progress (create, claim, progress
   * and message, finish, release, dismiss, sweep), on every node (Redis: published to all).
   * Purges are not events. Returns the function that removes the listener. Listener errors are
   * swallowed. Best effort: during a Redis outage events are lost (clients re-read the list).
   */
  subscribe(listener: (e: JobEvent) => void): () => void;

  /**
   * Appends lines to a job's log (no-op for an unknown job). The log lives exactly as long as
   * the record: a dismissed job keeps its log until it is purged, then both are gone.
   */
  appendLog(id: string, lines: JobLogLine[]): Promise<void>;
  /** Lines with index > after (all when after is undefined), oldest first. [] for an unknown job. */
  readLog(id: string, after?: number): Promise<JobLogLine[]>;

  /** Queue depth, ends per minute and recent failures (GET /admin/stats). */
  activity(now: number): Promise<ActivityStats>;

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
