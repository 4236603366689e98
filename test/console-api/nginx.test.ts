/**
 * The event stream through Debian's nginx with the shipped site (/api/ prefix, trusted proxy
 * headers): events arrive one by one as they happen (not buffered until the stream ends), their
 * links carry the public prefix, and the job log answers through the proxy.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, startNginx, type RunningNginx } from '../helpers/nginx.js';
import { ASYNC, post, startService, type RunningService } from '../helpers/service.js';
import { openEvents } from './sse.js';

let svc: RunningService;
let nginx: RunningNginx;
beforeAll(async () => {
  const port = await freePort();
  svc = await startService({ SUBSETD_WORKERS: '1', SUBSETD_TRUST_PROXY: '1' });
  nginx = await startNginx({ upstream: new URL(svc.url).host, resultsDir: join(svc.stateDir, 'results'), port });
}, 60_000);
afterAll(async () => {
  await nginx?.stop();
  svc?.cleanup();
});

it('delivers each event through nginx as it happens, with links under /api/', async () => {
  const es = await openEvents(`${nginx.base}/api/jobs/events`);
  try {
    const r = await fetch(`${nginx.base}/api/processes/sleep/execution`, post({ inputs: { seconds: 1 } }, ASYNC));
    expect(r.status).toBe(201);
    const id = (await r.json()).jobID as string;
    // The running event must arrive while the job still runs (about a second before its end).
    const running = await es.next((e) => e.data.jobID === id && e.data.status === 'running');
    const done = await es.next((e) => e.data.jobID === id && e.data.status === 'successful');
    expect(done.at - running.at).toBeGreaterThan(500);
    expect(running.at - Date.parse(running.data.updated)).toBeLessThan(1000);
    expect(done.data.links[0].href).toBe(`${nginx.base}/api/jobs/${id}`);
    const log = await fetch(`${nginx.base}/api/jobs/${id}/log`);
    expect(log.status).toBe(200);
    expect(((await log.json()).lines as Array<{ message: string }>).at(-1)!.message).toBe('successful');
  } finally {
    es.close();
  }
});
