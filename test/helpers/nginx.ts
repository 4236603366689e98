/**
 * Debian's nginx running the shipped site (systemd/nginx/subsetd.conf, placeholders filled as
 * scripts/install.sh does) in front of a running service, in a private directory on a free port.
 * The surrounding http{} block mirrors Debian's /etc/nginx/nginx.conf with paths of its own.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './service.js';

export const NGINX_BIN = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface RunningNginx {
  /** http://127.0.0.1:PORT (the site serves subsetd under /api/). */
  base: string;
  dir: string;
  accessLog(): string;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** host:port of subsetd. */
  upstream: string;
  resultsDir: string;
  bodyLimit?: number | string;
  port?: number;
  /** The site file (default: the checkout's systemd/nginx/subsetd.conf; a release carries its own). */
  site?: string;
  /** More directives for the site's server{} block (e.g. locations of a test's own). */
  extra?: string;
  /** An access log format (log_format body) instead of nginx's combined one. */
  logFormat?: string;
}

export async function startNginx(opts: NginxOptions): Promise<RunningNginx> {
  if (!NGINX_BIN) throw new Error('nginx is not installed: run scripts/system-deps.sh test');
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'subsetd-nginx-'));
  const site = readFileSync(opts.site ?? join(ROOT, 'systemd/nginx/subsetd.conf'), 'utf8')
    .replaceAll('__LISTEN__', `127.0.0.1:${port}`)
    .replaceAll('__UPSTREAM__', opts.upstream)
    .replaceAll('__RESULTS_DIR__', opts.resultsDir.replace(/\/?$/, '/'))
    .replaceAll('__BODY_LIMIT__', String(opts.bodyLimit ?? 100 * 1024 * 1024))
    .replace(/\}\s*$/, `${opts.extra ?? ''}}\n`);
  if (/__[A-Z_]+__/.test(site)) throw new Error(`unfilled placeholder in the nginx site: ${/__[A-Z_]+__/.exec(site)![0]}`);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off; user root; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 64; }
http { include /etc/nginx/mime.types; default_type application/octet-stream; sendfile on;
  ${opts.logFormat ? `log_format t '${opts.logFormat}'; access_log ${dir}/access.log t;` : `access_log ${dir}/access.log;`}
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  ${site} }`,
  );
  mkdirSync(join(dir, 'body'));
  const t = spawnSync(NGINX_BIN, ['-t', '-c', join(dir, 'nginx.conf'), '-p', dir], { encoding: 'utf8' });
  if (t.status !== 0) throw new Error(`nginx -t failed: ${t.stderr}`);
  const proc: ChildProcess = spawn(NGINX_BIN, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (i > 100) throw new Error(`nginx did not come up: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    dir,
    accessLog: () => readFileSync(join(dir, 'access.log'), 'utf8'),
    async stop() {
      if (proc.exitCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGQUIT');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
