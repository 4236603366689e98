/**
 * Starts dist/subsetd.cjs for the fuzz and soak runs (outside vitest): own state dir, a free
 * port, tokens from the real CLI when it has the command. Returns the URL, pid and a stop().
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeFuzzData } from '../../test/fuzz/data.js';
import { createTokens, type Scope } from '../../test/fuzz/tokens.js';

export const CLI = resolve('dist/subsetd.cjs');

export interface Spawned {
  url: string;
  pid: number;
  tokens: Record<string, string> | null;
  /** Data files (relative to the data root) made for the run. */
  dataFiles: string[];
  logs: string[];
  stop(): Promise<void>;
}

/** `onRequest`: each request log line of the service (parsed), e.g. for server-side timings. */
export async function spawnService(extraEnv: Record<string, string>, tokenNames: Array<[string, Scope]>, onRequest?: (r: { method: string; path: string; status: number; ms: number }) => void): Promise<Spawned> {
  const dir = mkdtempSync(join(tmpdir(), 'subsetd-run-'));
  const dataFiles = makeFuzzData(join(dir, 'data'));
  const env: Record<string, string> = { SUBSETD_STATE_DIR: dir, SUBSETD_DATA_ROOT: join(dir, 'data'), SUBSETD_PORT: '0', SUBSETD_LOG_LEVEL: 'info', ...extraEnv };
  const tokens = createTokens(CLI, env, tokenNames);
  const childEnv: Record<string, string | undefined> = { ...process.env };
  for (const k of Object.keys(childEnv)) if (k.startsWith('SUBSETD_')) delete childEnv[k];
  const proc = spawn(process.execPath, [CLI, 'serve'], { env: { ...childEnv, ...env, ...(tokens ? { SUBSETD_AUTH: 'tokens' } : {}) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  const url = await new Promise<string>((res, rej) => {
    let buf = '';
    proc.stdout!.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        // Keep only what matters for the report: errors, not one line per request.
        if (line.includes('"msg":"request"')) onRequest?.(JSON.parse(line));
        else if (logs.length < 10_000) logs.push(line);
        if (line.includes('"subsetd started"')) res(JSON.parse(line).url);
      }
    });
    proc.stderr!.on('data', (d) => logs.push(`[stderr] ${d}`));
    proc.once('exit', (code) => rej(new Error(`service exited with ${code}:\n${logs.join('\n')}`)));
  });
  return {
    url,
    pid: proc.pid!,
    tokens,
    dataFiles,
    logs,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `--name value` flags of a bench script. */
export function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
}

/** A throwaway redis-server for --redis runs (test/helpers' one needs vitest). */
export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const { createServer, connect } = await import('node:net');
  const port = await new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
  const dir = mkdtempSync(join(tmpdir(), 'subsetd-redis-'));
  const proc = spawn(process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((res) => connect(port, '127.0.0.1').once('connect', function (this: import('node:net').Socket) { this.destroy(); res(true); }).once('error', () => res(false)));
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
