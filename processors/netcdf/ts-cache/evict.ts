/**
 * Bounded disk for the time-series cache (docs/ts-cache.md, "Bounded disk"):
 *
 * - SUBSETD_TS_CACHE_MAX: the entries' total size. Before a build, least-recently-used entries
 *   are evicted until the entry expected fits; after it, again until the total is under the max
 *   (the expected size is an estimate, the trim makes the bound exact). An entry that alone
 *   exceeds the max is not built.
 * - SUBSETD_MIN_FREE_DISK: the cache's file system never goes below this much free space. The
 *   check before a build counts the entry's worst case (the variable's raw bytes: noise is stored
 *   raw, and nothing is ever larger), twice when the build spills; if evicting cannot make that
 *   room, the build is skipped with a log line.
 *
 * Last use of an entry = the mtime of its `.hits` file (one byte appended per use), or when
 * never used, the entry's own mtime (its build). Least recent goes first.
 */
import { statfsSync } from 'node:fs';
import { BYTES, type Var } from '../model.js';
import { planesOf } from '../task.js';
import { DEFAULT_MEMORY, segmentPlan } from './build.js';
import { dropEntry, entryStats } from './store.js';

export interface Bounds {
  /** Largest total size of the entries, bytes (0: no limit). */
  maxBytes: number;
  /** Free bytes the cache's file system keeps (0: none). */
  minFreeBytes: number;
}

/** How free space is read (tests replace it: other processes change the real figure meanwhile). */
export let freeSpace = (dir: string): number => {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return Number.MAX_SAFE_INTEGER;
  }
};
export function setFreeSpace(f: typeof freeSpace) {
  freeSpace = f;
}

export interface UsageEntry {
  key: string;
  bytes: number;
  /** ms since the epoch. */
  lastUse: number;
}

/** The entries with their size and last use, least recently used first. */
export function usage(dir: string): UsageEntry[] {
  return entryStats(dir)
    .map((e) => ({ key: e.key, bytes: e.bytes, lastUse: Math.max(e.builtMs, e.lastHit?.getTime() ?? 0) }))
    .sort((a, b) => a.lastUse - b.lastUse || a.key.localeCompare(b.key));
}

/** The variable's values as stored, uncompressed: no entry of it is larger (plus its header and index). */
export function rawBytes(v: Var): number {
  return v.shape.reduce((a, b) => a * b, 1) * BYTES[v.type];
}

/** Bytes an entry of `v` may take on disk while it is built, at worst: twice when the build spills. */
export function worstCase(v: Var, memory = DEFAULT_MEMORY): number {
  const [nlat, nlon] = v.shape.slice(-2);
  // As the build plans it: it spills (writes the chunks twice) when it merges.
  const spills = segmentPlan(planesOf(v), nlat * nlon * BYTES[v.type], memory).merge > 1;
  const raw = rawBytes(v) * 1.02 + 1024 * 1024;
  return spills ? raw * 2 : raw;
}

export type Room = { ok: true; evicted: string[] } | { ok: false; evicted: string[]; reason: string };

/**
 * Evicts least-recently-used entries (never those in `keep`) until an entry of `expected` bytes
 * fits under the max and `worst` bytes fit above the free-disk floor. Evicts nothing when even
 * evicting every other entry would not make the room.
 */
export function makeRoom(dir: string, b: Bounds, expected: number, worst: number, keep: ReadonlySet<string> = new Set()): Room {
  const all = usage(dir);
  const entries = all.filter((e) => !keep.has(e.key));
  const kept = all.filter((e) => keep.has(e.key)).reduce((s, e) => s + e.bytes, 0);
  const others = entries.reduce((s, e) => s + e.bytes, 0);
  let total = others + kept;
  let free = freeSpace(dir);
  const fits = () => (!b.maxBytes || total + expected <= b.maxBytes) && (!b.minFreeBytes || free - worst >= b.minFreeBytes);
  if (b.maxBytes && kept + expected > b.maxBytes) return { ok: false, evicted: [], reason: `its entry (~${mb(expected)}) would not fit under SUBSETD_TS_CACHE_MAX (${mb(b.maxBytes)})` };
  if (b.minFreeBytes && free + others - worst < b.minFreeBytes)
    return { ok: false, evicted: [], reason: `building it (up to ${mb(worst)}) would leave less than SUBSETD_MIN_FREE_DISK (${mb(b.minFreeBytes)}) free (${mb(free)} free, ${mb(others)} in other entries)` };
  const evicted: string[] = [];
  for (const e of entries) {
    if (fits()) break;
    dropEntry(dir, e.key);
    evicted.push(e.key);
    total -= e.bytes;
    free += e.bytes;
  }
  // Another process may have filled the disk meanwhile: the free space is read again.
  free = freeSpace(dir);
  if (b.minFreeBytes && free - worst < b.minFreeBytes) return { ok: false, evicted, reason: `building it (up to ${mb(worst)}) would leave less than SUBSETD_MIN_FREE_DISK (${mb(b.minFreeBytes)}) free (${mb(free)} free)` };
  return { ok: true, evicted };
}

/** After a build: evicts least-recently-used entries (never `keep`) until the total is under the max. */
export function trim(dir: string, maxBytes: number, keep: ReadonlySet<string> = new Set()): string[] {
  if (!maxBytes) return [];
  const entries = usage(dir);
  let total = entries.reduce((s, e) => s + e.bytes, 0);
  const evicted: string[] = [];
  for (const e of entries) {
    if (total <= maxBytes) break;
    if (keep.has(e.key)) continue;
    dropEntry(dir, e.key);
    evicted.push(e.key);
    total -= e.bytes;
  }
  return evicted;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
