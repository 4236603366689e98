/**
 * Disk use of the state and results folders for GET /admin/stats: bytes allocated below each
 * (like `du`, symlinks not followed) and bytes free on its file system. Walking a folder costs
 * one lstat per file, so a result is reused for 10 s and concurrent requests share one walk.
 * The results folder is counted apart even when it lies inside the state folder (the default):
 * `state` is everything else there.
 */
import { lstat, readdir, statfs } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';

export interface FolderUsage {
  bytes: number;
  free: number;
}

const CACHE_MS = 10_000;

async function du(dir: string, skip: string | null): Promise<number> {
  let total = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      continue; // removed meanwhile (a job purged) or unreadable: not ours to count
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (p === skip) continue;
      if (e.isDirectory()) stack.push(p);
      try {
        const st = await lstat(p);
        total += st.blocks ? st.blocks * 512 : st.size;
      } catch {
        /* gone */
      }
    }
  }
  return total;
}

async function free(dir: string): Promise<number> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return 0;
  }
}

export class DiskUsage {
  private cached: { at: number; value: { state: FolderUsage; results: FolderUsage } } | null = null;
  private pending: Promise<{ state: FolderUsage; results: FolderUsage }> | null = null;
  private readonly state: string;
  private readonly results: string;

  constructor(stateDir: string, resultsDir: string) {
    this.state = resolve(stateDir);
    this.results = resolve(resultsDir);
  }

  get(): Promise<{ state: FolderUsage; results: FolderUsage }> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return Promise.resolve(this.cached.value);
    this.pending ??= this.measure().finally(() => (this.pending = null));
    return this.pending;
  }

  private async measure() {
    const rel = relative(this.state, this.results);
    const nested = rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep);
    const [stateBytes, resultBytes, stateFree, resultsFree] = await Promise.all([
      du(this.state, nested ? this.results : null),
      rel === '' ? Promise.resolve(0) : du(this.results, null),
      free(this.state),
      free(this.results),
    ]);
    const value = { state: { bytes: stateBytes, free: stateFree }, results: { bytes: resultBytes, free: resultsFree } };
    this.cached = { at: Date.now(), value };
    return value;
  }
}
