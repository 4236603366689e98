import { createLogger } from '../log.js';
import { startService } from '../service.js';
import { configFrom, workerFile, type Runtime } from './common.js';

/** `subsetd serve` (API + workers) and `subsetd worker` (workers only, no HTTP). */
export async function serveCommand(values: { 'env-file'?: string; workers?: string; processes?: string }, rt: Runtime, role: 'serve' | 'worker'): Promise<number> {
  const config = configFrom(values, {
    ...(values.workers !== undefined ? { SUBSETD_WORKERS: values.workers } : {}),
    ...(values.processes !== undefined ? { SUBSETD_PROCESSES: values.processes } : {}),
  });
  const log = createLogger(config.logLevel, { role });
  if (role === 'worker' && config.workers === 0) {
    log.fatal('subsetd worker needs SUBSETD_WORKERS >= 1');
    return 2;
  }
  const { mountsFor } = await import('../server/mounts.js');
  const service = await startService(config, { log, workerFile: workerFile(rt), nativeBinding: rt.nativeBinding, http: role === 'serve', mounts: mountsFor(config) });
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled promise rejection'));
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now; running jobs will be re-queued by their lease');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'signal received; draining');
      service.close().then(
        () => resolve(0),
        (err) => {
          log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
