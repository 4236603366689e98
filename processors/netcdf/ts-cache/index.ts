/** The time-series cache (docs/ts-cache.md): NetCDF variables re-chunked along time, per source file. */
export { buildCache, buildVariable, cacheableVars, DEFAULT_MEMORY, MIN_CHUNK_PLANES, type BuildOptions, type BuildResult } from './build.js';
export { openValidEntry, pointSeriesFromCache, TsCache } from './read.js';
export { cleanTemps, defaultCacheDir, dropEntry, entryFile, entryKey, listEntries, realSource, type EntryInfo } from './store.js';
export { RegionCachedSource, withPointCache, withRegionCache } from './region-hook.js';
export { BLOCK, CorruptCacheError, type Header } from './format.js';
