/** The JobStore contract on a real redis-server, each store under its own key prefix. */
import type { Config } from '../../src/config/table.js';
import { openRedisStore } from '../../src/stores/redis/open-redis-store.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { jobStoreContract } from './contract.js';

const server = useRedisServer();
let n = 0;

jobStoreContract('redis', () => openRedisStore({ redisUrl: server().url } as Config, { prefix: `contract-${process.pid}-${n++}` }));
