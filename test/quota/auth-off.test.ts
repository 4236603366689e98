/**
 * With SUBSETD_AUTH=off the limits default to none (today's behaviour: anyone may queue as much as
 * they like), and a limit set explicitly applies to every caller together, as one owner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startService, type RunningService } from '../helpers/service.js';

const post = (svc: RunningService, seconds: number) =>
  svc.json('/processes/sleep/execution', { method: 'POST', headers: { 'content-type': 'application/json', Prefer: 'respond-async' }, body: JSON.stringify({ inputs: { seconds } }) });

describe('limits with access control off', () => {
  it('default to none with auth off and to the documented values with tokens', () => {
    expect(loadConfig({})).toMatchObject({ maxQueued: 0, maxJobsPerHour: 0, maxFilesPerJob: 0, maxUploadBytes: 0 });
    expect(loadConfig({ SUBSETD_AUTH: 'tokens' })).toMatchObject({ maxQueued: 100, maxJobsPerHour: 1000, maxFilesPerJob: 32, maxUploadBytes: 100 * 1024 ** 2 });
    expect(loadConfig({ SUBSETD_MAX_QUEUED: '7' }).maxQueued).toBe(7);
  });

  describe('SUBSETD_MAX_QUEUED=2 set explicitly', () => {
    let svc: RunningService;
    beforeAll(async () => {
      svc = await startService({ SUBSETD_MAX_QUEUED: '2', SUBSETD_WORKERS: '1' });
    }, 30_000);
    afterAll(() => svc?.cleanup());

    it('applies to all callers as one owner', async () => {
      expect((await post(svc, 60)).status).toBe(201);
      expect((await post(svc, 61)).status).toBe(201);
      const over = await post(svc, 62);
      expect(over.status).toBe(429);
      expect(over.headers.get('retry-after')).toBe('10');
      expect(over.body).toMatchObject({ type: 'urn:subsetd:problem:quota-exceeded', limit: 'max-queued', value: 2 });
      // Joining an identical live job is still fine.
      expect((await post(svc, 60)).status).toBeLessThan(300);
    });
  });
});
