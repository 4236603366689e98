/**
 * Sends callbacks without ever holding up a job: send() returns at once, attempts run in the
 * background and are retried on a network error, a timeout, 408, 429 and 5xx, with exponential
 * backoff and jitter, for SUBSETD_CALLBACK_RETRY_FOR from the first attempt. Any other answer is
 * final: 2xx delivered; 3xx (redirects are not followed: they could point inside the network)
 * and other 4xx refused by the receiver; an address that is not allowed (any more) refused by us.
 *
 * Pending retries live in this node's memory: a node that stops loses them, so delivery is
 * at-least-once only while the node lives. A durable outbox would need its own table and key
 * space in both stores with claim semantics like jobs'; a subscriber that missed a callback
 * can always read GET /jobs/{id}. At-least-once also means a receiver may hear one status twice
 * (its 200 was lost): it should act on jobID + status idempotently.
 */
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/registry.js';
import type { Lookup } from './address.js';
import { RefusedAddressError } from './address.js';
import { postOnce, type AttemptResult } from './post.js';

export type CallbackKind = 'success' | 'failed' | 'in-progress';

export interface DelivererOptions {
  allow: readonly string[];
  retryForMs: number;
  timeoutMs: number;
  log: Logger;
  metrics?: Metrics;
  lookup?: Lookup;
  /** First retry delay; doubles per attempt up to MAX_DELAY_MS (tests shorten it). */
  baseDelayMs?: number;
}

const MAX_DELAY_MS = 60_000;
/** On close, attempts already sent may finish for this long (a job that just ended is heard). */
const CLOSE_GRACE_MS = 2000;

interface Pending {
  timer?: NodeJS.Timeout;
  cancelled: boolean;
}

const retryable = (status: number) => status === 408 || status === 429 || status >= 500;

export class Deliverer {
  private readonly pending = new Map<string, Pending>();
  /** Attempts under way, each with its abort (close() ends them after the grace). */
  private readonly inFlight = new Map<Promise<unknown>, AbortController>();
  private closing: Promise<void> | null = null;

  constructor(private readonly o: DelivererOptions) {}

  /** Starts delivering `body` to `uri`; a newer status of the job supersedes its pending in-progress one. */
  send(jobId: string, kind: CallbackKind, uri: string, body: unknown): void {
    if (this.closing) return;
    let host: string; // never the path or query in logs: they may carry the receiver's secret
    try {
      host = new URL(uri).host;
    } catch {
      // Checked at submission; a store edited by hand must still not break the claim that called us.
      return void this.o.log.warn({ job: jobId, callback: kind }, 'callback URI is not a URL; not sent');
    }
    this.cancel(jobId, 'in-progress');
    this.cancel(jobId, kind);
    const key = `${jobId}\0${kind}`;
    const p: Pending = { cancelled: false };
    this.pending.set(key, p);
    const text = JSON.stringify(body);
    const first = Date.now();
    const log = this.o.log.child({ job: jobId, callback: kind, host });
    const count = (outcome: string) => this.o.metrics?.callbackAttempts.inc({ kind, outcome });
    const done = () => this.pending.get(key) === p && this.pending.delete(key);

    const attempt = async (n: number) => {
      if (p.cancelled || this.closing) return done();
      const ac = new AbortController();
      const run = postOnce(uri, text, { allow: this.o.allow, timeoutMs: this.o.timeoutMs, signal: ac.signal, lookup: this.o.lookup }).then(
        (r): AttemptResult | Error => r,
        (e: Error) => e,
      );
      this.inFlight.set(run, ac);
      const r = await run.finally(() => this.inFlight.delete(run));
      if (!(r instanceof Error) && r.status >= 200 && r.status < 300) {
        count('delivered');
        log.info({ attempt: n, status: r.status }, 'callback delivered');
        return done();
      }
      const status = r instanceof Error ? undefined : r.status;
      const err = r instanceof Error ? r.message : undefined;
      if (p.cancelled || this.closing) {
        log.debug({ attempt: n, status, err }, 'callback abandoned: superseded or shutting down');
        return done();
      }
      if (r instanceof RefusedAddressError || (status !== undefined && !retryable(status))) {
        count('failed');
        log.warn({ attempt: n, status, err }, 'callback refused; not retried');
        return done();
      }
      const base = this.o.baseDelayMs ?? 1000;
      const exp = Math.min(MAX_DELAY_MS, base * 2 ** (n - 1));
      // Equal jitter: half fixed, half random, so receivers coming back are not hit in step.
      const delay = Math.max(exp / 2 + Math.random() * (exp / 2), r instanceof Error ? 0 : r.retryAfterMs ?? 0);
      if (Date.now() + delay - first > this.o.retryForMs) {
        count('expired');
        log.warn({ attempt: n, status, err }, 'callback failed; retry window (SUBSETD_CALLBACK_RETRY_FOR) over, giving up');
        return done();
      }
      count('retry');
      log.warn({ attempt: n, status, err, retryInMs: Math.round(delay) }, 'callback failed; will retry');
      p.timer = setTimeout(() => void attempt(n + 1), delay);
      p.timer.unref();
    };
    void attempt(1);
  }

  /**
   * Stops the retries of the job's pending delivery of that kind. An attempt in flight is let
   * finish: aborting it would starve a slow receiver of every update that a newer one follows.
   */
  cancel(jobId: string, kind: CallbackKind): void {
    const key = `${jobId}\0${kind}`;
    const p = this.pending.get(key);
    if (!p) return;
    p.cancelled = true;
    clearTimeout(p.timer);
    this.pending.delete(key);
  }

  /** Drops every pending retry; attempts in flight get a short grace, then are aborted. Idempotent. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      for (const p of this.pending.values()) clearTimeout(p.timer);
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.inFlight.keys()]), new Promise((r) => (grace = setTimeout(r, CLOSE_GRACE_MS)))]);
      clearTimeout(grace);
      for (const ac of this.inFlight.values()) ac.abort(new Error('shutting down'));
      await Promise.allSettled([...this.inFlight.keys()]);
      this.pending.clear();
    })());
  }
}
