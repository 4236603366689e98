/**
 * ioredis settings for a store that must fail fast: a request handler waiting on Redis must
 * get an answer (or a 503) in about a second, not sit in ioredis' offline queue for as long as
 * Redis is down. Reconnection goes on in the background with a capped backoff (no busy spin).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { QuotaExceededError, StoreUnavailableError } from '../job-store.js';

/** Longest a single store call may wait for Redis. */
export const CALL_TIMEOUT_MS = 1500;

export function clientOptions(extra: Partial<RedisOptions> = {}): RedisOptions {
  return {
    lazyConnect: true,
    // No offline queue: while disconnected a command fails at once instead of waiting.
    enableOfflineQueue: false,
    // A command in flight when the connection drops is not replayed after reconnection;
    // its caller gets an error and decides (the worker loop retries, HTTP answers 503).
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    commandTimeout: CALL_TIMEOUT_MS,
    // 100 ms, 200 ms, ... capped at 2 s between reconnection attempts, forever.
    retryStrategy: (times) => Math.min(times * 100, 2000),
    // Readiness after reconnection includes loading the AOF; until then commands fail fast.
    enableReadyCheck: true,
    ...extra,
  };
}

export function newClient(url: string, extra: Partial<RedisOptions> = {}): Redis {
  const r = new Redis(url, clientOptions(extra));
  // ioredis emits 'error' on every failed reconnection; the failing calls carry the news,
  // and an unhandled 'error' event would crash the process.
  r.on('error', () => {});
  return r;
}

/** A second connection with the same URL; `extra` overrides the fail-fast settings. */
export function duplicateClient(client: Redis, extra: Partial<RedisOptions> = {}): Redis {
  const r = client.duplicate(extra);
  r.on('error', () => {});
  return r;
}

/** Replies that mean "Redis cannot serve this now", as opposed to a bug in a script or a call. */
const TRANSIENT_REPLY = /^(LOADING|READONLY|MASTERDOWN|MISCONF|BUSY|NOAUTH|WRONGPASS|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|OOM)\b/;

/** Maps an error from ioredis or BullMQ to StoreUnavailableError when it is about reachability. */
export function storeError(e: unknown): unknown {
  if (e instanceof StoreUnavailableError || e instanceof QuotaExceededError) return e;
  const err = e as Error & { name?: string };
  if (err?.name === 'ReplyError' && !TRANSIENT_REPLY.test(err.message)) return e; // a real bug: let it show
  return new StoreUnavailableError(`redis unavailable: ${err?.message ?? String(e)}`, { cause: e });
}

/** Runs a promise that ioredis cannot bound by itself (BullMQ's own clients) with a deadline. */
export function withDeadline<T>(p: Promise<T>, ms = CALL_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreUnavailableError(`redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
