/**
 * Composes one subsetd node: store, processes, worker pool, scheduler, sweeper and HTTP server.
 * close() is idempotent and ordered: stop HTTP, stop taking jobs, drain with a deadline,
 * close the pool, close the store.
 */
import { AutoCache, watchingStore } from '../processors/netcdf/ts-cache/auto.js';
import { createServer as createHttpServer, type RequestListener, type ServerOptions } from 'node:http';
import { withFastJobStatus } from './server/fast-job-status.js';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { serve, type ServerType } from '@hono/node-server';
import type { Config } from './config/table.js';
import { ConfigError } from './config/load.js';
import { JobFiles } from './jobs/job-files.js';
import { JobService } from './jobs/job-service.js';
import { Scheduler } from './jobs/scheduler.js';
import { SharedResultsCheck } from './jobs/shared-results.js';
import { NodeAnnouncer } from './jobs/node-announcer.js';
import { DiskUsage } from './server/disk-usage.js';
import { EventStreams } from './server/event-streams.js';
import { Sweeper } from './jobs/sweeper.js';
import type { Logger } from './log.js';
import { WorkerPool } from './pool/pool.js';
import { loadFamilies } from './processes/families.js';
import { pluginFiles } from './processes/plugins.js';
import { ProcessRegistry } from './processes/registry.js';
import { createApp, type Mount } from './server/app.js';
import type { AppDeps } from './server/context.js';
import { openStore } from './stores/open-store.js';
import { createMetrics } from './metrics/registry.js';
import { meteredStore } from './metrics/metered-store.js';
import { notifyingStore } from './callbacks/notifying-store.js';
import { Deliverer } from './callbacks/deliver.js';
import { signerOf } from './auth/middleware.js';
import { addGauges } from './metrics/gauges.js';
import { startMetricsListener, type MetricsListener } from './metrics/listener.js';
import { VERSION } from './version.js';

export interface ServiceOptions {
  log: Logger;
  /** The bundled worker entry (dist/worker.cjs, or its unpacked copy in a single executable). */
  workerFile: string;
  nativeBinding?: string;
  /** Serve HTTP (false for `subsetd worker`). */
  http?: boolean;
  mounts?: Mount[];
}

export interface Service {
  url: string | null;
  deps: AppDeps;
  close(): Promise<void>;
}

/**
 * Slow clients (slowloris: headers or a body trickled a byte at a time) get 408 and are closed
 * after these limits. Node checks them on a timer, which must tick well within the shorter one.
 */
function requestTimeouts(config: Config) {
  const requestTimeout = config.requestTimeout;
  const headersTimeout = Math.min(config.headersTimeout, requestTimeout);
  return { headersTimeout, requestTimeout, connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(headersTimeout / 4))) };
}

/** SUBSETD_PROCESSES (default: every process) and SUBSETD_CONCURRENCY, checked against the registry. */
function servedProcesses(config: Config, registry: ProcessRegistry): string[] {
  const known = registry.ids();
  const check = (key: string, ids: string[]) => {
    for (const id of ids) if (!registry.get(id)) throw new ConfigError(key, `unknown process "${id}"; processes: ${known.join(', ')}`);
  };
  check('SUBSETD_PROCESSES', config.processes);
  check('SUBSETD_CONCURRENCY', Object.keys(config.concurrency));
  return config.processes.length ? [...new Set(config.processes)].sort() : known;
}

/** The time-series cache's lock owner: the node in Redis mode; with SQLite (one node), stable across restarts. */
const lockOwner = (s: { kind: string }, nodeId: string) => (s.kind === 'sqlite' ? `${hostname()}:sqlite-node` : nodeId);

