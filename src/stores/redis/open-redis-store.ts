// PLACEHOLDER written by the lead so the bundle builds; the Redis store engineer replaces this file.
import { ConfigError } from '../../config/load.js';
import type { Config } from '../../config/table.js';
import type { JobStore } from '../job-store.js';

export async function openRedisStore(_config: Config): Promise<JobStore> {
  throw new ConfigError('SUBSETD_REDIS_URL', 'Redis mode is not available in this build');
}
