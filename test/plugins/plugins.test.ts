/**
 * A site's own processes as plugins: the worked example of docs/plugins.md, dropped into
 * SUBSETD_PLUGIN_DIR, runs in the single executable (file input checked before acceptance,
 * progress, dismissal, value and file outputs — the count checked against grep) and in Redis
 * mode across two nodes; the published contract (`subsetd plugin-types`) type-checks it; a bad
 * plugin stops start-up with exit 2 naming its file and the reason. (A plugin's crash or hang
 * failing only its job: test/api/ and test/stores/ run the fixture plugin's test-crash/test-hang.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, startService, waitForJob, type RunningService } from '../helpers/service.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { unpackRelease, type Release } from '../deploy/release.js';

const EXAMPLE = join(ROOT, 'docs/plugins/line-count.mjs');
const work = mkdtempSync(join(tmpdir(), 'subsetd-plugins-'));
const pluginDir = join(work, 'plugins');
const dataRoot = join(work, 'data');
mkdirSync(pluginDir);
mkdirSync(dataRoot);
copyFileSync(EXAMPLE, join(pluginDir, 'line-count.mjs'));
// 3,000 lines, every third one an error: small, but long enough to dismiss when throttled.
writeFileSync(join(dataRoot, 'app.log'), Array.from({ length: 3000 }, (_, i) => `${i} ${i % 3 ? 'ok' : 'ERROR'} request`).join('\n') + '\n');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const JSON_POST = { 'content-type': 'application/json' };
const execute = (svc: RunningService, inputs: unknown, headers: Record<string, string> = JSON_POST) =>
  svc.json('/processes/line-count/execution', { method: 'POST', headers, body: JSON.stringify({ inputs }) });

/** What every mode must show of the example. */
async function exercise(svc: RunningService, other: RunningService = svc) {
  const list = await svc.json('/processes');
  expect(list.body.processes.map((p: { id: string }) => p.id)).toContain('line-count');
  // validate() runs before acceptance: a path outside the data root, a missing file -> 400 naming the input.
  for (const path of ['../etc/passwd', 'missing.log']) {
    const bad = await execute(svc, { path });
    expect(bad.status).toBe(400);
    expect(bad.body.field ?? bad.body.detail).toMatch(/path/);
  }
  // Synchronous run: value output, and the file output downloadable (from the other node too).
  const expected = Number(spawnSync('grep', ['-c', 'ERROR', join(dataRoot, 'app.log')], { encoding: 'utf8' }).stdout.trim());
  const ok = await execute(svc, { path: 'app.log', pattern: 'ERROR' });
  expect(ok.status).toBe(200);
  expect(ok.body.lines).toBe(expected);
  const csv = await fetch(ok.body.report.href.replace(/^https?:\/\/[^/]+/, other.url));
  expect(csv.status).toBe(200);
  expect(await csv.text()).toBe(`path,pattern,lines\n"app.log","ERROR",${expected}\n`);
  // Progress while it runs, then dismissal: the job stops and the worker takes the next one.
  const slow = await execute(svc, { path: 'app.log', throttle: 2000 }, { ...JSON_POST, Prefer: 'respond-async' });
  expect(slow.status).toBe(201);
  let progress = 0;
  for (let i = 0; i < 100 && progress === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    progress = (await svc.json(`/jobs/${slow.body.jobID}`)).body.progress ?? 0;
  }
  expect(progress).toBeGreaterThan(0);
  expect(progress).toBeLessThan(100);
  expect((await other.json(`/jobs/${slow.body.jobID}`, { method: 'DELETE' })).status).toBe(200);
  const next = await execute(svc, { path: 'app.log' }, { ...JSON_POST, Prefer: 'respond-async' });
  const done = await waitForJob(svc, next.body.jobID, ['successful', 'failed'], 20_000);
  expect(done.status).toBe('successful');
  expect((await svc.json(`/jobs/${slow.body.jobID}`)).body.status).toBe('dismissed');
}

