#!/usr/bin/env node
// Start-up of the single executable to a 200 from /ready: cold (empty cache: the runtime is
// unpacked first) and warm (unpacked already), median of N runs each, no node on PATH.
//   flock /tmp/subsetd-heavy.lock node test/deploy/measure-startup.mjs [dist/subsetd] [runs]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const exe = resolve(process.argv[2] ?? 'dist/subsetd');
const runs = Number(process.argv[3] ?? 7);
const work = mkdtempSync(join(tmpdir(), 'subsetd-startup-'));
mkdirSync(join(work, 'bin'));

const freePort = () =>
  new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => r(port));
    });
  });

async function once(cache) {
  const port = await freePort();
  const state = mkdtempSync(join(work, 'state-'));
  const env = { PATH: join(work, 'bin'), HOME: work, SUBSETD_CACHE_DIR: cache, SUBSETD_STATE_DIR: state, SUBSETD_DATA_ROOT: state, SUBSETD_PORT: String(port), SUBSETD_LOG_LEVEL: 'warn' };
  const t0 = performance.now();
  const p = spawn(exe, ['serve'], { env, stdio: 'ignore' });
  let ms;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/ready`)).status === 200) {
        ms = performance.now() - t0;
        break;
      }
    } catch {
      /* not listening yet */
    }
    if (p.exitCode !== null) throw new Error(`exited with ${p.exitCode}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => {
    p.once('exit', r);
    p.kill('SIGTERM');
  });
  rmSync(state, { recursive: true, force: true });
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cold = [];
const warm = [];
for (let i = 0; i < runs; i++) {
  const cache = join(work, `cache-${i}`);
  cold.push(await once(cache));
  warm.push(await once(cache));
}
rmSync(work, { recursive: true, force: true });
const fmt = (xs) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
console.log(`start-up to /ready 200, ${runs} runs each:\n  cold (unpack first): ${fmt(cold)}\n  warm (unpacked):     ${fmt(warm)}`);
