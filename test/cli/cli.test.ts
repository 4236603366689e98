// The CLI as users run it: the bundled dist/subsetd.cjs in a child process.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, post, startService, type RunningService } from '../helpers/service.js';

function cli(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SUBSETD_')));
  return spawnSync(process.execPath, [CLI, ...args], { env: { ...clean, ...env }, encoding: 'utf8', timeout: 30_000 });
}

describe('cli', () => {
  it('prints help and version', () => {
    expect(cli(['--help']).stdout).toMatch(/serve --workers 0 +HTTP API only/);
    const v = cli(['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/^subsetd \d+\.\d+\.\d+ \(commit \w+\)/);
    expect(v.stdout).toMatch(/sqlite 3\.\d+/);
    expect(v.stdout).toMatch(/gdal 3\.\d+/);
  });

  it('exits 2 naming the key on bad configuration, for every command', () => {
    for (const cmd of ['serve', 'config', 'migrate']) {
      const r = cli([cmd], { SUBSETD_PORT: 'nope' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/SUBSETD_PORT/);
    }
    const redis = cli(['config'], { SUBSETD_REDIS_URL: 'ftp://u:pw@h' });
    expect(redis.status).toBe(2);
    expect(redis.stderr).not.toContain(':pw@');
  });

  it('exits 2 on unknown commands and options', () => {
    expect(cli(['frobnicate']).status).toBe(2);
    expect(cli(['serve', '--no-such-flag']).status).toBe(2);
  });

  it('migrate creates the database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'subsetd-cli-'));
    const r = cli(['migrate'], { SUBSETD_STATE_DIR: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/up to date/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('cli against a running service', () => {
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startService();
  });
  afterAll(() => svc?.cleanup());

  it('healthcheck, jobs list/show/cancel', async () => {
    const port = new URL(svc.url).port;
    const env = { SUBSETD_STATE_DIR: svc.stateDir, SUBSETD_PORT: port };
    expect(cli(['healthcheck'], env).status).toBe(0);
    expect(cli(['healthcheck'], { ...env, SUBSETD_PORT: '1' }).status).toBe(1);
    const r = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 60 } }, { Prefer: 'respond-async' }));
    const id = r.body.jobID;
    const list = cli(['jobs', 'list', '--status', 'accepted,running'], env);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain(id);
    expect(JSON.parse(cli(['jobs', 'show', id], env).stdout).processId).toBe('sleep');
    expect(cli(['jobs', 'show', 'nope'], env).status).toBe(1);
    // Cancel from the CLI: the service sees the dismissal at its next lease renewal and stops the job.
    expect(JSON.parse(cli(['jobs', 'cancel', id], env).stdout).status).toBe('dismissed');
    expect((await svc.json(`/jobs/${id}`)).body.status).toBe('dismissed');
    const backup = join(svc.stateDir, 'backup.db');
    const b = cli(['backup', backup], env);
    expect(b.status, b.stderr).toBe(0);
    const Database = (await import('better-sqlite3')).default;
    const copy = new Database(backup, { readonly: true });
    expect(copy.prepare('SELECT status FROM jobs WHERE id = ?').pluck().get(id)).toBe('dismissed');
    copy.close();
    const own = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SUBSETD_')));
    const cfg = execFileSync(process.execPath, [CLI, 'config'], { env: { ...own, ...env }, encoding: 'utf8' });
    expect(cfg).toContain(`SUBSETD_PORT=${port}`);
  });
});
