/**
 * Unpacks the runtime tarball into <root>/<hash>/ exactly once. Extraction goes to a private
 * temporary directory that is renamed into place when complete, so a second process starting at
 * the same moment either wins the rename or finds the finished directory — never a half one.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar';

export function unpackOnce(root: string, hash: string, read: () => Uint8Array): string {
  const dir = join(root, hash);
  if (existsSync(join(dir, '.complete'))) return dir;
  mkdirSync(root, { recursive: true });
  const tmp = join(root, `.tmp-${hash.slice(0, 12)}-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(tmp);
    const archive = `${tmp}.tar.gz`;
    writeFileSync(archive, read());
    try {
      tar.x({ file: archive, cwd: tmp, sync: true, strict: true });
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
