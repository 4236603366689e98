/**
 * The token part of the JobStore contract (run by jobStoreContract in contract.ts for every
 * store): create / find / list / revoke / touch, unique names and prefixes, rotation of a
 * revoked name, and the shared secret every node agrees on.
 */
import { expect, it } from 'vitest';
import type { JobStore } from '../../src/stores/job-store.js';
import type { NewToken } from '../../src/stores/tokens.js';

export function tokenContract(store: () => JobStore) {
  const tok = (over: Partial<NewToken> = {}): NewToken => ({
    name: 'alice',
    prefix: 'AAAAAAAA',
    hash: 'a'.repeat(64),
    scope: 'submit',
    created: 1_700_000_000_000,
    expires: null,
    maxQueued: null,
    maxJobsPerHour: null,
    ...over,
  });

  it('tokens: creates, finds by prefix, lists by name', async () => {
    const r = await store().createToken(tok({ expires: 1_800_000_000_000, maxQueued: 4, maxJobsPerHour: 10 }));
    expect(r).toEqual({
      token: { ...tok(), expires: 1_800_000_000_000, maxQueued: 4, maxJobsPerHour: 10, lastUsed: null, revoked: null },
    });
    await store().createToken(tok({ name: 'bob', prefix: 'BBBBBBBB', scope: 'admin' }));
    expect(await store().findToken('AAAAAAAA')).toMatchObject({ name: 'alice', scope: 'submit', hash: 'a'.repeat(64), maxQueued: 4 });
    expect(await store().findToken('BBBBBBBB')).toMatchObject({ name: 'bob', scope: 'admin', expires: null, maxQueued: null });
    expect(await store().findToken('CCCCCCCC')).toBeNull();
    expect((await store().listTokens()).map((t) => t.name)).toEqual(['alice', 'bob']);
  });

  it('tokens: names and prefixes are unique, atomically', async () => {
    const racers = await Promise.all(['P1', 'P2', 'P3', 'P4'].map((p) => store().createToken(tok({ prefix: `${p}xxxxxx` }))));
    expect(racers.filter((r) => 'token' in r)).toHaveLength(1);
    expect(racers.filter((r) => 'conflict' in r && r.conflict === 'name')).toHaveLength(3);
    const clash = await store().createToken(tok({ name: 'carol', prefix: (racers.find((r) => 'token' in r) as { token: { prefix: string } }).token.prefix }));
    expect(clash).toEqual({ conflict: 'prefix' });
    expect(await store().listTokens()).toHaveLength(1);
  });

  it('tokens: revoke marks once; a revoked name may be created again (rotation)', async () => {
    await store().createToken(tok());
    expect(await store().revokeToken('alice', 1_700_000_001_000)).toBe(true);
    expect(await store().revokeToken('alice', 1_700_000_002_000)).toBe(false);
    expect(await store().revokeToken('nobody', 1_700_000_002_000)).toBe(false);
    expect((await store().findToken('AAAAAAAA'))?.revoked).toBe(1_700_000_001_000);
    const again = await store().createToken(tok({ prefix: 'NEWNEWNE', scope: 'read' }));
    expect(again).toMatchObject({ token: { name: 'alice', prefix: 'NEWNEWNE', scope: 'read', revoked: null } });
    expect(await store().findToken('AAAAAAAA')).toBeNull();
    expect(await store().listTokens()).toHaveLength(1);
  });

  it('tokens: touch records the last use', async () => {
    await store().createToken(tok());
    await store().touchToken('alice', 1_700_000_005_000);
    await store().touchToken('nobody', 1_700_000_005_000);
    expect((await store().findToken('AAAAAAAA'))?.lastUsed).toBe(1_700_000_005_000);
    expect((await store().listTokens()).map((t) => t.name)).toEqual(['alice']);
  });

  it('shared secret: the first stored value wins', async () => {
    const [a, b] = await Promise.all([store().sharedSecret('test-key', 'first'), store().sharedSecret('test-key', 'second')]);
    expect(a).toBe(b);
    expect(await store().sharedSecret('test-key', 'third')).toBe(a);
    expect(await store().sharedSecret('other-key', 'x')).toBe('x');
  });
}