export async function startService(config: Config, opts: ServiceOptions): Promise<Service> {
  const { log } = opts;
  mkdirSync(config.stateDir, { recursive: true });
  mkdirSync(config.resultsDir, { recursive: true });
  const nodeId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  // Plugins first: a bad one stops start-up (exit 2) before anything is opened.
  const plugins = pluginFiles(config);
  const registry = new ProcessRegistry(await loadFamilies(plugins));
  const served = servedProcesses(config, registry);
  const metrics = createMetrics();
  const files = new JobFiles(config.stateDir, config.resultsDir);
  const metered = meteredStore(await openStore(config, { nativeBinding: opts.nativeBinding }), metrics);
  // OGC callbacks: sent after the transitions this node's store calls make; store.close() stops their retries.
  const deliverer = new Deliverer({ allow: config.callbackAllowHosts, retryForMs: config.callbackRetryFor, timeoutMs: config.callbackTimeout, log: log.child({ component: 'callbacks' }), metrics });
  // One loader of the link-signing key for the API, its fast path and the callbacks' links.
  const linkSigner = signerOf({ config, store: metered });
  const notifying = notifyingStore(metered, { deliverer, files, signer: config.auth === 'tokens' ? linkSigner : async () => null, log });
  // The time-series cache's background builds (SUBSETD_TS_CACHE; docs/ts-cache.md): the scheduler's
  // store tells it which netcdf-subset jobs ended here.
  const tsCache = new AutoCache({
    mode: config.tsCache, dir: config.tsCacheDir, dataRoot: config.dataRoot, folders: config.tsCacheFolders, scanIntervalMs: config.tsCacheScanInterval,
    bounds: { maxBytes: config.tsCacheMax, minFreeBytes: config.minFreeDisk }, workerFile: join(dirname(opts.workerFile), 'ts-cache-worker.cjs'),
    store: notifying, nodeId: lockOwner(notifying, nodeId), log: log.child({ component: 'ts-cache' }),
  });
  const store = watchingStore(notifying, tsCache);
  const pool = config.workers > 0 ? new WorkerPool({ filename: opts.workerFile, threads: config.workers, memoryBytes: config.workerMemory, onError: (err) => log.error({ err }, 'worker thread error') }) : null;
  const scheduler = pool ? new Scheduler({ store, pool, files, config, log, nodeId, plugins }, config.workers, served, config.concurrency) : null;
  const sweeper = new Sweeper(store, files, config, log);
  // One SQLite database has one node: every job still marked running belonged to a previous
  // run of this process (crash, kill -9), so it is re-queued now rather than after its lease.
  if (store.kind === 'sqlite') await sweeper.sweep(Number.MAX_SAFE_INTEGER);

  // Several nodes share one queue only in Redis mode; SQLite has one node per database.
  // The node registry carries this node's worker slots (GET /admin/stats on any node).
  const announcer = new NodeAnnouncer(store, nodeId, () => scheduler?.workers() ?? [], log, undefined, scheduler ? [...served] : []);
  const sharedResults = store.kind === 'redis' ? new SharedResultsCheck(store, config.resultsDir, announcer, log) : undefined;
  await sharedResults?.run();
  sharedResults?.start();
  await announcer.announce().catch(() => {});
  announcer.start();
  const eventStreams = new EventStreams();
  addGauges(metrics, store, () => registry.ids(), scheduler, nodeId);

  const deps: AppDeps = { config, store, registry, jobs: new JobService(store, registry, files, config, scheduler, log), files, scheduler, pool, log, version: VERSION, sharedResults,
    nodeId, eventStreams, disk: new DiskUsage(config.stateDir, config.resultsDir), metrics };
  let server: ServerType | null = null;
  let url: string | null = null;
  if (opts.http !== false) {
    const app = createApp(deps, opts.mounts, linkSigner);
    // GET /jobs/{id}, the route every client polls, is answered beside Hono (fast-job-status.ts).
    const createServer = ((options: ServerOptions, listener: RequestListener) => createHttpServer(options, withFastJobStatus(deps, linkSigner, listener))) as typeof createHttpServer;
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port, serverOptions: requestTimeouts(config), createServer }, () => resolve(s));
      s.once('error', reject);
    });
    // Longer than clients' and nginx's idle keep-alive, so the client side always closes first
    // and never reuses a socket the server is closing at the same moment.
    // (Since Node 18 headersTimeout runs from a request's first byte, not from the idle
    // keep-alive socket's, so it may be shorter than this.)
    (server as ServerType & { keepAliveTimeout: number }).keepAliveTimeout = 65_000;
    const addr = server.address() as AddressInfo;
    url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  }
  const metricsListener: MetricsListener | null = config.metricsAddr ? await startMetricsListener(config.metricsAddr, metrics, log) : null;
  scheduler?.start();
  sweeper.start();
  tsCache.start();
  log.info({ url, metricsUrl: metricsListener?.url, node: nodeId, store: store.kind, workers: config.workers, processes: registry.ids(), runs: scheduler ? served : [] }, 'subsetd started');

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      log.info('shutting down');
      // Event streams never end by themselves: end them so the server can close its connections.
      eventStreams.closeAll();
      if (server) {
        const s = server as ServerType & { closeIdleConnections?: () => void };
        const closed = new Promise<void>((r) => s.close(() => r()));
        s.closeIdleConnections?.();
        await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
      }
      await metricsListener?.close();
      // Before the drain: a build must not compete with the jobs finishing, nor outlive the store.
      await tsCache.close();
      await scheduler?.stop(config.shutdownTimeout);
      await sweeper.stop();
      announcer.stop();
      await sharedResults?.stop();
      await pool?.destroy();
      await store.close();
      log.info('stopped');
    })());
  return { url, deps, close };
}
