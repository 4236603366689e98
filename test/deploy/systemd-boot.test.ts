// The release under a real systemd: test/deploy/systemd-boot.sh boots one in a systemd-nspawn
// container over a throwaway overlay of this host's / and runs scripts/install.sh --nginx in it.
// What `systemd-analyze verify` cannot tell: the hardened unit really starts (seccomp filter,
// no capabilities, its own user) and serves through nginx, restarts, stops cleanly, upgrades,
// and uninstalls with --purge.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/service.js';
import { unpackRelease, type Release } from './release.js';

const nspawn = ['/usr/bin/systemd-nspawn', '/bin/systemd-nspawn'].find((p) => existsSync(p));
const canRun = process.getuid?.() === 0 && !!nspawn && existsSync('/usr/bin/nsenter') && existsSync('/usr/sbin/nginx');
let rel: Release;
let out = '';
let status: number | null = null;

beforeAll(() => {
  if (!canRun) return;
  rel = unpackRelease();
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', join(ROOT, 'test/deploy/systemd-boot.sh'), rel.app, join(rel.work, 'container')], { encoding: 'utf8', timeout: 280_000 });
  out = r.stdout + r.stderr;
  if (process.env.SUBSETD_DEBUG_BOOT) console.log(out);
  status = r.status;
}, 300_000);
afterAll(() => {
  if (rel) rmSync(rel.work, { recursive: true, force: true });
});

const section = (name: string) => out.split(`== ${name}\n`)[1]?.split('\n==')[0] ?? '';

describe.skipIf(!canRun)('under a real systemd (nspawn container)', () => {
  it('boots and runs the whole script', () => {
    expect(status, out).toBe(0);
    expect(out).toContain('== end');
  });

  it('install.sh enables the unit and returns once subsetd is ready', () => {
    // install.sh may add a hint (how to turn on access control) after its "is running" line.
    expect(section('install')).toMatch(/subsetd \d+\.\d+\.\d+ \(commit \w+\) is running\n[\s\S]*?^active\nenabled$/m);
  });

  it('the service runs sandboxed: its own user, no capabilities, no_new_privs, a seccomp filter', () => {
    const s = section('sandbox');
    expect(s).toMatch(/^subsetd$/m);
    expect(s).toMatch(/CapEff:\s+0000000000000000/);
    expect(s).toMatch(/NoNewPrivs:\s+1/);
    expect(s).toMatch(/Seccomp:\s+2/); // 2 = filter mode
    expect(s).toMatch(/^strict$/m);
  });

  it('answers through nginx under /api/ with links that carry the prefix', () => {
    const s = section('api');
    expect(s).toContain('"href":"http://127.0.0.1/api/conformance"');
    expect(s).toContain('{"echo":"Hello systemd!"}');
  });

  it('restarts, stops cleanly on SIGTERM (exit 0), and a re-run of install.sh upgrades it in place', () => {
    expect(section('restart')).toMatch(/^active$/m);
    expect(section('stop')).toMatch(/^success\n0$/m);
    expect(section('upgrade')).toMatch(/is running\n[\s\S]*?^active$/m);
    expect(Number(section('logs').trim())).toBeGreaterThan(0); // JSON request lines reach journald
  });

  it('--uninstall --purge removes service, user and group', () => {
    const s = section('uninstall');
    expect(s).toContain('subsetd removed with its data, cache, settings and user');
    expect(s).not.toMatch(/not removed/);
    expect(s).toMatch(/^inactive$/m);
  });
});

if (!canRun) console.warn('systemd boot test skipped: needs root, systemd-nspawn (systemd-container), nsenter and nginx');
