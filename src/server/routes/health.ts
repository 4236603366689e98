import { statfs } from 'node:fs/promises';
import { Hono } from 'hono';
import { hasScope } from '../../auth/principal.js';
import type { AppEnv } from '../context.js';
import { unservedProcesses } from '../../jobs/node-announcer.js';

export const health = new Hono<AppEnv>()
  // Liveness: the event loop answers. Also shows what each worker is doing — to admins only
  // when access control is on (probes get the status without a token).
  .get('/health', async (c) => {
    const { scheduler, pool, store, version, registry } = c.var.deps;
    if (!hasScope(c.var.principal, 'admin')) return c.json({ status: 'ok' });
    // Liveness must not depend on the store: without it, the list is just left out.
    const unserved = await store.nodes().then((nodes) => unservedProcesses(nodes, registry.ids()), () => undefined);
    return c.json({
      status: 'ok',
      version,
      store: store.kind,
      uptimeSeconds: Math.round(process.uptime()),
      // Where this process's memory is (MB): the main thread's JS heap, buffers outside it, and
      // the whole (worker threads and WASM memory included) — what an operator needs to tell a
      // leak from a heap that has grown to its working size.
      memoryMb: memoryMb(),
      workers: {
        capacity: scheduler?.capacityTotal ?? 0,
        threads: pool?.size ?? 0,
        slots: scheduler?.workers() ?? [],
        // What this node's workers run (SUBSETD_PROCESSES), and what no live node runs at all.
        processes: scheduler?.processes ?? [],
      },
      ...(unserved ? { unservedProcesses: unserved } : {}),
    });
  })
  // Readiness: can this node accept and run jobs now? 503 names the failing check.
  .get('/ready', async (c) => {
    const { store, pool, scheduler, config } = c.var.deps;
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    try {
      await store.ping();
      checks.store = { ok: true };
    } catch (e) {
      checks.store = { ok: false, detail: `job store not writable: ${(e as Error).message}` };
    }
    if (scheduler) checks.pool = pool && pool.size > 0 ? { ok: true } : { ok: false, detail: 'worker pool has no threads' };
    try {
      const s = await statfs(config.stateDir);
      const free = s.bavail * s.bsize;
      checks.disk = free >= config.minFreeDisk ? { ok: true, detail: `${free} bytes free` } : { ok: false, detail: `only ${free} bytes free in ${config.stateDir} (SUBSETD_MIN_FREE_DISK=${config.minFreeDisk})` };
    } catch (e) {
      checks.disk = { ok: false, detail: `cannot stat ${config.stateDir}: ${(e as Error).message}` };
    }
    if (c.var.deps.sharedResults) checks.resultsShared = c.var.deps.sharedResults.status;
    // Never failing: jobs for a process no node runs are still accepted and wait for one.
    const unserved = checks.store.ok ? await store.nodes().then((nodes) => unservedProcesses(nodes, c.var.deps.registry.ids()), () => []) : [];
    checks.processes = unserved.length ? { ok: true, detail: `no live node runs: ${unserved.join(', ')} (their jobs wait)` } : { ok: true };
    const failing = Object.entries(checks).filter(([, v]) => !v.ok).map(([k]) => k);
    return c.json({ status: failing.length ? 'unavailable' : 'ready', failing, checks }, failing.length ? 503 : 200);
  });

function memoryMb() {
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 1048576);
  return { rss: mb(m.rss), heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) };
}
