/**
 * A real redis-server for tests (Debian's /usr/bin/redis-server, installed by
 * scripts/system-deps.sh test): a free port, its own temp dir, optional appendonly, and
 * stop / kill / restart on the same port and data dir so outage and durability can be tested.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export interface RedisServerOptions {
  appendonly?: boolean;
  /** always | everysec | no */
  appendfsync?: string;
  password?: string;
}

export interface RedisServer {
  port: number;
  dir: string;
  url: string;
  /** The URL with a password when one is set. */
  authUrl: string;
  /** SHUTDOWN-like graceful stop (SIGTERM: Redis writes its AOF/RDB and exits). */
  stop(): Promise<void>;
  /** SIGKILL: what a crash or power cut looks like to the data on disk (minus the page cache). */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that accepts connections but never answers. */
  freeze(): void;
  thaw(): void;
  restart(): Promise<void>;
  /** Stops the server and removes its directory. */
  destroy(): Promise<void>;
}

export const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'subsetd-redis-'));
  let child: ChildProcess | null = null;
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    '--appendonly', opts.appendonly ? 'yes' : 'no', '--appendfsync', opts.appendfsync ?? 'everysec',
    '--daemonize', 'no', '--logfile', join(dir, 'redis.log'), '--maxmemory-policy', 'noeviction',
    ...(opts.password ? ['--requirepass', opts.password] : []),
  ];

  const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
  const halt = async (signal: NodeJS.Signals) => {
    const c = child;
    child = null;
    if (!c) return;
    c.kill(signal);
    await exited(c);
  };

  const server: RedisServer = {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    authUrl: opts.password ? `redis://:${encodeURIComponent(opts.password)}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`,
    async start() {
      if (child) return;
      const c = spawn(REDIS_SERVER_BIN, args, { stdio: 'ignore' });
      child = c;
      const deadline = Date.now() + 10_000;
      while (!(await canConnect(port))) {
        if (c.exitCode !== null) throw new Error(`redis-server exited with ${c.exitCode}; see ${dir}/redis.log`);
        if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} within 10 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: () => halt('SIGTERM'),
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    kill: () => halt('SIGKILL'),
    async restart() {
      await halt('SIGTERM');
      await server.start();
    },
    async destroy() {
      server.thaw();
      await halt('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** One redis-server for a test file: started before its tests, destroyed after. */
export function useRedisServer(opts: RedisServerOptions = {}): () => RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer(opts);
  });
  afterAll(async () => {
    await server?.destroy();
  });
  return () => server!;
}
