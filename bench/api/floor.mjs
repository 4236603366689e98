// The floor for the GET-job hot path: a bare Node `http` server in its own process doing only the
// work GET /jobs/{id} must do — one SQLite read of the job, the statusInfo JSON with its inputs,
// one pino request line, one prom-client histogram observation — and nothing else (no framework,
// no middleware). Loaded by the same wrk run as subsetd and the fixed-body server (bare.mjs).
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function child(file) {
  const { default: Database } = await import('better-sqlite3');
  const { default: pino } = await import('pino');
  const { Histogram, Registry } = await import('prom-client');
  const http = await import('node:http');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE jobs (id TEXT PRIMARY KEY, process_id TEXT, status TEXT, inputs TEXT, meta TEXT, progress INT, message TEXT, attempts INT, max_attempts INT, created INT, started INT, finished INT, updated INT, outputs TEXT, error TEXT, owner TEXT)');
  const now = Date.now();
  db.prepare("INSERT INTO jobs VALUES ('job', 'hello-world', 'successful', '{\"name\":\"x\"}', '{}', 100, 'done', 1, 3, ?, ?, ?, ?, '{}', NULL, NULL)").run(now, now, now, now);
  const get = db.prepare('SELECT * FROM jobs WHERE id = ?');
  const log = pino({ base: { svc: 'floor' } }, pino.destination({ dest: 1, sync: false }));
  const h = new Histogram({ name: 'h', help: 'h', labelNames: ['method', 'route', 'status'], registers: [new Registry()] });
  const iso = (ms) => (ms === null ? undefined : new Date(ms).toISOString());
  const headers = { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin', 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" };
  const server = http.createServer((req, res) => {
    const t0 = performance.now();
    const r = get.get(req.url.slice(6));
    const base = `http://${req.headers.host}`;
    const self = `${base}/jobs/${r.id}`;
    const doc = {
      type: 'process', processID: r.process_id, jobID: r.id, status: r.status, message: r.message,
      created: iso(r.created), started: iso(r.started), finished: iso(r.finished), updated: iso(r.updated), progress: r.progress,
      links: [
        { href: self, rel: 'self', type: 'application/json', title: 'Job status' },
        { href: `${self}/results`, rel: 'http://www.opengis.net/def/rel/ogc/1.0/results', type: 'application/json', title: 'Job results' },
        { href: `${base}/processes/${r.process_id}`, rel: 'up', type: 'application/json', title: 'Process description' },
      ],
      inputs: JSON.parse(r.inputs), attempts: r.attempts, maxAttempts: r.max_attempts,
    };
    res.writeHead(200, headers);
    res.end(JSON.stringify(doc));
    const ms = performance.now() - t0;
    log.info({ method: req.method, path: req.url, status: 200, ms }, 'request');
    h.observe({ method: 'GET', route: '/jobs/:id', status: 200 }, ms / 1000);
  });
  server.keepAliveTimeout = 65000;
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
}

if (process.argv[2] === '--child') await child(process.argv[3]);

/** Starts the floor server; resolves with the URL of its one job and a stop(). */
export async function startFloor() {
  const dir = mkdtempSync(join(tmpdir(), 'subsetd-bench-floor-'));
  const proc = fork(new URL(import.meta.url).pathname, ['--child', join(dir, 'floor.db')], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  proc.stdout.resume(); // drained: the log lines are written, then dropped
  const port = await new Promise((resolve, reject) => {
    proc.once('message', resolve);
    proc.once('exit', (c) => reject(new Error(`floor server exited ${c}`)));
  });
  return { url: `http://127.0.0.1:${port}/jobs/job`, stop: () => (proc.kill('SIGKILL'), rmSync(dir, { recursive: true, force: true })) };
}
