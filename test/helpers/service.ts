/**
 * Starts the bundled service (dist/subsetd.cjs, exactly as shipped) as a real child process on a
 * free port, with its own state directory, and gives tests its URL, logs and signals.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
export const CLI = join(ROOT, 'dist/subsetd.cjs');
export const FIXTURE_PLUGIN = join(ROOT, 'test/fixtures/test-processors.cjs');

export interface RunningService {
  url: string;
  proc: ChildProcess;
  stateDir: string;
  logs: string[];
  env: Record<string, string>;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  kill9(): Promise<void>;
  /** Same state dir and settings, new process. */
  restart(extraEnv?: Record<string, string>): Promise<RunningService>;
  cleanup(): void;
  json(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: any }>;
}

/** `command`: how to run subsetd (default: node dist/subsetd.cjs; the deploy tests pass the single executable). */
export async function startService(
  env: Record<string, string> = {},
  stateDir?: string,
  args: string[] = ['serve'],
  command: string[] = [process.execPath, CLI],
  baseEnv?: Record<string, string>,
): Promise<RunningService> {
  const dir = stateDir ?? mkdtempSync(join(tmpdir(), 'subsetd-test-'));
  const fullEnv: Record<string, string> = {
    SUBSETD_PORT: '0',
    SUBSETD_STATE_DIR: dir,
    SUBSETD_DATA_ROOT: join(dir, 'data'),
    SUBSETD_LOG_LEVEL: 'info',
    SUBSETD_WORKERS: '2',
    SUBSETD_PLUGINS: FIXTURE_PLUGIN,
    ...env,
  };
  const childEnv: Record<string, string | undefined> = baseEnv ?? { ...process.env };
  for (const k of Object.keys(childEnv)) if (k.startsWith('SUBSETD_')) delete childEnv[k];
  const proc = spawn(command[0], [...command.slice(1), ...args], { env: { ...childEnv, ...fullEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  const url = await new Promise<string>((resolveUrl, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${logs.join('\n')}`)), 20_000);
    const onLine = (line: string) => {
      logs.push(line);
      if (line.includes('"subsetd started"')) {
        clearTimeout(timer);
        resolveUrl(JSON.parse(line).url ?? '');
      }
    };
    proc.stdout!.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    proc.stderr!.on('data', (d) => logs.push(`[stderr] ${d}`));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before it started:\n${logs.join('\n')}`));
    });
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const svc: RunningService = {
    url,
    proc,
    stateDir: dir,
    logs,
    env: fullEnv,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode) return proc.exitCode;
      proc.kill(signal);
      return exited;
    },
    async kill9() {
      proc.kill('SIGKILL');
      await exited;
    },
    async restart(extraEnv = {}) {
      await svc.stop();
      return startService({ ...env, ...extraEnv }, dir, args, command, baseEnv);
    },
    cleanup() {
      proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
    async json(path, init) {
      const res = await fetch(url + path, init);
      const text = await res.text();
      let body: any = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, headers: res.headers, body };
    },
  };
  return svc;
}

export function post(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

export const ASYNC = { Prefer: 'respond-async' };

/** Polls a job until it is terminal (or the status is one of `until`). */
export async function waitForJob(svc: RunningService, id: string, until = ['successful', 'failed', 'dismissed'], timeoutMs = 30_000): Promise<any> {
  const t0 = Date.now();
  for (;;) {
    const { body } = await svc.json(`/jobs/${id}`);
    if (until.includes(body.status)) return body;
    if (Date.now() - t0 > timeoutMs) throw new Error(`job ${id} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Where a result link of a job on this service lives on disk: `{ jobId, path }`. */
export function resultPath(svc: RunningService, href: string): { jobId: string; path: string } {
  const jobId = href.split('/jobs/')[1].split('/')[0];
  return { jobId, path: join(svc.stateDir, 'results', jobId, decodeURIComponent(href.split('/files/')[1])) };
}

/** A service plus `data` (its SUBSETD_DATA_ROOT) and a scratch `tmp` dir, both under its state dir. */
export async function startServiceWithData(env: Record<string, string> = {}): Promise<{ svc: RunningService; data: string; tmp: string }> {
  const svc = await startService(env);
  const data = join(svc.stateDir, 'data');
  const tmp = join(svc.stateDir, 'tmp');
  mkdirSync(data, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  return { svc, data, tmp };
}

/** A service whose data root holds what `subsetd sample-data` writes; `nc` names its NetCDF file. */
export async function startServiceWithSample(env: Record<string, string> = {}): Promise<{ svc: RunningService; data: string; tmp: string; nc: string }> {
  const s = await startServiceWithData(env);
  const made = spawnSync(process.execPath, [CLI, 'sample-data', s.data], { encoding: 'utf8' });
  if (made.status !== 0) {
    s.svc.cleanup();
    throw new Error(`subsetd sample-data failed: ${made.stderr}`);
  }
  return { ...s, nc: readdirSync(s.data).find((f) => f.endsWith('.nc'))! };
}
