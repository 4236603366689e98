/**
 * When the time-series cache is built, on the service's main thread (docs/ts-cache.md, "When it
 * is built"). SUBSETD_TS_CACHE:
 *
 *   off     the cache is neither read nor built by the service (`subsetd cache build` still works)
 *   manual  entries built by `subsetd cache build` and the files of SUBSETD_TS_CACHE_FOLDERS are used
 *   auto    (default) as manual, and a netcdf-subset job on a point or a small region queues a
 *           background build of each input file without a valid entry, once the job has ended
 *           (the job itself was answered by the normal path): "small" is the region reader's own
 *           rule, applied by the build thread to the request on the file's grid, so exactly the
 *           variables later requests like it would read from the cache are built; stale entries
 *           are rebuilt
 *
 * Builds run in one worker thread (build-worker.ts), one file at a time, never on the main thread.
 * Before a file is given to the thread, the node takes the store's lock `ts-cache:<real path>`
 * (renewed while it builds), so in Redis mode one node builds a file; another node that finds
 * it taken skips the file (its requests use the normal path until the entry appears).
 * close() is idempotent: no new work, the queue is emptied, the build in progress is aborted
 * (its temp files removed), the thread ends (terminated if it does not within a few seconds),
 * the lock is released.
 */
import { overlay } from '../../../src/stores/overlay.js';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { JobRecord, JobStore } from '../../../src/stores/job-store.js';
import type { Logger } from '../../../src/log.js';
import type { EnsureResult, FromWorker, ToWorker } from './build-worker.js';
import { REGION_TOO_LARGE } from './region-hook.js';
import type { Bounds } from './evict.js';
import { ENTRY_EXT } from './format.js';
import { cleanTemps, dropEntry, entryFile, fileSig, headerSig, readHeaderOf, statSig } from './store.js';

export type TsCacheMode = 'off' | 'manual' | 'auto';

const LOCK_TTL_MS = 60_000;
/** The build thread ends after this long without work (it is started again on demand). */
const IDLE_THREAD_MS = 30_000;
const NC_EXT = /\.(nc|nc4|netcdf|cdf)$/i;

export interface AutoCacheOptions {
  mode: TsCacheMode;
  dir: string;
  dataRoot: string;
  /** Folders (relative to the data root) whose NetCDF files are cached ahead of any request. */
  folders: string[];
  scanIntervalMs: number;
  bounds: Bounds;
  /** The bundled build-worker (dist/ts-cache-worker.cjs). */
  workerFile: string;
  store: JobStore;
  /**
   * Owner of the build locks. Redis: this node's id. SQLite (one node per database): a name that
   * stays the same across restarts, so a lock left by a killed run does not hold back the next.
   */
  nodeId: string;
  /** How long after finding a file locked it is looked at again (default: the lock's TTL + 1 s). */
  retryAfterMs?: number;
  log: Logger;
  memory?: number;
  durable?: boolean;
}

/**
 * Whether a netcdf-subset job's operations are a point or a region that may be small (a bbox, a
 * country, a polygon): worth asking the build thread, which applies the region reader's own rule
 * to the request on the file's grid (varsTheCacheWouldAnswer) and builds only if the cache would
 * answer it. A mask over the whole grid alone (mask_landonly, mask_mask) is not.
 */
export function wantsCache(inputs: Record<string, unknown>): boolean {
  const ops = Array.isArray(inputs.operations) ? (inputs.operations as Array<Record<string, unknown>>) : [];
  return ops.some((o) => !!o && typeof o === 'object' && REGION_OPS.has(o.operation as string));
}
const REGION_OPS = new Set(['select_point', 'cutout_point', 'mask_country', 'mask_polygon', 'select_bbox', 'cutout_bbox', 'mask_bbox']);

interface Task {
  path: string;
  why: 'request' | 'folder' | 'stale';
  /** A request's operation lists: build what the cache would answer one of them from (else every variable). */
  forOps?: unknown[];
}

