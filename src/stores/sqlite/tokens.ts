/** API tokens and shared secrets in the SQLite store (table from migration 002-auth). */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CreateTokenResult, NewToken, TokenRecord } from '../tokens.js';
import type { DB } from './db.js';

interface TokenRow {
  name: string;
  prefix: string;
  hash: string;
  scope: TokenRecord['scope'];
  created: number;
  last_used: number | null;
  expires: number | null;
  max_queued: number | null;
  max_jobs_per_hour: number | null;
  revoked: number | null;
}

const toToken = (r: TokenRow): TokenRecord => ({
  name: r.name,
  prefix: r.prefix,
  hash: r.hash,
  scope: r.scope,
  created: r.created,
  lastUsed: r.last_used,
  expires: r.expires,
  maxQueued: r.max_queued,
  maxJobsPerHour: r.max_jobs_per_hour,
  revoked: r.revoked,
});

export class SqliteTokens {
  private readonly q;

  constructor(private readonly db: DB, private readonly dbFile: string) {
    this.q = {
      byName: db.prepare<[string], TokenRow>('SELECT * FROM tokens WHERE name = ?'),
      byPrefix: db.prepare<[string], TokenRow>('SELECT * FROM tokens WHERE prefix = ?'),
      all: db.prepare<[], TokenRow>('SELECT * FROM tokens ORDER BY name'),
      del: db.prepare('DELETE FROM tokens WHERE name = ?'),
      insert: db.prepare(
        `INSERT INTO tokens (name, prefix, hash, scope, created, expires, max_queued, max_jobs_per_hour)
         VALUES (@name, @prefix, @hash, @scope, @created, @expires, @maxQueued, @maxJobsPerHour)`,
      ),
      revoke: db.prepare('UPDATE tokens SET revoked = ? WHERE name = ? AND revoked IS NULL'),
      touch: db.prepare('UPDATE tokens SET last_used = ? WHERE name = ?'),
    };
  }

  create(t: NewToken): CreateTokenResult {
    return this.db.transaction((): CreateTokenResult => {
      const old = this.q.byName.get(t.name);
      if (old && old.revoked === null) return { conflict: 'name' };
      const p = this.q.byPrefix.get(t.prefix);
      if (p && p.name !== t.name) return { conflict: 'prefix' };
      if (old) this.q.del.run(t.name);
      this.q.insert.run({ ...t });
      return { token: toToken(this.q.byName.get(t.name)!) };
    }).immediate();
  }

  list(): TokenRecord[] {
    return this.q.all.all().map(toToken);
  }

  find(prefix: string): TokenRecord | null {
    const r = this.q.byPrefix.get(prefix);
    return r ? toToken(r) : null;
  }

  revoke(name: string, now: number): boolean {
    return this.q.revoke.run(now, name).changes === 1;
  }

  touch(name: string, now: number): void {
    this.q.touch.run(now, name);
  }

  /**
   * One SQLite database serves one node, so a shared secret is a file beside the database
   * (mode 0600). Written to a temporary name and hard-linked into place: two processes
   * starting together agree on the first one linked, and no one reads a half-written file.
   */
  sharedSecret(name: string, candidate: string): string {
    const file = join(dirname(this.dbFile), `${name}.key`);
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(tmp, `${candidate}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(tmp, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      rmSync(tmp, { force: true });
    }
    return readFileSync(file, 'utf8').trim();
  }
}
