// scripts/install.sh for real (useradd, install, runuser, nginx -t, the installed executable as
// the subsetd user) against this host — inside a private mount namespace whose /etc, /usr/local,
// /var and /srv are overlays over tmpfs-backed upper dirs, so the host itself is left untouched.
// No systemd runs here, so the installer takes its "install the files, start nothing" path; the
// steps that need systemd (enable/restart/healthcheck) are covered by docs/deploy.md only.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackRelease, type Release } from './release.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/bin/unshare') && !existsSync('/run/systemd/system');
let rel: Release;

beforeAll(() => {
  if (canRun) rel = unpackRelease();
}, 180_000);
afterAll(() => {
  if (rel) rmSync(rel.work, { recursive: true, force: true });
});

/** Runs `script` (bash) in a fresh namespace with overlays; returns its output. */
function inOverlay(script: string): { status: number | null; out: string } {
  const layers = join(rel.work, `layers-${Date.now()}`);
  mkdirSync(layers);
  const setup = ['/etc', '/usr/local', '/var', '/srv']
    .map((d, i) => `mkdir -p ${layers}/u${i} ${layers}/w${i} && mount -t overlay overlay -o lowerdir=${d},upperdir=${layers}/u${i},workdir=${layers}/w${i} ${d}`)
    .join(' && ');
  const file = join(layers, 'run.sh');
  writeFileSync(file, `set -euo pipefail\n${setup}\ncd ${rel.app}\n${script}\n`);
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'bash', file], { encoding: 'utf8', env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' } });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe.skipIf(!canRun)('scripts/install.sh', () => {
  it('installs, re-runs idempotently keeping settings, renders the nginx site, uninstalls and purges', () => {
    const r = inOverlay(`
      # A fresh host (in the overlay only): no traces of earlier runs of anyone's.
      rm -rf /var/cache/subsetd /var/lib/subsetd /etc/subsetd /etc/nginx/sites-*/subsetd.conf
      userdel subsetd 2>/dev/null || true
      scripts/install.sh --nginx
      echo "== files"
      stat -c '%n %U:%G %a' /usr/local/bin/subsetd /etc/subsetd /etc/subsetd/subsetd.env /var/lib/subsetd /var/cache/subsetd
      ls /etc/systemd/system/subsetd.service /etc/systemd/system/subsetd-worker@.service /etc/systemd/system/subsetd.target /usr/lib/tmpfiles.d/subsetd.conf
      id -nG www-data
      grep -c __ /etc/nginx/sites-available/subsetd.conf || true
      grep -E 'server 127|client_max_body_size|alias' /etc/nginx/sites-available/subsetd.conf
      nginx -t 2>&1 | tail -1
      echo "== rerun"
      echo 'SUBSETD_PORT=8181' >> /etc/subsetd/subsetd.env
      scripts/install.sh --nginx
      grep -c '^SUBSETD_PORT=8181' /etc/subsetd/subsetd.env
      grep -c '^SUBSETD_TRUST_PROXY=1' /etc/subsetd/subsetd.env
      grep 'server 127' /etc/nginx/sites-available/subsetd.conf
      echo "== as service user"
      # By hand, as the docs say: the env-file alone names the state dir; the cache is the service's.
      runuser -u subsetd -- /usr/local/bin/subsetd migrate --env-file /etc/subsetd/subsetd.env
      runuser -u subsetd -- /usr/local/bin/subsetd backup --env-file /etc/subsetd/subsetd.env /var/lib/subsetd/backup.db
      ls /var/cache/subsetd | grep -c .
      echo "== uninstall"
      scripts/install.sh --uninstall
      { ls /usr/local/bin/subsetd /etc/systemd/system/subsetd.service 2>&1 || true; } | grep -c 'No such file'
      ls /var/lib/subsetd/subsetd.db /etc/subsetd/subsetd.env
      echo "== purge"
      scripts/install.sh --uninstall --purge
      { id subsetd 2>&1 || true; } | grep -c 'no such user'
      { ls -d /var/lib/subsetd /etc/subsetd /var/cache/subsetd 2>&1 || true; } | grep -c 'No such file'
    `);
    const out = r.out;
    expect(r.status, out).toBe(0);
    const section = (name: string) => out.split(`== ${name}\n`)[1]?.split('\n==')[0] ?? '';
    const files = section('files');
    expect(files).toContain('/usr/local/bin/subsetd root:root 755');
    expect(files).toContain('/etc/subsetd root:subsetd 750');
    expect(files).toContain('/etc/subsetd/subsetd.env root:subsetd 640');
    expect(files).toContain('/var/lib/subsetd subsetd:subsetd 750');
    expect(files).toMatch(/www-data.*\bsubsetd\b/);
    // Placeholders all replaced, from the effective settings.
    expect(files).toMatch(/^0$/m);
    expect(files).toContain('server 127.0.0.1:8080;');
    expect(files).toContain('client_max_body_size 104857600;');
    expect(files).toContain('alias /var/lib/subsetd/results/;');
    expect(files).toMatch(/test is successful/);
    const rerun = section('rerun');
    expect(rerun).toMatch(/\n1\n1\n/); // the admin's setting kept, the proxy settings not duplicated
    expect(rerun).toContain('server 127.0.0.1:8181;'); // the site follows the settings
    const asUser = section('as service user');
    expect(asUser).toMatch(/backed up \d+ pages/);
    expect(asUser).toMatch(/^1$/m); // one unpacked runtime, shared, in the service's cache
    expect(section('uninstall')).toMatch(/^2$/m);
    expect(section('uninstall')).toContain('/var/lib/subsetd/subsetd.db');
    expect(section('purge')).toMatch(/^1\n3$/m);
  }, 120_000);
});

if (!canRun) console.warn('install.sh test skipped: needs root, unshare, and a host without a running systemd');
