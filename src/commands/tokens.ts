/**
 * `subsetd tokens create|list|revoke`: API tokens, on the store directly (SQLite or Redis, as
 * the service is configured), with or without a running service. `create` prints the token
 * once, alone on the last line of stdout, so scripts can take it with `tail -n 1`.
 */
import { parseArgs } from 'node:util';
import { generateToken, TOKEN_NAME_RE } from '../auth/tokens.js';
import { parseDuration } from '../config/parse.js';
import { openStore } from '../stores/open-store.js';
import { TOKEN_SCOPES, type TokenRecord, type TokenScope } from '../stores/tokens.js';
import { configFrom, UsageError, type Runtime } from './common.js';

const USAGE = `subsetd tokens create --name NAME --scope read|submit|admin [--expires 30d] [--max-queued N] [--max-jobs-per-hour N]
subsetd tokens list [--json]
subsetd tokens revoke NAME`;

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

function count(flag: string, v: string | undefined): number | null {
  if (v === undefined) return null;
  if (!/^\d{1,9}$/.test(v)) throw new UsageError(`--${flag}: "${v}" is not a whole number >= 0`);
  return Number(v);
}

/** The listing never shows a secret or its hash; the prefix is the public part of the token. */
const shown = (t: TokenRecord) => ({
  name: t.name,
  prefix: t.prefix,
  scope: t.scope,
  created: iso(t.created),
  lastUsed: iso(t.lastUsed),
  expires: iso(t.expires),
  maxQueued: t.maxQueued,
  maxJobsPerHour: t.maxJobsPerHour,
  status: t.revoked !== null ? 'revoked' : t.expires !== null && t.expires <= Date.now() ? 'expired' : 'active',
});

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        'env-file': { type: 'string' },
        name: { type: 'string' },
        scope: { type: 'string' },
        expires: { type: 'string' },
        'max-queued': { type: 'string' },
        'max-jobs-per-hour': { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export async function tokensCommand(argv: string[], rt: Runtime): Promise<number> {
  const { values, positionals } = parse(argv.slice(1));
  const [sub, arg] = positionals;
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') throw new UsageError(USAGE);
  let create: Omit<Parameters<typeof makeToken>[1], 'now'> | null = null;
  if (sub === 'create') {
    if (!values.name) throw new UsageError('--name is required');
    if (!TOKEN_NAME_RE.test(values.name)) throw new UsageError(`--name: "${values.name}" must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
    if (!values.scope) throw new UsageError('--scope is required (read, submit or admin)');
    if (!TOKEN_SCOPES.includes(values.scope as TokenScope)) throw new UsageError(`--scope: "${values.scope}" is not one of read, submit, admin`);
    let expiresIn: number | null = null;
    if (values.expires !== undefined) {
      try {
        expiresIn = parseDuration(values.expires);
      } catch (e) {
        throw new UsageError(`--expires: ${(e as Error).message}`);
      }
      if (expiresIn <= 0) throw new UsageError('--expires: must be longer than 0');
    }
    create = { name: values.name, scope: values.scope as TokenScope, expiresIn, maxQueued: count('max-queued', values['max-queued']), maxJobsPerHour: count('max-jobs-per-hour', values['max-jobs-per-hour']) };
  }
  if (sub === 'revoke' && !arg) throw new UsageError('subsetd tokens revoke NAME');
  const store = await openStore(configFrom(values), { nativeBinding: rt.nativeBinding });
  try {
    if (create) return await makeToken(store, { ...create, now: Date.now() });
    if (sub === 'revoke') {
      if (await store.revokeToken(arg!, Date.now())) {
        console.log(`revoked token "${arg}"`);
        return 0;
      }
      console.error(`subsetd: no active token named "${arg}"`);
      return 1;
    }
    const all = (await store.listTokens()).map(shown);
    if (values.json) console.log(JSON.stringify(all, null, 2));
    else {
      console.log(['NAME', 'PREFIX', 'SCOPE', 'STATUS', 'CREATED', 'LAST USED', 'EXPIRES', 'MAX QUEUED', 'MAX JOBS/H'].join('\t'));
      for (const t of all) console.log([t.name, t.prefix, t.scope, t.status, t.created, t.lastUsed, t.expires, t.maxQueued ?? 'default', t.maxJobsPerHour ?? 'default'].join('\t'));
    }
    return 0;
  } finally {
    await store.close();
  }
}

async function makeToken(
  store: Awaited<ReturnType<typeof openStore>>,
  o: { name: string; scope: TokenScope; expiresIn: number | null; maxQueued: number | null; maxJobsPerHour: number | null; now: number },
): Promise<number> {
  // A prefix clash (48 random bits) is all but impossible; a fresh draw settles it.
  for (let i = 0; i < 5; i++) {
    const t = generateToken();
    const r = await store.createToken({
      name: o.name, prefix: t.prefix, hash: t.hash, scope: o.scope, created: o.now,
      expires: o.expiresIn === null ? null : o.now + o.expiresIn, maxQueued: o.maxQueued, maxJobsPerHour: o.maxJobsPerHour,
    });
    if ('conflict' in r && r.conflict === 'prefix') continue;
    if ('conflict' in r) {
      console.error(`subsetd: a token named "${o.name}" exists; revoke it first (subsetd tokens revoke ${o.name}) to replace it`);
      return 1;
    }
    console.log(`created token "${o.name}" with scope ${o.scope}, expires ${iso(r.token.expires)}`);
    console.log('Keep it now: it is shown only this once and cannot be recovered.');
    console.log(t.token);
    return 0;
  }
  throw new Error('could not draw a unique token prefix');
}
