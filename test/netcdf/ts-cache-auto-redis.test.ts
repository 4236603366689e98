/**
 * Several nodes on one Redis: the same file asked for on two nodes at once is built by one of
 * them (the store's `ts-cache:<real path>` lock); the other skips it, looks again once the lock
 * would have expired, finds the entry valid and builds nothing.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Config } from '../../src/config/table.js';
import { createLogger } from '../../src/log.js';
import { openRedisStore } from '../../src/stores/redis/open-redis-store.js';
import { AutoCache } from '../../processors/netcdf/ts-cache/auto.js';
import { listEntries } from '../../processors/netcdf/ts-cache/index.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { ROOT } from '../helpers/service.js';
// @ts-expect-error plain JS script without types
import { makeIsimipLike } from '../../scripts/make-netcdf-fixtures.mjs';

const server = useRedisServer();
const base = mkdtempSync(join(tmpdir(), 'subsetd-tsauto-redis-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

it('two nodes, one file: one builds it, the other skips and later finds it cached', async () => {
  const root = join(base, 'data');
  mkdirSync(root, { recursive: true });
  const name = 'tas_two_global_daily_2001_2001.nc';
  makeIsimipLike({ file: join(root, name), nt: 120, res: 1 });
  const dir = join(base, 'shared-ts-cache');
  const prefix = `tsauto-${process.pid}`;
  const stores = await Promise.all([0, 1].map(() => openRedisStore({ redisUrl: server().url } as Config, { prefix })));
  const nodes = stores.map(
    (store, i) =>
      new AutoCache({
        mode: 'auto', dir, dataRoot: root, folders: [], scanIntervalMs: 60_000, bounds: { maxBytes: 0, minFreeBytes: 0 },
        workerFile: join(ROOT, 'dist/ts-cache-worker.cjs'), store, nodeId: `node-${i}`, log: createLogger('silent'), durable: false, retryAfterMs: 300,
      }),
  );
  try {
    const job = { processId: 'netcdf-subset', inputs: { paths: [name], operations: [{ operation: 'cutout_point', point: { type: 'Point', coordinates: [1, 2] } }] } };
    for (const n of nodes) n.jobEnded(job);
    await Promise.all(nodes.map((n) => n.idle()));
    const total = () => nodes.reduce((s, n) => ({ built: s.built + n.stats.built, locked: s.locked + n.stats.locked }), { built: 0, locked: 0 });
    // (The skipping node may have looked again while the build still ran: locked again.)
    expect(total().built).toBe(1);
    expect(total().locked).toBeGreaterThanOrEqual(1);
    const locked = total().locked;
    // The skipping node looks again after the lock's time: the entry is there, nothing is built.
    await new Promise((r) => setTimeout(r, 600));
    await Promise.all(nodes.map((n) => n.idle()));
    expect(total()).toEqual({ built: 1, locked });
    expect(listEntries(dir)).toHaveLength(1);
    // The lock was released: either node may take it now.
    expect(await stores[0].tryLock(`ts-cache:${join(root, name)}`, 'node-x', 1000)).toBe(true);
  } finally {
    await Promise.all(nodes.map((n) => n.close()));
    await Promise.all(stores.map((s) => s.close()));
  }
}, 60_000);
