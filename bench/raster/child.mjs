// The GDAL child (`subsetd __gdal-child`, the process a worker thread forks), driven over IPC
// exactly as the processor drives it.
import { fork } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export function startChild() {
  // The environment src/gdal/child-client.ts gives the child (gdalChildEnv: a fixed glibc mmap threshold).
  const env = { MALLOC_MMAP_THRESHOLD_: '131072', ...process.env };
  const child = fork(join(root, 'dist', 'subsetd.cjs'), ['__gdal-child'], { env, serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  let next = 1;
  const pending = new Map();
  child.on('message', (m) => {
    const p = pending.get(m.id);
    if (!p || m.t === 'progress') return;
    pending.delete(m.id);
    if (m.t === 'done') p.resolve(m.result);
    else p.reject(new Error(m.message));
  });
  const ping = setInterval(() => child.connected && child.send({ t: 'ping' }), 2000);
  const run = (op, args) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      child.send({ t: 'run', id, op, args });
    });
  return { child, run, stop: () => (clearInterval(ping), child.kill()) };
}
