/**
 * Job events in Redis mode: the Lua transition scripts PUBLISH each change on `<prefix>:events`
 * (lua-jobs.ts, notify()); every node keeps one subscriber connection and hands the decoded
 * events to its local listeners, so a job run on node B shows on node A's event stream.
 * The connection is patient (reconnects forever and re-subscribes); events published while it
 * is down are lost, which subscribers accept (JobStore.subscribe is best effort).
 */
import type { Redis } from 'ioredis';
import type { JobEvent } from '../job-store.js';
import { JobListeners } from '../job-events.js';
import { duplicateClient } from './connection.js';

type Field = string | false;

/** notify()'s positional array -> JobEvent; null for anything malformed. */
export function decodeEvent(raw: string): JobEvent | null {
  let f: Field[];
  try {
    f = JSON.parse(raw) as Field[];
  } catch {
    return null;
  }
  if (!Array.isArray(f) || typeof f[0] !== 'string') return null;
  const str = (v: Field) => (typeof v === 'string' ? v : null);
  const num = (v: Field) => (typeof v === 'string' ? Number(v) : null);
  return {
    id: f[0],
    processId: str(f[1]) ?? '',
    status: str(f[2]) as JobEvent['status'],
    message: str(f[3]),
    progress: num(f[4]) ?? 0,
    created: num(f[5]) ?? 0,
    started: num(f[6]),
    finished: num(f[7]),
    updated: num(f[8]) ?? 0,
    owner: str(f[9]),
  };
}

export class RedisEvents {
  readonly listeners = new JobListeners();
  private readonly sub: Redis;
  readonly channel: string;
  /** Dispatch's wake-up channel (a ticket was queued; message: its process id). */
  readonly workChannel: string;
  private readonly onWork = new Set<(processId: string) => void>();

  constructor(client: Redis, prefix: string) {
    this.channel = `${prefix}:events`;
    this.workChannel = `${prefix}:work`;
    // Subscriber mode: no command timeout (it waits for messages), queue while reconnecting.
    this.sub = duplicateClient(client, { commandTimeout: undefined, maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: true });
    this.sub.on('message', (channel: string, raw: string) => {
      if (channel === this.workChannel) for (const fn of this.onWork) fn(raw);
      if (channel !== this.channel || !this.listeners.size) return;
      const e = decodeEvent(raw);
      if (e) this.listeners.emit(e);
    });
  }

  /** Calls `fn` whenever any node queues a ticket. Returns the unsubscribe function. */
  work(fn: (processId: string) => void): () => void {
    this.onWork.add(fn);
    return () => void this.onWork.delete(fn);
  }

  /** Connects and subscribes; resolves once events published from now on will arrive. */
  async start(): Promise<void> {
    await this.sub.connect();
    await this.sub.subscribe(this.channel, this.workChannel);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.onWork.clear();
    // QUIT waits in the offline queue while Redis is away: only a connected client says goodbye.
    if (this.sub.status === 'ready') await this.sub.quit().catch(() => this.sub.disconnect());
    else this.sub.disconnect();
  }
}
