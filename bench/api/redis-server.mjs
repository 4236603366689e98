// A redis-server of the bench's own on a free port, in a temporary directory removed on stop().
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** `args`: extra redis-server settings (e.g. the appendfsync docs/scaling.md recommends). */
export async function startRedis(args = []) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'subsetd-bench-redis-'));
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...args], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((res) => {
      const s = connect(port, '127.0.0.1', () => (s.end(), res(true)));
      s.on('error', () => res(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => (proc.kill('SIGKILL'), rmSync(dir, { recursive: true, force: true })) };
}
