/**
 * Chooses the JobStore from the configuration: Redis when SUBSETD_REDIS_URL is set, else the
 * embedded SQLite database in the state directory. The only module that knows both drivers.
 */
import { join } from 'node:path';
import type { Config } from '../config/table.js';
import type { JobStore } from './job-store.js';
import { SqliteJobStore } from './sqlite/sqlite-store.js';

export interface OpenStoreOptions {
  /** better-sqlite3 addon path when running as a single executable. */
  nativeBinding?: string;
}

export async function openStore(config: Config, opts: OpenStoreOptions = {}): Promise<JobStore> {
  if (config.redisUrl) {
    const { openRedisStore } = await import('./redis/open-redis-store.js');
    return openRedisStore(config);
  }
  return new SqliteJobStore(join(config.stateDir, 'subsetd.db'), { nativeBinding: opts.nativeBinding });
}
