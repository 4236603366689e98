/**
 * Tokens for the fuzzer and the soak run, made with the real CLI (`subsetd tokens create`).
 * Where that command does not exist yet (auth not built), there are none and the runs go
 * without auth; once it exists the token variants switch on by themselves.
 */
import { spawnSync } from 'node:child_process';

export type Scope = 'read' | 'submit' | 'admin';

/** Env keys the CLI must share with the service (state dir, store). */
export function createTokens(cli: string, env: Record<string, string>, names: Array<[name: string, scope: Scope]>): Record<string, string> | null {
  const out: Record<string, string> = {};
  const childEnv: Record<string, string | undefined> = { ...process.env };
  for (const k of Object.keys(childEnv)) if (k.startsWith('SUBSETD_')) delete childEnv[k];
  for (const [name, scope] of names) {
    // High limits: the runs measure robustness, not quotas (those answer 429, which is fine too).
    const args = [cli, 'tokens', 'create', '--name', name, '--scope', scope, '--max-queued', '100000', '--max-jobs-per-hour', '10000000'];
    const r = spawnSync(process.execPath, args, { env: { ...childEnv, ...env, SUBSETD_AUTH: 'tokens' }, encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) {
      if (Object.keys(out).length === 0) return null; // no `tokens` command (or no SUBSETD_AUTH) yet
      throw new Error(`subsetd tokens create ${name} failed: ${r.stderr}`);
    }
    out[name] = r.stdout.trim().split('\n').pop()!.trim();
  }
  return out;
}
