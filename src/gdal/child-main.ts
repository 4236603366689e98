/**
 * Entry of the GDAL child process (`subsetd __gdal-child`, forked by a worker thread). GDAL is
 * loaded here and only here: gdal-async works in one thread per process, and a native crash on
 * a crafted file must take down this child and its job, never the service.
 */
import { loadGdal } from './load-gdal.js';
import { PING_TIMEOUT_MS, type ChildMessage, type ParentMessage } from './child-protocol.js';
import { OPS } from './ops/index.js';

export async function gdalChildMain(): Promise<number> {
  if (!process.send) {
    console.error('subsetd: __gdal-child is started by subsetd workers over IPC, not by hand');
    return 2;
  }
  const send = (m: ChildMessage) => {
    if (process.connected) process.send!(m);
  };
  // The parent (the whole service or just its thread) is gone: nothing is left to write for.
  process.on('disconnect', () => process.exit(0));
  let lastPing = Date.now();
  setInterval(() => {
    if (Date.now() - lastPing > PING_TIMEOUT_MS) process.exit(0);
  }, 1_000);

  // GDAL's default block cache is 5% of RAM (1.2 GB here) and is sized when GDAL first starts:
  // bounded before loading, so a large output cannot balloon the child's RSS. The clips stream
  // block by block; rasterize sizes its chunks from this cache too.
  process.env.GDAL_CACHEMAX = process.env.SUBSETD_GDAL_CACHEMAX ?? '64';
  const gdal = await loadGdal();
  gdal.config.set('GDAL_CACHEMAX', process.env.GDAL_CACHEMAX);
  gdal.config.set('GDAL_NUM_THREADS', 'ALL_CPUS');
  gdal.config.set('CPL_LOG', '/dev/null'); // HDF5/netCDF diagnostics are noise, never failure
  gdal.config.set('GDAL_PAM_ENABLED', 'NO'); // no .aux.xml beside read-only inputs

  process.on('message', (m: ParentMessage) => {
    if (m.t === 'ping') {
      lastPing = Date.now();
      return;
    }
    if (m.t !== 'run') return;
    lastPing = Date.now();
    const op = OPS[m.op];
    if (!op) {
      send({ t: 'error', id: m.id, message: `unknown GDAL op "${m.op}"` });
      return;
    }
    const ctx = { progress: (percent: number, message?: string) => send({ t: 'progress', id: m.id, percent, message }) };
    op(gdal, m.args as never, ctx).then(
      (result) => send({ t: 'done', id: m.id, result }),
      (e: Error & { input?: string }) => send({ t: 'error', id: m.id, message: e.message || String(e), input: e.input }),
    );
  });
  send({ t: 'ready', gdal: gdal.version });
  // Stay alive on IPC and timers; exit comes from disconnect or the ping watchdog.
  return new Promise<number>(() => {});
}
