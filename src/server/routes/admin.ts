/**
 * GET /admin/stats: what the console's admin view shows. Workers of every live node (this
 * node's slots read now, other nodes' from their last announcement in the node registry, aged
 * by the time since), queue depth per process, jobs ended per minute over the last hour, disk
 * use of the state and results folders, the latest failures, and the processes no live node
 * runs (their jobs are accepted and wait). Admin scope: the access
 * layer guards every /admin/* path (src/auth/route-class.ts).
 */
import { Hono } from 'hono';
import { nodeWorkers, unservedProcesses } from '../../jobs/node-announcer.js';
import type { NodeWorker } from '../../stores/job-store.js';
import type { AppEnv } from '../context.js';

const iso = (ms: number) => new Date(ms).toISOString();

export const admin = new Hono<AppEnv>().get('/admin/stats', async (c) => {
  const { store, scheduler, nodeId, disk, registry } = c.var.deps;
  const now = Date.now();
  const [registered, activity, usage] = await Promise.all([store.nodes(), store.activity(now), disk.get()]);
  const aged = (w: NodeWorker, ms: number): NodeWorker =>
    w.lastHeartbeatMsAgo === undefined ? w : { ...w, lastHeartbeatMsAgo: w.lastHeartbeatMsAgo + ms };
  const nodes = [
    { nodeId, workers: nodeWorkers(scheduler?.workers() ?? []), processes: scheduler ? [...scheduler.processes] : [] },
    ...registered
      .filter((n) => n.nodeId !== nodeId)
      .sort((a, b) => a.nodeId.localeCompare(b.nodeId))
      .map((n) => ({ nodeId: n.nodeId, workers: n.workers.map((w) => aged(w, Math.max(0, now - n.announced))), ...(n.processes ? { processes: n.processes } : {}) })),
  ];
  return c.json({
    nodes,
    queue: activity.queue,
    unservedProcesses: unservedProcesses(registered, registry.ids()),
    perMinute: activity.perMinute.map((m) => ({ minute: iso(m.minute), successful: m.successful, failed: m.failed })),
    disk: usage,
    failures: activity.failures.map((f) => ({ id: f.id, processId: f.processId, finished: iso(f.finished), message: f.message })),
  });
});
