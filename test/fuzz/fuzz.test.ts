/**
 * The short fuzz run (the full one is `npm run fuzz`): 5,000 requests generated from
 * /openapi.json across every route and method, with no token, a bad token and each scope
 * (when the tokens command exists). Zero 5xx, the service alive, every accepted job ended,
 * RSS within 50 MB of where it started.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CLI, startService, type RunningService } from '../helpers/service.js';
import { makeFuzzData } from './data.js';
import { runFuzz } from './fuzzer.js';
import { createTokens } from './tokens.js';

let svc: RunningService | undefined;
afterAll(() => svc?.cleanup());

it('survives 6,000 fuzzed requests without a 5xx', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'subsetd-fuzz-'));
  const env = { SUBSETD_STATE_DIR: stateDir, SUBSETD_DATA_ROOT: join(stateDir, 'data'), SUBSETD_LOG_LEVEL: 'warn' };
  const dataFiles = makeFuzzData(env.SUBSETD_DATA_ROOT);
  const tokens = createTokens(CLI, env, [['fuzz-read', 'read'], ['fuzz-submit', 'submit'], ['fuzz-admin', 'admin']]);
  svc = await startService({ SUBSETD_WORKERS: '2', SUBSETD_SYNC_TIMEOUT: '2s', SUBSETD_LOG_LEVEL: 'info', SUBSETD_PLUGINS: '', ...(tokens ? { SUBSETD_AUTH: 'tokens' } : {}) }, stateDir);
  const report = await runFuzz({
    url: svc.url,
    pid: svc.proc.pid!,
    tokens: tokens ? { read: tokens['fuzz-read'], submit: tokens['fuzz-submit'], admin: tokens['fuzz-admin'] } : {},
    requests: 6_000,
    warmup: 2_500,
    dataFiles,
    seed: 11,
    concurrency: 6,
    drainMs: 10_000,
  });
  console.log(`fuzz (${tokens ? 'with tokens' : 'no auth'}): ${report.sent} requests in ${report.ms} ms, by status ${JSON.stringify(report.byStatus)}, by principal ${JSON.stringify(report.byPrincipal)}, ${report.accepted} jobs accepted, RSS idle ${report.rssIdleMb.toFixed(0)} / after warm-up ${report.rssBeforeMb.toFixed(0)} / after ${report.rssAfterMb.toFixed(0)} MB`);
  expect(report.sent).toBe(6_000);
  expect(report.serverErrors, JSON.stringify(report.serverErrors, null, 1)).toEqual([]);
  expect(report.alive).toBe(true);
  expect(report.notEnded).toEqual([]);
  expect(report.rssAfterMb).toBeLessThanOrEqual(report.rssBeforeMb + 50);
  expect(svc.logs.filter((l) => l.includes('"unhandled error"'))).toEqual([]);
  // The run reached past the 4xx gates: requests were accepted and answered 2xx.
  expect(report.byStatus['200']).toBeGreaterThan(500);
  expect(report.accepted).toBeGreaterThan(0);
}, 180_000);
