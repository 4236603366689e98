/**
 * Unpacks the runtime tarball into <root>/<hash>/ exactly once. Extraction goes to a private
 * temporary directory that is renamed into place when complete, so a second process starting at
 * the same moment either wins the rename or finds the finished directory — never a half one.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar';
import { assertTrusted } from './cache-dir.js';

// A temporary directory older than this belongs to a start that crashed mid-extraction.
const STALE_MS = 10 * 60_000;

function removeStaleTemps(root: string): void {
  for (const name of readdirSync(root)) {
    if (!name.startsWith('.tmp-')) continue;
    const p = join(root, name);
    try {
      if (Date.now() - statSync(p).mtimeMs > STALE_MS) rmSync(p, { recursive: true, force: true });
    } catch {
      /* another process removed it first */
    }
  }
}

export function unpackOnce(root: string, hash: string, read: () => Uint8Array): string {
  const dir = join(root, hash);
  if (existsSync(join(dir, '.complete'))) {
    assertTrusted(root);
    assertTrusted(dir);
    return dir;
  }
  mkdirSync(root, { recursive: true, mode: 0o755 });
  assertTrusted(root);
  removeStaleTemps(root);
  const tmp = join(root, `.tmp-${hash.slice(0, 12)}-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(tmp, { mode: 0o755 });
    const archive = `${tmp}.tar.gz`;
    writeFileSync(archive, read());
    try {
      // preserveOwner off: files belong to whoever unpacks, even root. preservePaths keeps the
      // one absolute symlink (gdal-async's GRIB tables -> /usr/share/gdal); the archive is our
      // own, carried inside this executable, and holds no absolute or `..` entry paths.
      tar.x({ file: archive, cwd: tmp, sync: true, strict: true, preserveOwner: false, preservePaths: true });
    } finally {
      rmSync(archive, { force: true });
    }
    writeFileSync(join(tmp, '.complete'), hash);
    try {
      renameSync(tmp, dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Another process finished first; theirs is identical (same hash).
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && existsSync(join(dir, '.complete'))) return dir;
      throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}
