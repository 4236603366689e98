/**
 * One folder of the data root: names, sizes and times from stat alone (no file is opened), so a
 * folder of thousands of files lists quickly; metadata is read per file by GET /data/info.
 * Hidden entries (dot files: partial copies, editor files) are left out, and so are symlinks
 * whose target is missing or outside the root — the browser shows only what a job may read.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { formatOf, type DataFormat } from './formats.js';
import { isInside } from './resolve.js';

export interface Entry {
  name: string;
  path: string;
  type: 'dir' | 'file';
  size: number;
  modified: string;
  format?: DataFormat;
}

/** More is not a folder a person browses; the answer says it was cut. */
export const MAX_ENTRIES = 10_000;

export async function listFolder(realRoot: string, absDir: string, relDir: string): Promise<{ entries: Entry[]; truncated: boolean }> {
  const dirents = (await readdir(absDir, { withFileTypes: true })).filter((d) => !d.name.startsWith('.'));
  const entries = await Promise.all(
    dirents.map(async (d): Promise<Entry | null> => {
      const abs = join(absDir, d.name);
      try {
        if (d.isSymbolicLink() && !isInside(realRoot, await realpath(abs))) return null;
        const st = await stat(abs);
        if (!st.isFile() && !st.isDirectory()) return null; // sockets, fifos, devices
        const type = st.isDirectory() ? 'dir' : 'file';
        const format = type === 'file' ? formatOf(d.name) : undefined;
        return { name: d.name, path: relDir ? `${relDir}/${d.name}` : d.name, type, size: type === 'file' ? st.size : 0, modified: st.mtime.toISOString(), ...(format ? { format } : {}) };
      } catch {
        return null; // vanished while listing, or a dangling link
      }
    }),
  );
  const kept = entries.filter((e): e is Entry => e !== null);
  kept.sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name, 'en', { numeric: true }) : a.type === 'dir' ? -1 : 1));
  return { entries: kept.slice(0, MAX_ENTRIES), truncated: kept.length > MAX_ENTRIES };
}
