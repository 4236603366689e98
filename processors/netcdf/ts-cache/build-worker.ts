/**
 * The background builder's thread (bundled as dist/ts-cache-worker.cjs; auto.ts starts it).
 * The builder inflates on libuv's threads but transposes and deflates synchronously, so it never
 * runs on the service's main thread. One message at a time:
 *
 *   main -> worker  { t: 'ensure', id, path, dir, memory, bounds, forOps? }   build the file's missing or stale entries
 *                                                                    (for a request: those the cache would answer it from)
 *                   { t: 'abort' }                                    stop the build in progress (its temp files go)
 *   worker -> main  { t: 'done', id, result } | { t: 'error', id, message }
 */
import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { Var } from '../model.js';
import { openSource } from '../io/open-source.js';
import { planesOf } from '../task.js';
import { buildVariable, DEFAULT_MEMORY, fileVars, type BuildResult } from './build.js';
import { makeRoom, rawBytes, trim, worstCase, type Bounds } from './evict.js';
import { REGION_TOO_LARGE, varsTheCacheWouldAnswer } from './region-hook.js';
import { cleanTemps, entryFile, entryKey, headerSig, readHeaderOf, realSource, statSig } from './store.js';

export interface EnsureOptions {
  dir: string;
  memory?: number;
  bounds: Bounds;
  signal?: AbortSignal;
  durable?: boolean;
  /** Only these variables (`subsetd cache build --var`); an unknown one is an error. */
  variables?: string[];
  /** Build even variables whose entry is valid (`subsetd cache build`). */
  force?: boolean;
  /** Fraction 0..1 of the file's builds. */
  onProgress?: (fraction: number) => void;
  /**
   * The operation lists of the requests that queued this build (auto): only the variables the
   * cache would answer one of them from are built (region-hook.ts varsTheCacheWouldAnswer).
   */
  forOps?: unknown[];
}

export interface EnsureResult {
  /** The source's real path, its stat signature and its entries' keys (the main thread's memo). */
  real: string;
  sig: string;
  keys: string[];
  /** Variables built now, and those that were valid already. */
  built: Array<BuildResult & { rebuilt: boolean }>;
  valid: string[];
  /** Variables not built, with the reason (a bound). */
  skipped: Array<{ variable: string; reason: string }>;
  evicted: string[];
}

/**
 * Builds the entries of `path`'s cacheable variables that are missing or stale (source changed),
 * within the bounds: least-recently-used entries are evicted first, and a variable whose entry
 * cannot fit is skipped with its reason. Valid entries are left alone.
 */
export async function ensureFile(path: string, o: EnsureOptions): Promise<EnsureResult> {
  cleanTemps(o.dir);
  const real = realSource(path);
  const st = statSync(real, { bigint: true });
  const sig = statSig(st);
  // One open of the source for the choice of variables and their builds.
  const src = await openSource(real);
  try {
    const found = fileVars(src, o.variables);
    let vars = found.vars;
    const skipped: EnsureResult['skipped'] = [];
    if (o.forOps !== undefined) {
      const worth = new Set<Var>();
      for (const ops of o.forOps) for (const v of await varsTheCacheWouldAnswer(ops, found.g, vars)) worth.add(v);
      for (const v of vars) if (!worth.has(v)) skipped.push({ variable: v.name, reason: REGION_TOO_LARGE });
      vars = vars.filter((v) => worth.has(v));
    }
    const total = vars.reduce((t, v) => t + planesOf(v), 0);
    let before = 0;
    const res: EnsureResult = { real, sig, keys: vars.map((v) => entryKey(real, v.name)), built: [], valid: [], skipped, evicted: [] };
    const keep = new Set(res.keys);
    for (const v of vars) {
      const key = entryKey(real, v.name);
      const share = planesOf(v) / total;
      const base = before;
      before += share;
      const h = readHeaderOf(entryFile(o.dir, key));
      const s = h?.source;
      if (!o.force && s && s.path === real && headerSig(s) === sig) {
        res.valid.push(v.name);
        continue;
      }
      const room = makeRoom(o.dir, o.bounds, Math.ceil(rawBytes(v) * 0.6), worstCase(v, o.memory ?? DEFAULT_MEMORY), keep);
      res.evicted.push(...room.evicted);
      if (!room.ok) {
        res.skipped.push({ variable: v.name, reason: room.reason });
        continue;
      }
      const r = await buildVariable(src, real, st, v, { dir: o.dir, memory: o.memory, signal: o.signal, durable: o.durable, onProgress: (f) => o.onProgress?.(base + f * share) });
      res.built.push({ ...r, rebuilt: !!h });
      res.evicted.push(...trim(o.dir, o.bounds.maxBytes, new Set([key])));
    }
    return res;
  } finally {
    src.close();
  }
}

export type ToWorker = { t: 'ensure'; id: number; path: string; dir: string; memory?: number; bounds: Bounds; durable?: boolean; forOps?: unknown[] } | { t: 'abort' };
export type FromWorker = { t: 'done'; id: number; result: EnsureResult } | { t: 'error'; id: number; message: string };

// Only in the thread auto.ts starts (a test runner's own threads import this module too).
if (parentPort && (workerData as { subsetdTsCacheWorker?: boolean } | null)?.subsetdTsCacheWorker) {
  const port = parentPort;
  let ac: AbortController | null = null;
  let chain = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    if (m.t === 'abort') {
      ac?.abort(new Error('cache build stopped: the service is shutting down'));
      return;
    }
    chain = chain.then(async () => {
      ac = new AbortController();
      try {
        const result = await ensureFile(m.path, { dir: m.dir, memory: m.memory, bounds: m.bounds, signal: ac.signal, durable: m.durable, forOps: m.forOps });
        port.postMessage({ t: 'done', id: m.id, result } satisfies FromWorker);
      } catch (e) {
        port.postMessage({ t: 'error', id: m.id, message: (e as Error).message || String(e) } satisfies FromWorker);
      } finally {
        ac = null;
      }
    });
  });
}
