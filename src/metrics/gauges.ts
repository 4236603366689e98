/**
 * Gauges read when Prometheus scrapes, not kept up to date on every change: the queue depth
 * and running jobs per process come from the store (in Redis mode the shared queue and every
 * live node's announced workers, so each node reports the same cluster figure: aggregate with max, not
 * sum), the worker slots from this node's scheduler.
 */
import { Gauge } from 'prom-client';
import type { Scheduler } from '../jobs/scheduler.js';
import type { JobStore } from '../stores/job-store.js';
import type { Metrics } from './registry.js';

export function addGauges(m: Metrics, store: JobStore, processIds: () => string[], scheduler: Scheduler | null, nodeId: string): void {
  new Gauge({
    name: 'subsetd_jobs',
    help: 'Jobs queued (accepted) and running, by process; cluster-wide (every node reports the same figure)',
    labelNames: ['process', 'status'],
    registers: [m.registry],
    async collect() {
      this.reset();
      const [activity, nodes] = await Promise.all([store.activity(Date.now()), store.nodes()]);
      const running: Record<string, number> = {};
      // This node's slots as they are now; the others' as last announced (every few seconds).
      const slots = [...(scheduler?.workers() ?? []), ...nodes.filter((n) => n.nodeId !== nodeId).flatMap((n) => n.workers)];
      for (const w of slots) if (w.state === 'busy' && w.processId) running[w.processId] = (running[w.processId] ?? 0) + 1;
      for (const id of new Set([...processIds(), ...Object.keys(activity.queue), ...Object.keys(running)])) {
        this.set({ process: id, status: 'queued' }, activity.queue[id] ?? 0);
        this.set({ process: id, status: 'running' }, running[id] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'subsetd_worker_slots',
    help: "This node's worker slots, busy or idle",
    labelNames: ['state'],
    registers: [m.registry],
    collect() {
      const slots = scheduler?.workers() ?? [];
      this.set({ state: 'busy' }, slots.filter((s) => s.state === 'busy').length);
      this.set({ state: 'idle' }, slots.filter((s) => s.state === 'idle').length);
    },
  });
}
