/**
 * The job store as seen by this node, timed and counted: every call's latency, and every job
 * transition whose store call returned that it happened here. Counting at the store call (not
 * from subscribe(), which in Redis mode hears every node) means a transition is counted once in
 * the cluster, by the node that made it, so Prometheus can sum over nodes.
 */
import type { JobRecord, JobStore } from '../stores/job-store.js';
import type { Metrics } from './registry.js';

/** Start times of jobs claimed here, for the duration histogram; bounded (a job dismissed through another node never finishes here). */
const MAX_TRACKED = 10_000;

export function meteredStore(store: JobStore, m: Metrics): JobStore {
  const started = new Map<string, { processId: string; at: number }>();
  const count = (processId: string, status: string) => m.jobTransitions.inc({ process: processId, status });
  const ended = (id: string, status: string) => {
    const s = started.get(id);
    if (!s) return;
    started.delete(id);
    m.jobDuration.observe({ process: s.processId, status }, (Date.now() - s.at) / 1000);
    count(s.processId, status);
  };

  // What each transition-making call's result means; the rest are only timed.
  const after: Partial<Record<keyof JobStore, (result: any, args: any[]) => void>> = {
    create: (r: Awaited<ReturnType<JobStore['create']>>) => r.created && count(r.job.processId, 'accepted'),
    claim: (j: JobRecord | null) => {
      if (!j) return;
      if (started.size >= MAX_TRACKED) started.delete(started.keys().next().value!);
      started.set(j.id, { processId: j.processId, at: j.started ?? Date.now() });
      count(j.processId, 'running');
    },
    finish: (ok: boolean, [id, , result]) => ok && ended(id, result.status),
    release: (ok: boolean, [id]) => {
      const s = started.get(id);
      if (!ok || !s) return;
      started.delete(id);
      count(s.processId, 'requeued');
    },
    sweepStalled: (r: Awaited<ReturnType<JobStore['sweepStalled']>>) => {
      for (const j of r.requeued) count(j.processId, 'requeued');
      for (const j of r.failed) count(j.processId, 'failed');
    },
  };

  // dismiss() answers an already dismissed job as it is: only a change of status is a transition.
  const dismiss: JobStore['dismiss'] = async (id, ttlMs) => {
    const before = await timed('get', () => store.get(id));
    const j = await timed('dismiss', () => store.dismiss(id, ttlMs));
    if (j?.status === 'dismissed' && before && before.status !== 'dismissed') {
      started.delete(j.id);
      count(j.processId, 'dismissed');
    }
    return j;
  };
  const timed = async <T>(op: string, fn: () => Promise<T>): Promise<T> => {
    const end = m.storeDuration.startTimer({ op });
    try {
      return await fn();
    } finally {
      end();
    }
  };

  // One wrapper per method, made on first use: GET /jobs/{id} calls get() on every request.
  const wrapped = new Map<PropertyKey, unknown>([['dismiss', dismiss]]);
  const wrap = (target: JobStore, prop: PropertyKey, v: (...a: unknown[]) => unknown) => {
    const op = String(prop);
    const then = after[prop as keyof JobStore];
    return (...args: unknown[]) => {
      const end = m.storeDuration.startTimer({ op });
      let r: unknown;
      try {
        r = v.apply(target, args);
      } catch (e) {
        end();
        throw e;
      }
      if (!(r instanceof Promise)) {
        end();
        return r;
      }
      return r.then(
        (value) => {
          end();
          then?.(value, args);
          return value;
        },
        (e) => {
          end();
          throw e;
        },
      );
    };
  };

  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || prop === 'constructor') return v;
      let w = wrapped.get(prop);
      if (!w) wrapped.set(prop, (w = wrap(target, prop, v as (...a: unknown[]) => unknown)));
      return w;
    },
  });
}
