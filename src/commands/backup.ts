import { SqliteJobStore } from '../stores/sqlite/sqlite-store.js';
import { join } from 'node:path';
import { configFrom, UsageError, type Runtime } from './common.js';

/**
 * `subsetd backup FILE`: SQLite's online backup API, consistent while the service writes
 * (a file copy of a live WAL database is not).
 */
export async function backupCommand(args: string[], values: { 'env-file'?: string }, rt: Runtime): Promise<number> {
  const [dest] = args;
  if (!dest) throw new UsageError('subsetd backup FILE');
  const config = configFrom(values);
  if (config.redisUrl) throw new UsageError('backup copies the SQLite job store; in Redis mode back up Redis (see docs/scaling.md)');
  const store = new SqliteJobStore(join(config.stateDir, 'subsetd.db'), { nativeBinding: rt.nativeBinding });
  try {
    const pages = await store.backup(dest);
    console.log(`backed up ${pages} pages to ${dest}`);
    return 0;
  } finally {
    await store.close();
  }
}
