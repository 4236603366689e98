/**
 * Opening the Redis store: a bad URL, an unreachable server or a wrong password stops start-up
 * at once with a ConfigError (exit 2) that names SUBSETD_REDIS_URL and never shows the password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.js';
import type { Config } from '../../src/config/table.js';
import { openRedisStore } from '../../src/stores/redis/open-redis-store.js';
import { freePort, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const SECRET = 'pa55-w0rd-never-shown';
let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer({ password: SECRET });
});
afterAll(async () => {
  await server?.destroy();
});

async function openError(url: string) {
  const t0 = Date.now();
  const err = await openRedisStore({ redisUrl: url } as Config, { prefix: 'open' }).then(
    async (s) => {
      await s.close();
      return null;
    },
    (e: Error) => e,
  );
  return { err, took: Date.now() - t0 };
}

describe('opening the redis store', () => {
  it('fails fast on a server that is not there', async () => {
    const { err, took } = await openError(`redis://:${SECRET}@127.0.0.1:${await freePort()}`);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/^SUBSETD_REDIS_URL: cannot use Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(err!.message).not.toContain(SECRET);
    expect(took).toBeLessThan(3000);
  });

  it('fails on an unknown host', async () => {
    const { err } = await openError('redis://no-such-host.invalid:6379');
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/SUBSETD_REDIS_URL: .*no-such-host\.invalid/);
  });

  it('fails on a wrong password, masking it', async () => {
    const { err } = await openError(`redis://:not-the-${SECRET}@127.0.0.1:${server.port}`);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/SUBSETD_REDIS_URL: cannot use Redis at redis:\/\/:\*\*\*@.*WRONGPASS/);
    expect(err!.message).not.toContain(SECRET);
  });

  it('says a password is needed when the URL has none', async () => {
    const { err } = await openError(server.url);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/SUBSETD_REDIS_URL: .*requires a password/);
  });

  it('opens with the right password', async () => {
    const store = await openRedisStore({ redisUrl: server.authUrl } as Config, { prefix: 'open' });
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  });
});
