/**
 * `subsetd tokens` and what the stores keep, in SQLite and Redis modes: the token is printed
 * once on the last line, `list` never shows a secret, bad arguments exit 2 naming the flag,
 * a revocation stops the token on every node within a second, an expired token is refused,
 * and neither the SQLite file nor any Redis key or value holds a secret.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startAuthCluster, type AuthCluster, type Mode } from './auth-service.js';

const secretOf = (token: string) => token.split('_').slice(2).join('_').slice(-43);

describe.each<Mode>(['sqlite', 'redis'])('tokens (%s)', (mode) => {
  let c: AuthCluster;
  beforeAll(async () => {
    c = await startAuthCluster(mode);
  }, 60_000);
  afterAll(async () => c?.close());

  it('create prints the token alone on the last line; list shows no secret', async () => {
    const r = c.cli(['tokens', 'create', '--name', 'ci-bot', '--scope', 'submit', '--expires', '30d', '--max-queued', '4', '--max-jobs-per-hour', '20']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const token = lines[lines.length - 1];
    expect(token).toMatch(/^sdt_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{43}$/);
    expect(lines.slice(0, -1).join('\n')).not.toContain(secretOf(token));
    const list = c.cli(['tokens', 'list']);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain('ci-bot');
    expect(list.stdout).not.toContain(secretOf(token));
    const json = JSON.parse(c.cli(['tokens', 'list', '--json']).stdout);
    const bot = json.find((t: any) => t.name === 'ci-bot');
    expect(bot).toMatchObject({ scope: 'submit', maxQueued: 4, maxJobsPerHour: 20, status: 'active', lastUsed: '-' });
    expect(Date.parse(bot.expires) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(JSON.stringify(json)).not.toContain(secretOf(token));
    expect((await c.a.json('/auth/whoami', bearer(token))).body.name).toBe('ci-bot');
    // A second token of a live name is refused; after revoking, the name can be reused.
    expect(c.cli(['tokens', 'create', '--name', 'ci-bot', '--scope', 'read']).status).toBe(1);
  });

  it('bad arguments exit 2 and name the flag', () => {
    const cases: Array<[string[], RegExp]> = [
      [['tokens', 'create', '--scope', 'read'], /--name/],
      [['tokens', 'create', '--name', 'x'], /--scope/],
      [['tokens', 'create', '--name', 'x', '--scope', 'root'], /--scope/],
      [['tokens', 'create', '--name', 'bad name', '--scope', 'read'], /--name/],
      [['tokens', 'create', '--name', 'x', '--scope', 'read', '--expires', 'soon'], /--expires/],
      [['tokens', 'create', '--name', 'x', '--scope', 'read', '--max-queued', '-1'], /--max-queued/],
      [['tokens', 'create', '--name', 'x', '--scope', 'read', '--max-jobs-per-hour', '1.5'], /--max-jobs-per-hour/],
      [['tokens', 'create', '--name', 'x', '--scope', 'read', '--colour', 'red'], /--colour/],
      [['tokens', 'revoke'], /NAME/],
      [['tokens', 'frobnicate'], /tokens create/],
    ];
    for (const [args, re] of cases) {
      const r = c.cli(args);
      expect([args.join(' '), r.status]).toEqual([args.join(' '), 2]);
      expect(r.stderr).toMatch(re);
    }
    expect(c.cli(['tokens', 'revoke', 'nobody']).status).toBe(1);
  });

  it('a revoked token stops working on every node within a second', async () => {
    const token = c.token('short-lived', 'read');
    expect((await c.a.json('/jobs', bearer(token))).status).toBe(200);
    expect((await c.b.json('/jobs', bearer(token))).status).toBe(200);
    const r = c.cli(['tokens', 'revoke', 'short-lived']);
    expect(r.status).toBe(0);
    const t0 = Date.now();
    for (const node of [c.a, c.b]) {
      let status = 200;
      while (status === 200 && Date.now() - t0 < 1000) status = (await node.json('/jobs', bearer(token))).status;
      expect(status).toBe(401);
    }
    const after = await c.b.json('/jobs', bearer(token));
    expect(after.body.detail).toMatch(/revoked/);
    expect(JSON.parse(c.cli(['tokens', 'list', '--json']).stdout).find((t: any) => t.name === 'short-lived').status).toBe('revoked');
  });

  it('an expired token is refused', async () => {
    const token = c.token('brief', 'read', ['--expires', '1s']);
    expect((await c.a.json('/jobs', bearer(token))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const r = await c.a.json('/jobs', bearer(token));
    expect(r.status).toBe(401);
    expect(r.body.detail).toMatch(/expired/);
  });

  it('records the last use', async () => {
    const token = c.token('user', 'read');
    await c.a.json('/jobs', bearer(token));
    const t = JSON.parse(c.cli(['tokens', 'list', '--json']).stdout).find((x: any) => x.name === 'user');
    expect(Date.parse(t.lastUsed)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('stores no secret: not in the database files, not in any Redis key or value', async () => {
    const tokens = [c.token('s1', 'admin'), c.token('s2', 'submit')];
    for (const t of tokens) await c.a.json('/jobs', bearer(t)); // touched: last-use written too
    const secrets = tokens.map(secretOf);
    let haystack: Buffer;
    if (mode === 'sqlite') {
      const dir = c.a.stateDir;
      haystack = Buffer.concat(readdirSync(dir).filter((f) => f.startsWith('subsetd.db')).map((f) => readFileSync(join(dir, f))));
      expect(haystack.length).toBeGreaterThan(0);
      expect(haystack.includes('s1')).toBe(true); // the search does see the token records
    } else {
      const redis = new Redis(c.redis!.url);
      const parts: string[] = [];
      for (const key of await redis.keys('*')) {
        parts.push(key);
        const type = await redis.type(key);
        if (type === 'string') parts.push((await redis.get(key)) ?? '');
        else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
        else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
        else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      }
      await redis.quit();
      haystack = Buffer.from(parts.join('\n'));
      expect(haystack.includes('s1')).toBe(true);
    }
    for (const s of secrets) {
      expect(haystack.includes(s)).toBe(false);
      expect(haystack.includes(s.slice(0, 16))).toBe(false);
    }
  });
});
