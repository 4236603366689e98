/**
 * Where the single executable unpacks its runtime. The directory holds code this process will
 * run, so it must belong to the current user: root never runs code from the service user's
 * cache, and the service never runs code another account could have written.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** The packaged install's cache (systemd CacheDirectory=subsetd). */
export const SERVICE_CACHE = '/var/cache/subsetd';

function ownedAndWritable(dir: string): boolean {
  try {
    const st = statSync(dir);
    accessSync(dir, constants.W_OK);
    return st.isDirectory() && st.uid === process.getuid?.();
  } catch {
    return false;
  }
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SUBSETD_CACHE_DIR) return env.SUBSETD_CACHE_DIR;
  // `sudo -u subsetd subsetd backup …` reuses the service's unpacked runtime instead of a second copy.
  if (ownedAndWritable(SERVICE_CACHE)) return SERVICE_CACHE;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'subsetd');
  const home = env.HOME || homedir();
  if (home && home !== '/' && ownedAndWritable(home)) return join(home, '.cache', 'subsetd');
  // System users without a home of their own: a per-user directory under /tmp.
  return join(tmpdir(), `subsetd-cache-${process.getuid?.() ?? 'user'}`);
}

/** Refuses a cache directory someone else controls (its files would run as us). */
export function assertTrusted(dir: string): void {
  const st = statSync(dir);
  const uid = process.getuid?.();
  if (uid === undefined) return;
  if (st.uid !== uid && st.uid !== 0) throw new Error(`${dir} belongs to uid ${st.uid}, not to this user (${uid}); set SUBSETD_CACHE_DIR to a directory of your own`);
  if (st.mode & 0o022) throw new Error(`${dir} is writable by group or others; fix its mode (chmod go-w) or set SUBSETD_CACHE_DIR`);
}
