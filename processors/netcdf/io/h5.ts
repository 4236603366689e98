/**
 * h5wasm, loaded once per thread. HDF5 runs inside WebAssembly here, so a malformed file traps
 * in the sandbox (an exception in JS) instead of taking the process down, and every piscina
 * thread gets its own instance (no process-wide lock as with GDAL's netCDF driver).
 */
import * as h5 from 'h5wasm/node';

let ready: Promise<typeof h5> | null = null;

export function loadH5(): Promise<typeof h5> {
  ready ??= h5.ready.then(() => h5);
  return ready;
}

export type H5 = typeof h5;
