/**
 * The cache directory (SUBSETD_TS_CACHE_DIR, default <state dir>/ts-cache):
 *
 *   <key>.tsc      one entry per (source file, variable); key = sha256(real path \0 variable)
 *   <key>.hits     its hit counter: one byte appended per use (O_APPEND, safe across processes);
 *                  its mtime is the last use
 *   tmp/           builds in progress: <key>.<host>.<pid>.<random>.part / .spill
 *
 * Only `<key>.tsc` is ever read, and it appears by rename() once complete, so a build killed at
 * any moment leaves only files under tmp/, which the next build (or list/drop, or a start that
 * calls cleanTemps) removes once their process is gone.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, realpathSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { CorruptCacheError, decodeHeader, ENTRY_EXT, PREFIX, readPrefix, type Header, type Prefix } from './format.js';

export const TMP = 'tmp';
/** Temp files of a process on another host (shared storage) are removed only when this old. */
const FOREIGN_TEMP_AGE_MS = 24 * 3600 * 1000;

/** The configured directory; without configuration, as the config table defaults it. */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  return resolve(env.SUBSETD_TS_CACHE_DIR || join(env.SUBSETD_STATE_DIR || './var', 'ts-cache'));
}

/** The source's real path (symlinks resolved: every link to a file shares its entry). */
export function realSource(path: string): string {
  return realpathSync(path);
}

export function entryKey(realPath: string, variable: string): string {
  return createHash('sha256').update(realPath).update('\0').update(variable).digest('hex').slice(0, 40);
}

/**
 * A source file's identity as an entry records it (size, mtime in ns, inode, device): an entry is
 * valid while its header's signature is the file's current one.
 */
export const statSig = (st: { size: bigint; mtimeNs: bigint; ino: bigint; dev: bigint }) => `${st.size}:${st.mtimeNs}:${st.ino}:${st.dev}`;
export const headerSig = (s: Header['source']) => `${s.size}:${s.mtimeNs}:${s.ino}:${s.dev}`;
/** The file's current signature, or null when it cannot be stat'ed (gone). */
export function fileSig(path: string): string | null {
  try {
    return statSig(statSync(path, { bigint: true }));
  } catch {
    return null;
  }
}

export const entryFile = (dir: string, key: string) => join(dir, `${key}${ENTRY_EXT}`);
export const hitsFile = (dir: string, key: string) => join(dir, `${key}.hits`);

const host = () => hostname().replace(/[^A-Za-z0-9-]/g, '_');

/** A fresh temp name for a build of `key` in this process. */
export function tempName(dir: string, key: string, ext: 'part' | 'spill'): string {
  mkdirSync(join(dir, TMP), { recursive: true });
  return join(dir, TMP, `${key}.${host()}.${process.pid}.${randomBytes(4).toString('hex')}.${ext}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files of builds that can no longer finish: this host's whose process is gone,
 * other hosts' older than a day. Returns how many were removed.
 */
export function cleanTemps(dir: string): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(join(dir, TMP));
  } catch {
    return 0;
  }
  for (const n of names) {
    const m = /^[0-9a-f]+\.([^.]+)\.(\d+)\.[0-9a-f]+\.(part|spill)$/.exec(n);
    const file = join(dir, TMP, n);
    let stale: boolean;
    if (!m) stale = true;
    else if (m[1] === host()) stale = Number(m[2]) !== process.pid && !alive(Number(m[2]));
    else {
      try {
        stale = Date.now() - statSync(file).mtimeMs > FOREIGN_TEMP_AGE_MS;
      } catch {
        stale = false;
      }
    }
    if (!stale) continue;
    rmSync(file, { force: true });
    removed++;
  }
  return removed;
}

/** `n` bytes at `pos`; a file shorter than that is a damaged entry. */
export function readExactly(fd: number, n: number, pos: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let got = 0;
  while (got < n) {
    const r = readSync(fd, b, got, n - got, pos + got);
    if (r <= 0) throw new CorruptCacheError('cache file is shorter than its index says');
    got += r;
  }
  return b;
}

/** An entry's prefix and header, checked (magic, version, crc32); throws CorruptCacheError. */
export function readHeaderAt(fd: number): { p: Prefix; header: Header } {
  const p = readPrefix(readExactly(fd, PREFIX, 0));
  if (!p) throw new CorruptCacheError('not a time-series cache file of this version');
  const hb = readExactly(fd, p.headerLen, p.tail);
  if (crc32(hb) !== p.headerCrc) throw new CorruptCacheError('header checksum mismatch');
  try {
    return { p, header: decodeHeader(hb) };
  } catch (e) {
    throw new CorruptCacheError(`header does not parse: ${(e as Error).message}`);
  }
}

/** The header of an entry file, or null when it is not one (or damaged). Reads only its start. */
export function readHeaderOf(file: string): Header | null {
  let fd = -1;
  try {
    fd = openSync(file, 'r');
    return readHeaderAt(fd).header;
  } catch {
    return null;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

export interface EntryStat {
  key: string;
  file: string;
  bytes: number;
  /** When the entry file was written (its build), ms since the epoch. */
  builtMs: number;
  hits: number;
  lastHit: Date | null;
}

export interface EntryInfo extends EntryStat {
  header: Header | null;
}

/** The entries with their sizes and uses, from stat alone (eviction needs no more). */
export function entryStats(dir: string): EntryStat[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: EntryStat[] = [];
  for (const n of names) {
    if (!n.endsWith(ENTRY_EXT)) continue;
    const key = n.slice(0, -ENTRY_EXT.length);
    const file = join(dir, n);
    let st;
    try {
      st = statSync(file);
    } catch {
      continue; // dropped meanwhile
    }
    let hits = 0;
    let lastHit: Date | null = null;
    try {
      const h = statSync(hitsFile(dir, key));
      hits = h.size;
      lastHit = h.mtime;
    } catch {
      /* never used */
    }
    out.push({ key, file, bytes: st.size, builtMs: st.mtimeMs, hits, lastHit });
  }
  return out;
}

/** The entries with their headers (null: not an entry of this version, or damaged). */
export function listEntries(dir: string): EntryInfo[] {
  return entryStats(dir).map((e) => ({ ...e, header: readHeaderOf(e.file) }));
}

/** Counts one use of an entry. */
export function recordHit(dir: string, key: string) {
  try {
    appendFileSync(hitsFile(dir, key), '.');
  } catch {
    /* a read-only cache still answers */
  }
}

/**
 * Removes an entry. With `onlyIfFd`, only when the entry file is still the one that descriptor
 * has open (a rebuild renamed meanwhile is left alone).
 */
export function dropEntry(dir: string, key: string, onlyIfFd?: number): void {
  const file = entryFile(dir, key);
  if (onlyIfFd !== undefined) {
    try {
      const a = fstatSync(onlyIfFd);
      const b = statSync(file);
      if (a.ino !== b.ino || a.dev !== b.dev) return;
    } catch {
      return;
    }
  }
  for (const f of [file, hitsFile(dir, key)]) {
    try {
      unlinkSync(f);
    } catch {
      /* gone already */
    }
  }
}