describe('the worked example in the single executable', () => {
  let rel: Release;
  let svc: RunningService;
  beforeAll(async () => {
    rel = unpackRelease();
    svc = await startService({ SUBSETD_PLUGIN_DIR: pluginDir, SUBSETD_DATA_ROOT: dataRoot, SUBSETD_WORKERS: '1', SUBSETD_PLUGINS: '', SUBSETD_CACHE_DIR: rel.env.SUBSETD_CACHE_DIR }, undefined, ['serve'], [rel.exe], rel.env);
  }, 300_000);
  afterAll(() => {
    svc?.cleanup();
    if (rel) rmSync(rel.work, { recursive: true, force: true });
  });

  it('lists, validates, runs, reports progress, is dismissed and writes its file', async () => {
    await exercise(svc);
  });

  it('publishes the contract: the example type-checks against `subsetd plugin-types`', () => {
    const dir = join(ROOT, 'test-output/plugin-types');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'subsetd-plugin.d.ts'), execFileSync(rel.exe, ['plugin-types'], { env: rel.env, encoding: 'utf8' }));
    copyFileSync(EXAMPLE, join(dir, 'line-count.mjs'));
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--allowJs', '--checkJs', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', 'line-count.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});

describe('the worked example in Redis mode, two nodes', () => {
  let redis: RedisServer;
  let a: RunningService, b: RunningService;
  const results = join(work, 'results');
  beforeAll(async () => {
    redis = await startRedisServer();
    const env = { SUBSETD_REDIS_URL: redis.url, SUBSETD_RESULTS_DIR: results, SUBSETD_PLUGIN_DIR: pluginDir, SUBSETD_DATA_ROOT: dataRoot, SUBSETD_WORKERS: '1', SUBSETD_PLUGINS: '' };
    [a, b] = await Promise.all([startService(env), startService(env)]);
  }, 60_000);
  afterAll(async () => {
    a?.cleanup();
    b?.cleanup();
    await redis?.destroy();
  });

  it('runs on either node; results and dismissal through the other', async () => {
    await exercise(a, b);
  });
});

describe('a bad plugin stops start-up (exit 2) naming its file and the reason', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['syntax.mjs', 'export default {', /cannot load/],
    ['nothing.cjs', 'module.exports = 42;', /does not export a processor family/],
    ['dup.mjs', "export default { name: 'x', processes: [{ description: { id: 'sleep', version: '1', title: 't', jobControlOptions: ['async-execute'], inputs: {}, outputs: {} }, execute() {} }] };", /process "sleep" is defined twice/],
    ['schema.mjs', "export default { name: 'x', processes: [{ description: { id: 'bad-schema', version: '1', title: 't', jobControlOptions: ['async-execute'], inputs: { n: { schema: { type: 'nope' } } }, outputs: {} }, execute() {} }] };", /schema|type/],
    ['noexec.mjs', "export default { name: 'x', processes: [{ description: { id: 'no-exec', version: '1', title: 't', jobControlOptions: ['async-execute'], inputs: {}, outputs: {} } }] };", /process "no-exec": execute must be a function/],
    ['badid.mjs', "export default { name: 'x', processes: [{ description: { id: 'Bad Id', version: '1', title: 't', jobControlOptions: ['async-execute'], inputs: {}, outputs: {} }, execute() {} }] };", /description\.id must be/],
  ];
  it.each(cases)('%s', (file, source, reason) => {
    const dir = mkdtempSync(join(work, 'bad-'));
    writeFileSync(join(dir, file), source);
    const env: Record<string, string> = { PATH: process.env.PATH!, SUBSETD_STATE_DIR: join(dir, 'state'), SUBSETD_PORT: '0', SUBSETD_PLUGIN_DIR: dir };
    const r = spawnSync(process.execPath, [CLI, 'serve'], { env, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(`plugin ${join(dir, file)}:`);
    expect(r.stderr).toMatch(reason);
  });

  it('an unreadable SUBSETD_PLUGIN_DIR is named too', () => {
    const r = spawnSync(process.execPath, [CLI, 'serve'], { env: { PATH: process.env.PATH!, SUBSETD_STATE_DIR: join(work, 'state-x'), SUBSETD_PORT: '0', SUBSETD_PLUGIN_DIR: join(work, 'no-such-dir') }, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/SUBSETD_PLUGIN_DIR/);
  });
});
