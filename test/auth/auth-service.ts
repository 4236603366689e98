/**
 * A subsetd with SUBSETD_AUTH=tokens for the auth tests, in SQLite or Redis mode (Redis: two
 * nodes on one real redis-server and one shared results dir), and real tokens made with the
 * real CLI (`subsetd tokens create`, last line of stdout).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { CLI, startService, type RunningService } from '../helpers/service.js';

export type Mode = 'sqlite' | 'redis';
/** Fixed in the tests so they can sign (and mis-sign) links themselves. */
export const SIGNING_KEY = 'test-signing-key-0123456789abcdef-0123456789';

export interface AuthCluster {
  /** The node every request goes to unless a test says otherwise. */
  a: RunningService;
  /** Redis mode: a second node on the same store; SQLite mode: the same node. */
  b: RunningService;
  cli(args: string[]): { status: number | null; stdout: string; stderr: string };
  token(name: string, scope: 'read' | 'submit' | 'admin', extra?: string[]): string;
  redis?: RedisServer;
  close(): Promise<void>;
}

export async function startAuthCluster(mode: Mode, env: Record<string, string> = {}): Promise<AuthCluster> {
  const base = { SUBSETD_AUTH: 'tokens', SUBSETD_SIGNING_KEY: SIGNING_KEY, SUBSETD_WORKERS: '1', ...env };
  let redis: RedisServer | undefined;
  let results: string | undefined;
  let a: RunningService;
  let b: RunningService;
  if (mode === 'redis') {
    redis = await startRedisServer();
    results = mkdtempSync(join(tmpdir(), 'subsetd-auth-results-'));
    const shared = { ...base, SUBSETD_REDIS_URL: redis.url, SUBSETD_RESULTS_DIR: results };
    [a, b] = await Promise.all([startService(shared), startService(shared)]);
  } else {
    a = b = await startService(base);
  }
  const cli = (args: string[]) => {
    const childEnv: Record<string, string | undefined> = { ...process.env };
    for (const k of Object.keys(childEnv)) if (k.startsWith('SUBSETD_')) delete childEnv[k];
    const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...childEnv, ...a.env }, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const cluster: AuthCluster = {
    a,
    b,
    cli,
    redis,
    token(name, scope, extra = []) {
      const r = cli(['tokens', 'create', '--name', name, '--scope', scope, ...extra]);
      if (r.status !== 0) throw new Error(`tokens create failed: ${r.stderr}`);
      return r.stdout.trim().split('\n').pop()!;
    },
    async close() {
      // The fields, not the first nodes: a test may have restarted a node in their place.
      cluster.a.cleanup();
      if (cluster.b !== cluster.a) cluster.b.cleanup();
      await redis?.destroy();
      if (results) rmSync(results, { recursive: true, force: true });
    },
  };
  return cluster;
}

export const bearer = (token: string, more: Record<string, string> = {}) => ({ headers: { Authorization: `Bearer ${token}`, ...more } });

export function submitInit(token: string, inputs: Record<string, unknown>, more: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json', Prefer: 'respond-async', ...more },
    body: JSON.stringify({ inputs }),
  };
}

/** Polls a job with a token until it is terminal. */
export async function waitDone(svc: RunningService, token: string, id: string, ms = 20_000): Promise<any> {
  const t0 = Date.now();
  for (;;) {
    const { body } = await svc.json(`/jobs/${id}`, bearer(token));
    if (['successful', 'failed', 'dismissed'].includes(body.status)) return body;
    if (Date.now() - t0 > ms) throw new Error(`job ${id} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
