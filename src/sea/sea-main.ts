/**
 * Entry of the single executable (dist/subsetd). Inside an SEA `require` loads only built-ins,
 * so the executable is a self-extracting launcher: its runtime (the esbuild bundles, native
 * addons and their loaders) is unpacked once per content hash into a cache directory, and the
 * CLI bundle is then loaded from there like any file on disk — worker threads, piscina's
 * bootstrap and the addons resolve exactly as they do from the repository.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { getAsset } from 'node:sea';
import { cacheRoot } from './cache-dir.js';
import { unpackOnce } from './unpack.js';

let dir: string;
try {
  const hash = getAsset('runtime.sha256', 'utf8').trim();
  dir = unpackOnce(cacheRoot(), hash, () => new Uint8Array(getAsset('runtime.tar.gz')));
} catch (e) {
  // Exit code 2 like any other start-up configuration error, with the reason on one line.
  console.error(`subsetd: cannot unpack its runtime: ${(e as Error).message}`);
  process.exit(2);
}
// An SEA's argv is [execPath, argv0, ...args]: the node layout the CLI bundle expects.
createRequire(join(dir, 'dist', 'subsetd.cjs'))(join(dir, 'dist', 'subsetd.cjs'));