export class AutoCache {
  private readonly queue: Task[] = [];
  private readonly queued = new Set<string>();
  /** Stat signature (size, mtime, inode, device) -> entry keys of a file known to be cached (skips the thread). */
  private readonly known = new Map<string, string[]>();
  /** Stat signatures of files whose build failed (not NetCDF, no grid...): not tried again until they change. */
  private readonly failed = new Set<string>();
  /**
   * Stat signature -> operation lists the cache would not answer on that file (regions too
   * large): the same request again does not take the lock and reopen the file to learn it anew.
   */
  private readonly tooLarge = new Map<string, Set<string>>();
  private worker: Worker | null = null;
  private running: { id: number; path: string; resolve: (m: FromWorker) => void } | null = null;
  private nextId = 1;
  private closed = false;
  private pumping: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private readonly retries = new Map<string, NodeJS.Timeout>();
  private idleTimer: NodeJS.Timeout | null = null;
  /** For tests and the log: what happened. */
  readonly stats = { built: 0, skipped: 0, failed: 0, locked: 0 };

  constructor(private readonly o: AutoCacheOptions) {}

  get mode() {
    return this.o.mode;
  }

  /** Removes dead builds' temp files; starts the folder scans (at once, then every scanIntervalMs). */
  start(): void {
    // Builds killed mid-way (kill -9, a crash) leave temp files no reader opens: in every mode.
    cleanTemps(this.o.dir);
    if (this.o.mode === 'off') return;
    const tick = () => {
      if (this.closed || this.scanning) return;
      this.scanning = this.scan()
        .catch((e) => this.o.log.warn({ err: e }, 'time-series cache: scan failed'))
        .finally(() => (this.scanning = null));
    };
    tick();
    this.timer = setInterval(tick, this.o.scanIntervalMs);
    this.timer.unref();
  }

  /** A job ended on this node: with auto, queue its input files (point or small region only). */
  jobEnded(job: Pick<JobRecord, 'processId' | 'inputs'>): void {
    if (this.closed || this.o.mode !== 'auto' || job.processId !== 'netcdf-subset' || !wantsCache(job.inputs)) return;
    const paths = Array.isArray(job.inputs.paths) ? job.inputs.paths : [];
    for (const p of paths) {
      if (typeof p !== 'string') continue;
      const abs = resolve(this.o.dataRoot, p);
      if (!abs.startsWith(resolve(this.o.dataRoot))) continue;
      const sig = fileSig(abs);
      if (sig && this.tooLarge.get(sig)?.has(JSON.stringify(job.inputs.operations))) continue;
      this.enqueue({ path: abs, why: 'request', forOps: [job.inputs.operations] });
    }
  }

  /** Files under the folders, then stale entries (rebuilt with auto, dropped with manual). */
  private async scan(): Promise<void> {
    const root = resolve(this.o.dataRoot);
    for (const f of this.o.folders) {
      const top = resolve(root, f);
      if (!top.startsWith(root)) continue;
      const stack = [top];
      while (stack.length && !this.closed) {
        const d = stack.pop()!;
        let names;
        try {
          names = await readdir(d, { withFileTypes: true });
        } catch {
          continue;
        }
        for (const e of names.sort((a, b) => a.name.localeCompare(b.name))) {
          const p = join(d, e.name);
          if (e.isDirectory()) stack.push(p);
          else if (NC_EXT.test(e.name)) this.enqueue({ path: p, why: 'folder' });
        }
      }
    }
    let names: string[];
    try {
      names = (await readdir(this.o.dir)).filter((n) => n.endsWith(ENTRY_EXT));
    } catch {
      names = [];
    }
    for (const n of names) {
      if (this.closed) return;
      // One header read at a time, the event loop served in between (thousands of entries).
      await new Promise((r) => setImmediate(r));
      const key = n.slice(0, -ENTRY_EXT.length);
      const e = { key, header: readHeaderOf(join(this.o.dir, n)) };
      const s = e.header?.source;
      if (!s) continue;
      const now = fileSig(s.path);
      if (now === headerSig(s)) continue;
      if (now && this.o.mode === 'auto') this.enqueue({ path: s.path, why: 'stale' });
      else {
        dropEntry(this.o.dir, e.key);
        this.o.log.info({ source: s.path, variable: e.header?.variable.name }, 'time-series cache: stale entry dropped');
      }
    }
  }

