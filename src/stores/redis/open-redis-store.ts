/**
 * Opens the Redis store for `SUBSETD_REDIS_URL`, or stops start-up (exit 2) with a message that
 * names the setting and hides the password: a wrong URL must not become a node that accepts
 * requests and then answers 503 forever.
 */
import type { Redis } from 'ioredis';
import { ConfigError } from '../../config/load.js';
import { maskUrl } from '../../config/parse.js';
import type { Config } from '../../config/table.js';
import { duplicateClient, newClient } from './connection.js';
import { Dispatch } from './dispatch.js';
import { RedisJobStore } from './redis-store.js';

const KEY = 'SUBSETD_REDIS_URL';
/** ZUNION/ZINTER-free scripts need little, but BullMQ 5+ and our tests set the floor. */
const MIN_VERSION = [6, 2];

export interface OpenRedisOptions {
  /** Key prefix; tests give each store its own. */
  prefix?: string;
  /** How long an accepted job waits before its dispatch ticket is checked (tests shorten it). */
  repairAfterMs?: number;
}

export async function openRedisStore(config: Config, opts: OpenRedisOptions = {}): Promise<RedisJobStore> {
  const url = config.redisUrl;
  if (!url) throw new ConfigError(KEY, 'not set');
  const shown = maskUrl(url);
  // No reconnection while opening: an unreachable server is a start-up error, not a wait.
  // ioredis reports the cause (ECONNREFUSED, WRONGPASS, ...) as an 'error' event and then
  // rejects connect() with a bare "Connection is closed", so the event is kept for the message.
  let cause: unknown = null;
  const probe = newClient(url, { retryStrategy: () => null });
  probe.on('error', (e) => (cause ??= e));
  try {
    await probe.connect();
    await checkVersion(probe);
  } catch (e) {
    throw new ConfigError(KEY, `cannot use Redis at ${shown}: ${reason(cause ?? e)}`);
  } finally {
    probe.disconnect();
  }
  // The store's client reconnects forever with a capped backoff (connection.ts).
  const client = newClient(url);
  await client.connect().catch((e) => {
    client.disconnect();
    throw new ConfigError(KEY, `cannot use Redis at ${shown}: ${reason(e)}`);
  });
  const prefix = opts.prefix ?? 'subsetd';
  // BullMQ's workers get their own connection (they derive their blocking ones from it).
  const workerConn = duplicateClient(client);
  const dispatch = new Dispatch(client, workerConn, `${prefix}:bull`, `${prefix}:work`);
  try {
    await dispatch.ready();
  } catch (e) {
    await dispatch.close();
    client.disconnect();
    throw new ConfigError(KEY, `cannot use Redis at ${shown}: ${reason(e)}`);
  }
  const store = new RedisJobStore(client, dispatch, prefix, opts.repairAfterMs);
  try {
    await store.startConsole();
  } catch (e) {
    await store.close();
    throw new ConfigError(KEY, `cannot use Redis at ${shown}: ${reason(e)}`);
  }
  return store;
}

async function checkVersion(redis: Redis): Promise<void> {
  const info = await redis.info('server');
  const v = /redis_version:(\d+)\.(\d+)/.exec(info);
  if (!v) return; // a compatible server that does not report a version (then BullMQ checks)
  const [maj, min] = [Number(v[1]), Number(v[2])];
  if (maj < MIN_VERSION[0] || (maj === MIN_VERSION[0] && min < MIN_VERSION[1]))
    throw new Error(`Redis ${maj}.${min} is too old; subsetd needs ${MIN_VERSION.join('.')} or later`);
}

function reason(e: unknown): string {
  const m = (e as Error)?.message ?? String(e);
  if (/^NOAUTH\b/.test(m)) return 'the server requires a password (redis://:PASSWORD@host:port or redis://USER:PASSWORD@host:port)';
  // ioredis messages name host and port, never the password; mask anyway in case one echoes the URL.
  return m.replace(/redis(s)?:\/\/\S+/g, (u) => maskUrl(u));
}
