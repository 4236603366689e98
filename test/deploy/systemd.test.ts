// The shipped systemd units as systemd itself reads them: `systemd-analyze verify` (which only
// warns, exit 0, on a setting it cannot parse — so any output fails here) and its hardening score.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/service.js';

const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
const UNITS = ['subsetd.service', 'subsetd-worker@.service', 'subsetd.target'];
const dir = mkdtempSync(join(tmpdir(), 'subsetd-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// verify checks that ExecStart's program exists: point the units at a real executable file.
const fakeBin = join(dir, 'subsetd');
copyFileSync('/bin/true', fakeBin);
for (const u of UNITS) writeFileSync(join(dir, u), readFileSync(join(ROOT, 'systemd', u), 'utf8').replaceAll('/usr/local/bin/subsetd', fakeBin));

describe.skipIf(!analyze)('systemd units', () => {
  it('pass systemd-analyze verify without a single warning', () => {
    const r = spawnSync(analyze!, ['verify', ...UNITS.map((u) => join(dir, u))], { encoding: 'utf8', cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).toBe('');
  });

  it('a broken setting is caught (the check above is not vacuous)', () => {
    const bad = join(dir, 'broken.service');
    writeFileSync(bad, readFileSync(join(dir, 'subsetd.service'), 'utf8').replace(/^ProtectSystem=strict$/m, 'ProtectSystem=strictly'));
    const r = spawnSync(analyze!, ['verify', bad], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/ProtectSystem|protect system/i);
  });

  it.each(['subsetd.service', 'subsetd-worker@.service'])('%s is hardened (exposure below 2.0) and keeps the JIT working', (u) => {
    const r = spawnSync(analyze!, ['security', '--offline=true', '--threshold=20', join(dir, u)], { encoding: 'utf8' });
    const m = (r.stdout + r.stderr).match(/Overall exposure level for .*: (\d+\.\d+)/);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(2);
    const text = readFileSync(join(ROOT, 'systemd', u), 'utf8');
    expect(text).not.toMatch(/^MemoryDenyWriteExecute=(yes|true|1)/m);
    for (const k of ['ProtectSystem=strict', 'ProtectHome=true', 'PrivateTmp=true', 'NoNewPrivileges=true', 'CapabilityBoundingSet=\n', 'RestrictAddressFamilies=', 'Restart=on-failure', 'EnvironmentFile=', 'User=subsetd'])
      expect(text).toContain(k);
  });
});

describe('unit files', () => {
  it.each(['subsetd.service', 'subsetd-worker@.service'])('%s: a why-comment above every setting', (u) => {
    const lines = readFileSync(join(ROOT, 'systemd', u), 'utf8').split('\n');
    expect(lines.filter((l) => /^[A-Z]\w+=/.test(l)).length).toBeGreaterThan(30);
    lines.forEach((l, i) => {
      if (!/^[A-Z]\w+=/.test(l) || /^(Description|Documentation|WantedBy)=/.test(l)) return;
      expect(lines[i - 1]?.startsWith('#'), `no comment right above ${l}`).toBe(true);
    });
  });

  it("the drain fits in the stop timeout (SUBSETD_SHUTDOWN_TIMEOUT's default, 60 s)", () => {
    for (const u of ['subsetd.service', 'subsetd-worker@.service']) {
      const stop = Number(readFileSync(join(ROOT, 'systemd', u), 'utf8').match(/^TimeoutStopSec=(\d+)$/m)?.[1]);
      expect(stop).toBeGreaterThan(60);
    }
  });
});

if (!analyze) console.warn('systemd-analyze is not installed (Debian package systemd, scripts/system-deps.sh test): unit checks skipped');
