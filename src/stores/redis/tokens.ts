/** API tokens and shared secrets in the Redis store (scripts in lua-tokens.ts). */
import type { Redis } from 'ioredis';
import type { CreateTokenResult, NewToken, TokenRecord } from '../tokens.js';
import { hashFrom, type Hash } from './records.js';
import type { Scripts } from './scripts.js';

const num = (v: string | undefined): number | null => (v === undefined ? null : Number(v));
const opt = (v: number | null): string => (v === null ? '' : String(v));

function toToken(h: Hash): TokenRecord {
  return {
    name: h.name,
    prefix: h.prefix,
    hash: h.hash,
    scope: h.scope as TokenRecord['scope'],
    created: Number(h.created),
    lastUsed: num(h.lastUsed),
    expires: num(h.expires),
    maxQueued: num(h.maxQueued),
    maxJobsPerHour: num(h.maxJobsPerHour),
    revoked: num(h.revoked),
  };
}

export class RedisTokens {
  constructor(
    private readonly redis: Redis,
    private readonly s: Scripts,
    private readonly p: string,
  ) {}

  async create(t: NewToken): Promise<CreateTokenResult> {
    const r = (await this.s.run('tokenCreate', [
      this.p, t.name, t.prefix, t.hash, t.scope, String(t.created), opt(t.expires), opt(t.maxQueued), opt(t.maxJobsPerHour),
    ])) as string;
    if (r !== 'ok') return { conflict: r as 'name' | 'prefix' };
    return { token: (await this.find(t.prefix))! };
  }

  async list(): Promise<TokenRecord[]> {
    const rows = (await this.s.run('tokenList', [this.p])) as unknown[];
    return rows.map((r) => toToken(hashFrom(r))).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async find(prefix: string): Promise<TokenRecord | null> {
    const flat = await this.s.run('tokenFind', [this.p, prefix]);
    return flat ? toToken(hashFrom(flat)) : null;
  }

  async revoke(name: string, now: number): Promise<boolean> {
    return (await this.s.run('tokenRevoke', [this.p, name, String(now)])) === 1;
  }

  async touch(name: string, now: number): Promise<void> {
    await this.s.run('tokenTouch', [this.p, name, String(now)]);
  }

  /** SET NX then GET: every node ends up with the value the first one stored. */
  async sharedSecret(name: string, candidate: string): Promise<string> {
    const key = `${this.p}secret:${name}`;
    await this.redis.set(key, candidate, 'NX');
    return (await this.redis.get(key))!;
  }
}
