/**
 * Entry of the single executable (dist/subsetd). Inside an SEA `require` loads only built-ins,
 * so the executable is a self-extracting launcher: its runtime (the esbuild bundles, native
 * addons and their loaders) is unpacked once per content hash into a cache directory, and the
 * CLI bundle is then loaded from there like any file on disk — worker threads, piscina's
 * bootstrap and the addons resolve exactly as they do from the repository.
 */
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { getAsset } from 'node:sea';
import { unpackOnce } from './unpack.js';

function cacheRoot(): string {
  if (process.env.SUBSETD_CACHE_DIR) return process.env.SUBSETD_CACHE_DIR;
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, 'subsetd');
  return process.getuid?.() === 0 ? '/var/cache/subsetd' : join(homedir(), '.cache', 'subsetd');
}

const hash = getAsset('runtime.sha256', 'utf8').trim();
const dir = unpackOnce(cacheRoot(), hash, () => new Uint8Array(getAsset('runtime.tar.gz')));
// An SEA's argv is [execPath, argv0, ...args]: the node layout the CLI bundle expects.
createRequire(join(dir, 'dist', 'subsetd.cjs'))(join(dir, 'dist', 'subsetd.cjs'));
