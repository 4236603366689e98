/**
 * h5wasm, loaded once per thread, on first use. HDF5 runs inside WebAssembly here, so a malformed
 * file traps in the sandbox (an exception in JS) instead of taking the process down, and every
 * piscina thread gets its own instance (no process-wide lock as with GDAL's netCDF driver).
 * The import is dynamic on purpose: the module instantiates its ~4 MB WebAssembly at load, which
 * costs ~40 MB of RSS in every thread that evaluates it; bundled statically, that would be every
 * thread of the service (API and idle workers) whether or not it ever opens a NetCDF-4 file.
 */
import type * as H5Module from 'h5wasm/node';

export type H5 = typeof H5Module;
let ready: Promise<H5> | null = null;

export function loadH5(): Promise<H5> {
  ready ??= import('h5wasm/node').then(async (h5) => {
    await h5.ready;
    return h5;
  });
  return ready;
}