  /** Whether the memo says the file is cached (one stat and an existence check per entry). */
  private cached(path: string): boolean {
    const sig = fileSig(path);
    if (sig === null) return false;
    if (this.failed.has(sig)) return true;
    const keys = this.known.get(sig);
    return !!keys && keys.every((key) => existsSync(entryFile(this.o.dir, key)));
  }

  private enqueue(t: Task): void {
    if (this.closed || this.running?.path === t.path || this.cached(t.path)) return;
    if (this.queued.has(t.path)) {
      // Queued already: a request's operations widen what is built; a folder or stale task builds all.
      const q = this.queue.find((x) => x.path === t.path);
      if (q?.forOps) q.forOps = t.forOps ? [...q.forOps, ...t.forOps].slice(-16) : undefined;
      return;
    }
    this.queued.add(t.path);
    // Requests first: a user is waiting for that file; folder files fill the idle time.
    if (t.why === 'request') {
      const i = this.queue.findIndex((q) => q.why !== 'request');
      this.queue.splice(i < 0 ? this.queue.length : i, 0, t);
    } else this.queue.push(t);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.pumping ??= this.pump().finally(() => {
      this.pumping = null;
      // The thread's memory (the last build's buffers) goes back once nothing came for a while.
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => {
        const w = this.worker;
        if (!w || this.running || this.pumping) return;
        this.worker = null;
        void w.terminate();
      }, IDLE_THREAD_MS);
      this.idleTimer.unref();
    });
  }

  private async pump(): Promise<void> {
    while (!this.closed && this.queue.length) {
      const t = this.queue.shift()!;
      this.queued.delete(t.path);
      if (this.cached(t.path)) continue;
      await this.one(t);
    }
  }

  private async one(t: Task): Promise<void> {
    const { store, nodeId, log } = this.o;
    let real = t.path;
    let sig: string;
    try {
      real = realpathSync(t.path);
      sig = statSig(statSync(real, { bigint: true }));
    } catch {
      return; // gone
    }
    const lock = `ts-cache:${real}`;
    try {
      if (!(await store.tryLock(lock, nodeId, LOCK_TTL_MS))) {
        this.stats.locked++;
        log.info({ path: t.path }, 'time-series cache: another node builds this file; skipped (looked at again once its lock would have expired)');
        this.later(t);
        return;
      }
    } catch (e) {
      log.warn({ err: e, path: t.path }, 'time-series cache: cannot take the build lock; skipped');
      return;
    }
    const renew = setInterval(() => void store.tryLock(lock, nodeId, LOCK_TTL_MS).catch(() => {}), LOCK_TTL_MS / 3);
    try {
      const m = await this.send(t);
      if (!m) return;
      if (m.t === 'error') {
        this.stats.failed++;
        if (!this.closed) this.failed.add(sig);
        log.warn({ path: t.path, error: m.message }, 'time-series cache: build failed');
        return;
      }
      this.note(t, m.result);
    } finally {
      clearInterval(renew);
      await store.unlock(lock, nodeId).catch(() => {});
    }
  }

  /**
   * A file another node was building: queued again once that node's lock would have expired
   * unrenewed. Then it is either cached (the thread sees a valid entry and does nothing) or the
   * other node died and this one builds it.
   */
  private later(t: Task): void {
    if (this.retries.has(t.path) || this.closed) return;
    const timer = setTimeout(() => {
      this.retries.delete(t.path);
      this.enqueue(t);
    }, this.o.retryAfterMs ?? LOCK_TTL_MS + 1000);
    timer.unref();
    this.retries.set(t.path, timer);
  }

  private note(t: Task, r: EnsureResult): void {
    const { log } = this.o;
    if (!r.skipped.length) this.known.set(r.sig, r.keys);
    if (t.forOps && !r.built.length && !r.valid.length && r.skipped.every((s) => s.reason === REGION_TOO_LARGE)) {
      // Every request behind this build asked for a region too large: remember each (bounded).
      if (this.tooLarge.size >= 10_000) this.tooLarge.clear();
      const set = this.tooLarge.get(r.sig) ?? this.tooLarge.set(r.sig, new Set()).get(r.sig)!;
      for (const ops of t.forOps) if (set.size < 100) set.add(JSON.stringify(ops));
    }
    for (const b of r.built) {
      this.stats.built++;
      log.info({ path: t.path, variable: b.variable, bytes: b.bytes, seconds: Number(b.seconds.toFixed(2)), why: t.why, rebuilt: b.rebuilt }, 'time-series cache: entry built');
    }
    for (const s of r.skipped) {
      this.stats.skipped++;
      // A request whose region the cache would not answer anyway: nothing to tell an operator.
      if (s.reason === REGION_TOO_LARGE) {
        log.debug({ path: t.path, variable: s.variable }, `time-series cache: not built: ${s.reason}`);
        continue;
      }
      log.info({ path: t.path, variable: s.variable, reason: s.reason }, `time-series cache: build skipped: ${s.reason}`);
    }
    if (r.evicted.length) log.info({ evicted: r.evicted.length }, 'time-series cache: least recently used entries evicted');
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.o.workerFile, { workerData: { subsetdTsCacheWorker: true } });
    w.unref();
    w.on('message', (m: FromWorker) => {
      if (this.running && m.id === this.running.id) this.running.resolve(m);
    });
    const gone = (err?: Error) => {
      if (this.worker !== w) return;
      this.worker = null;
      if (err) this.o.log.error({ err }, 'time-series cache: build thread failed');
      this.running?.resolve({ t: 'error', id: this.running.id, message: err?.message ?? 'the build thread ended' });
    };
    w.on('error', gone);
    w.on('exit', () => gone());
    this.worker = w;
    return w;
  }

  /** Gives one file to the thread; resolves with its answer (null once closing). */
  private send({ path, forOps }: Task): Promise<FromWorker | null> {
    if (this.closed) return Promise.resolve(null);
    const id = this.nextId++;
    return new Promise<FromWorker>((res) => {
      this.running = { id, path, resolve: res };
      const msg: ToWorker = { t: 'ensure', id, path, dir: this.o.dir, memory: this.o.memory, bounds: this.o.bounds, durable: this.o.durable, forOps };
      this.thread().postMessage(msg);
    }).finally(() => (this.running = null));
  }

  /** Resolves when nothing is queued or building (tests). */
  async idle(): Promise<void> {
    while (this.pumping || this.scanning) await (this.pumping ?? this.scanning);
  }

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      this.closed = true;
      if (this.timer) clearInterval(this.timer);
      if (this.idleTimer) clearTimeout(this.idleTimer);
      for (const t of this.retries.values()) clearTimeout(t);
      this.retries.clear();
      this.queue.length = 0;
      this.queued.clear();
      const w = this.worker;
      if (w) {
        const exited = new Promise<void>((r) => w.once('exit', () => r()));
        if (this.running) w.postMessage({ t: 'abort' } satisfies ToWorker);
        // The abort lands between two planes or chunks (milliseconds); then the thread goes.
        const done = this.pumping ? Promise.race([this.pumping, new Promise((r) => setTimeout(r, 5000))]) : Promise.resolve();
        await done;
        await w.terminate();
        await exited.catch(() => {});
      }
      await this.pumping?.catch(() => {});
      await this.scanning?.catch(() => {});
    })());
  }
}

/**
 * The job store seen by this node's scheduler, telling `auto` about every netcdf-subset job that
 * ends successfully here (the claim carries the inputs; finish() only the id).
 */
export function watchingStore(store: JobStore, auto: AutoCache): JobStore {
  if (auto.mode !== 'auto') return store;
  const inputs = new Map<string, JobRecord>();
  const overrides: Partial<JobStore> = {
    async claim(...args) {
      const j = await store.claim(...args);
      if (j?.processId === 'netcdf-subset' && wantsCache(j.inputs)) {
        if (inputs.size >= 10_000) inputs.delete(inputs.keys().next().value!);
        inputs.set(j.id, j);
      }
      return j;
    },
    async finish(id, workerId, result, ttlMs) {
      const ok = await store.finish(id, workerId, result, ttlMs);
      const j = inputs.get(id);
      inputs.delete(id);
      if (ok && j && result.status === 'successful') auto.jobEnded(j);
      return ok;
    },
    async release(id, ...rest) {
      inputs.delete(id);
      return store.release(id, ...rest);
    },
  };
  return overlay(store, overrides);
}
