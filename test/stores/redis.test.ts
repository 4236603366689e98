/** The JobStore contract on a real redis-server, each store under its own key prefix. */
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../src/config/table.js';
import { openRedisStore } from '../../src/stores/redis/open-redis-store.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { jobStoreContract } from './contract.js';

let server: RedisServer;
let n = 0;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.destroy();
});

jobStoreContract('redis', () => openRedisStore({ redisUrl: server.url } as Config, { prefix: `contract-${process.pid}-${n++}` }));
