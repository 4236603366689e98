/**
 * No leaked listeners: a node started in-process (SQLite, API only) with event streams opened
 * and dropped by their clients, then ended by the service's close(), keeps no store listener
 * and no open stream behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startService, type Service } from '../../src/service.js';
import { ROOT } from '../helpers/service.js';
import { openEvents } from './sse.js';

const dir = mkdtempSync(join(tmpdir(), 'subsetd-listeners-'));
let svc: Service | undefined;
afterAll(async () => {
  await svc?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The store's listener count (SqliteJobStore keeps them in a JobListeners). */
const listeners = (s: Service) => (s.deps.store as unknown as { listeners: { size: number } }).listeners.size;

async function until(pred: () => boolean, ms = 3000) {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('drops the listener of every stream its client closed, and ends the rest on close()', async () => {
  const config = loadConfig({ SUBSETD_PORT: '0', SUBSETD_STATE_DIR: dir, SUBSETD_DATA_ROOT: join(dir, 'data'), SUBSETD_WORKERS: '0' });
  svc = await startService(config, { log: createLogger('error'), workerFile: join(ROOT, 'dist/worker.cjs') });
  const base = listeners(svc);
  const clients = await Promise.all(Array.from({ length: 20 }, () => openEvents(`${svc!.url}/jobs/events`)));
  expect(listeners(svc)).toBe(base + 20);
  expect(svc.deps.eventStreams.size).toBe(20);
  for (const c of clients.slice(0, 15)) c.close();
  await until(() => listeners(svc!) === base + 5);
  expect(svc.deps.eventStreams.size).toBe(5);
  // The open streams end at once, not after a keep-alive or shutdown timeout.
  const t0 = Date.now();
  const closing = svc.close();
  await Promise.all(clients.slice(15).map((c) => c.ended));
  expect(Date.now() - t0).toBeLessThan(1000);
  await closing;
  expect(svc.deps.eventStreams.size).toBe(0);
  svc = undefined;
});
