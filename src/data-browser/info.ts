/**
 * GET /data/info: NetCDF (recognised by its magic bytes, not its name) through netcdf-subset's
 * reader in this thread; everything else through a GDAL child process, never GDAL in the API
 * process. Results are cached per file identity (path + mtime + size + inode), bounded; a file
 * being read by one request is not read again by a concurrent one.
 */
import type { Stats } from 'node:fs';
import { gdalChild, GdalOpError } from '../gdal/child-client.js';
import type { RasterInfo, VectorInfo } from '../gdal/ops/describe.js';
import { sniff } from '../../processors/netcdf/io/open-source.js';
import { ApiError, badParameter } from '../server/problem.js';
import { fileKey, Lru } from './lru.js';
import { netcdfInfo, type NetcdfInfo } from './netcdf-info.js';

export type DataInfo = NetcdfInfo | RasterInfo | VectorInfo;

const cache = new Lru<Promise<DataInfo>>(512);
/** A GDAL read that takes longer is a file to give up on (the child is replaced). */
const GDAL_TIMEOUT_MS = 20_000;

export function dataInfo(abs: string, rel: string, st: Stats): Promise<DataInfo> {
  const key = fileKey(abs, st);
  let p = cache.get(key);
  if (!p) {
    p = read(abs).catch((e) => {
      // Messages name the file as the client does: the server's own paths stay private.
      if (e instanceof Error) e.message = e.message.replaceAll(abs, rel);
      if (e instanceof ApiError && typeof e.extra.field === 'string') throw new ApiError(e.status, e.type, e.title, e.detail?.replaceAll(abs, rel), e.extra);
      throw e;
    });
    cache.set(key, p);
    // Failures are not remembered: the next request tries again (a file still being copied).
    const mine = p;
    mine.catch(() => {
      if (cache.peek(key) === mine) cache.delete(key);
    });
  }
  return p;
}

async function read(abs: string): Promise<DataInfo> {
  let kind;
  try {
    kind = sniff(abs);
  } catch (e) {
    throw badParameter('path', `cannot be read: ${(e as Error).message}`);
  }
  if (kind) {
    try {
      return await netcdfInfo(abs);
    } catch (e) {
      throw badParameter('path', `a ${kind} file whose metadata cannot be read: ${(e as Error).message}`);
    }
  }
  try {
    return await gdalChild().run<RasterInfo | VectorInfo>('describe', { path: abs }, { signal: AbortSignal.timeout(GDAL_TIMEOUT_MS) });
  } catch (e) {
    if (e instanceof GdalOpError && e.input) throw badParameter('path', e.message);
    // The child died on this file (a crash in a driver): the file is what is wrong with the request.
    if (e instanceof GdalOpError) throw badParameter('path', `GDAL could not read it: ${e.message}`);
    if ((e as Error).name === 'TimeoutError') throw badParameter('path', `GDAL did not finish reading it within ${GDAL_TIMEOUT_MS / 1000} s`);
    throw e;
  }
}
