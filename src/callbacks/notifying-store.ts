/**
 * The job store as seen by this node, calling each job's subscriber (OGC callbacks) after the
 * transitions this node makes: claim and progress (inProgressUri), finish (successUri with the
 * results document, or failedUri), a lease sweep that fails a job, and a dismissal of a job that
 * had not ended (failedUri). Hooked at the store calls, as src/metrics/metered-store.ts is, not at
 * subscribe(): in Redis mode every node hears every event, but only the node whose call made a
 * transition calls back, so each callback is sent once in the cluster.
 *
 * Dismissal goes to failedUri: the job ended without results, and a subscriber waiting only for
 * success or failure would otherwise wait forever; the status it receives says "dismissed".
 * Dismissing a job that had already ended (to delete its results) calls no one.
 */
import { overlay } from '../stores/overlay.js';
import type { LinkSigner } from '../auth/signed-links.js';
import type { Config } from '../config/table.js';
import type { JobFiles } from '../jobs/job-files.js';
import type { Logger } from '../log.js';
import type { ResultShape } from '../server/execute-request.js';
import { resultsDocument } from '../server/results-response.js';
import { statusInfo } from '../server/status-info.js';
import type { JobRecord, JobStore } from '../stores/job-store.js';
import type { Deliverer } from './deliver.js';
import type { Subscriber } from './subscriber.js';

/** At most one in-progress callback per job in this interval (plus the one at the start). */
export const PROGRESS_INTERVAL_MS = 5000;
/**
 * Jobs with a subscriber claimed here, so finish() and progress read the record only for them.
 * Bounded like metered-store's map: entries of jobs dismissed through another node (whose run
 * here stops without finish) are never removed otherwise; the oldest go first.
 */
const MAX_TRACKED = 10_000;

export interface NotifyDeps {
  deliverer: Deliverer;
  files: JobFiles;
  /** Signs result links when access control is on (the receiver has no token); null when off. */
  signer: () => Promise<LinkSigner | null>;
  log: Logger;
}

function subscriberOf(j: JobRecord): { sub: Subscriber; base: string } | null {
  const sub = j.meta?.subscriber as Subscriber | undefined;
  const base = j.meta?.base;
  return sub && typeof sub === 'object' && typeof base === 'string' ? { sub, base } : null;
}

export function notifyingStore(store: JobStore, d: NotifyDeps): JobStore {
  /** Job id -> when its last in-progress callback was sent (null: it has no inProgressUri). */
  const tracked = new Map<string, number | null>();
  const failed = (e: unknown, job: string) => d.log.error({ err: e, job }, 'callback not sent: its payload could not be built');

  const claimed = (j: JobRecord) => {
    const s = subscriberOf(j);
    if (!s) return;
    if (tracked.size >= MAX_TRACKED) tracked.delete(tracked.keys().next().value!);
    tracked.set(j.id, s.sub.inProgressUri ? Date.now() : null);
    inProgress(j);
  };
  const inProgress = (j: JobRecord) => {
    const s = subscriberOf(j);
    if (s?.sub.inProgressUri && j.status === 'running') d.deliverer.send(j.id, 'in-progress', s.sub.inProgressUri, statusInfo(j, s.base));
  };

  const ended = async (j: JobRecord) => {
    tracked.delete(j.id);
    const s = subscriberOf(j);
    if (!s) return;
    d.deliverer.cancel(j.id, 'in-progress');
    if (j.status === 'successful' && s.sub.successUri) {
      const env = { base: s.base, signer: await d.signer(), resultFile: d.files.resultFile.bind(d.files) };
      d.deliverer.send(j.id, 'success', s.sub.successUri, await resultsDocument(j, (j.meta.results ?? {}) as ResultShape, env));
    } else if ((j.status === 'failed' || j.status === 'dismissed') && s.sub.failedUri) {
      d.deliverer.send(j.id, 'failed', s.sub.failedUri, statusInfo(j, s.base));
    }
  };
  // Never awaited by the store call: a callback must not delay or fail the transition.
  const later = (id: string, fn: () => Promise<unknown>) => void fn().catch((e) => failed(e, id));

  const overrides: Partial<JobStore> = {
    async claim(...args) {
      const j = await store.claim(...args);
      if (j) claimed(j);
      return j;
    },
    async heartbeat(id, workerId, leaseMs, progress) {
      const ours = await store.heartbeat(id, workerId, leaseMs, progress);
      const last = tracked.get(id);
      if (ours && progress && typeof last === 'number' && Date.now() - last >= PROGRESS_INTERVAL_MS) {
        tracked.set(id, Date.now());
        later(id, async () => {
          const j = await store.get(id);
          if (j && tracked.has(id)) inProgress(j); // not once the job has ended here
        });
      }
      return ours;
    },
    async finish(id, ...rest) {
      const ok = await store.finish(id, ...rest);
      if (ok && tracked.delete(id))
        later(id, async () => {
          const j = await store.get(id);
          if (j) await ended(j);
        });
      return ok;
    },
    async release(id, ...rest) {
      const ok = await store.release(id, ...rest);
      if (ok) tracked.delete(id);
      return ok;
    },
    async dismiss(id, ttlMs) {
      const before = await store.get(id);
      const j = await store.dismiss(id, ttlMs);
      if (j?.status === 'dismissed' && (before?.status === 'accepted' || before?.status === 'running')) later(id, () => ended(j));
      return j;
    },
    async sweepStalled(...args) {
      const r = await store.sweepStalled(...args);
      for (const j of r.requeued) tracked.delete(j.id);
      for (const j of r.failed) later(j.id, () => ended(j));
      return r;
    },
    async close() {
      await d.deliverer.close();
      await store.close();
    },
  };

  return overlay(store, overrides);
}
