/**
 * `subsetd cache build PATH... [--var NAME] [--memory SIZE]`  build the time-series cache of files
 *                                     (paths relative to the data root) now; exit 0 when all are done
 * `subsetd cache list [--json]`       entries: source, variable, size, built time, hits, last use, state
 * `subsetd cache drop PATH...|--all`  remove the entries of files, or every entry
 * The cache lives in SUBSETD_TS_CACHE_DIR (docs/ts-cache.md).
 */
import { realpathSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSize } from '../config/parse.js';
import { resolveDataFile } from '../processes/data-path.js';
import { InputError } from '../processes/types.js';
import { cleanTemps, DEFAULT_MEMORY, dropEntry, listEntries, TsCache, type EntryInfo } from '../../processors/netcdf/ts-cache/index.js';
import { ensureFile } from '../../processors/netcdf/ts-cache/build-worker.js';
import { configFrom, UsageError, type Runtime } from './common.js';

const USAGE = `subsetd cache build PATH... [--var NAME] [--memory SIZE]
subsetd cache list [--json]
subsetd cache drop PATH...|--all`;

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: { 'env-file': { type: 'string' }, json: { type: 'boolean' }, all: { type: 'boolean' }, var: { type: 'string', multiple: true }, memory: { type: 'string' } },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
}

/** An entry's state, without changing anything: ok, stale (its source changed or is gone) or damaged. */
function stateOf(e: EntryInfo): 'ok' | 'stale' | 'damaged' {
  let c: TsCache;
  try {
    c = TsCache.open(e.file);
  } catch {
    return 'damaged';
  }
  try {
    return c.sourceMatches() ? 'ok' : 'stale';
  } finally {
    c.close();
  }
}

export async function cacheCommand(argv: string[], _rt: Runtime): Promise<number> {
  const { values, positionals } = parse(argv.slice(1));
  const [sub, ...paths] = positionals;
  const config = configFrom(values);
  const dir = resolve(config.tsCacheDir);
  const root = resolve(config.dataRoot);
  const shown = (abs: string) => {
    let r = abs;
    try {
      r = relative(realpathSync(root), abs);
    } catch {
      r = relative(root, abs);
    }
    return r.startsWith('..') ? abs : r;
  };

  if (sub === 'build') {
    if (!paths.length) throw new UsageError(`cache build needs at least one PATH (relative to the data root)\n${USAGE}`);
    let memory = DEFAULT_MEMORY;
    if (values.memory !== undefined) {
      try {
        memory = parseSize(values.memory);
      } catch (e) {
        throw new UsageError(`--memory: ${(e as Error).message}`);
      }
      if (memory < 1024 * 1024) throw new UsageError('--memory: at least 1MB');
    }
    const tty = process.stderr.isTTY;
    let failed = 0;
    for (const rel of paths) {
      let abs: string;
      try {
        abs = resolveDataFile(root, rel, 'PATH');
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        console.error(`subsetd: ${rel}: ${e.message}`);
        failed++;
        continue;
      }
      let last = -1;
      try {
        // Within SUBSETD_TS_CACHE_MAX and SUBSETD_MIN_FREE_DISK, as the service's builds
        // (evict.ts): least recently used entries go first; a variable that cannot fit is skipped.
        const res = await ensureFile(abs, {
          dir,
          memory,
          variables: values.var,
          force: true,
          bounds: { maxBytes: config.tsCacheMax, minFreeBytes: config.minFreeDisk },
          onProgress: (f) => {
            const pct = Math.floor(f * 100);
            if (tty && pct !== last) process.stderr.write(`\r${rel}: ${pct}%`);
            last = pct;
          },
        });
        if (tty) process.stderr.write('\r\x1b[K');
        for (const r of res.built)
          console.log(`${rel} ${r.variable}: ${mb(r.bytes)} (${(r.bytes / r.sourceBytes).toFixed(2)}× the source) in ${r.seconds.toFixed(1)} s`);
        if (res.evicted.length) console.log(`evicted ${res.evicted.length} least recently used entries (SUBSETD_TS_CACHE_MAX / SUBSETD_MIN_FREE_DISK)`);
        for (const k of res.skipped) {
          console.error(`subsetd: ${rel} ${k.variable}: not built: ${k.reason}`);
          failed++;
        }
      } catch (e) {
        if (tty) process.stderr.write('\r\x1b[K');
        console.error(`subsetd: ${rel}: ${(e as Error).message}`);
        failed++;
      }
    }
    return failed ? 1 : 0;
  }

  if (sub === 'list') {
    if (paths.length) throw new UsageError(USAGE);
    cleanTemps(dir);
    const rows = listEntries(dir).map((e) => ({
      source: e.header ? shown(e.header.source.path) : null,
      variable: e.header?.variable.name ?? null,
      bytes: e.bytes,
      sourceBytes: e.header?.source.size ?? null,
      built: e.header?.build.at ?? null,
      hits: e.hits,
      lastHit: e.lastHit?.toISOString() ?? null,
      state: stateOf(e),
      file: e.file,
    }));
    rows.sort((a, b) => `${a.source}\0${a.variable}`.localeCompare(`${b.source}\0${b.variable}`));
    if (values.json) {
      console.log(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (!rows.length) {
      console.log(`no entries in ${dir}`);
      return 0;
    }
    const table = [['SOURCE', 'VARIABLE', 'SIZE', 'BUILT', 'HITS', 'LAST USE', 'STATE'], ...rows.map((r) => [r.source ?? '?', r.variable ?? '?', mb(r.bytes), r.built ?? '?', String(r.hits), r.lastHit ?? 'never', r.state])];
    const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
    for (const row of table) console.log(row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
    const total = rows.reduce((t, r) => t + r.bytes, 0);
    console.log(`${rows.length} entries, ${mb(total)}${config.tsCacheMax ? ` of SUBSETD_TS_CACHE_MAX ${mb(config.tsCacheMax)}` : ''}`);
    return 0;
  }

  if (sub === 'drop') {
    if (values.all === !!paths.length) throw new UsageError(`cache drop takes PATH... or --all\n${USAGE}`);
    // Temp files of builds still running are left alone: those builds finish as usual.
    cleanTemps(dir);
    const entries = listEntries(dir);
    if (values.all) {
      for (const e of entries) dropEntry(dir, e.key);
      console.log(`dropped ${entries.length} entries`);
      return 0;
    }
    let dropped = 0;
    let missing = 0;
    for (const rel of paths) {
      if (rel.split(/[\\/]+/).includes('..') || rel.startsWith('/')) throw new UsageError(`${rel}: give a path relative to the data root, without ".."`);
      // The source may be gone already: match its real path if it exists, else the path as named.
      const names = new Set([resolve(root, rel)]);
      try {
        names.add(resolve(realpathSync(root), rel));
        names.add(realpathSync(resolve(root, rel)));
      } catch {
        /* gone */
      }
      const hit = entries.filter((e) => e.header && names.has(e.header.source.path));
      for (const e of hit) dropEntry(dir, e.key);
      if (!hit.length) {
        console.error(`subsetd: ${rel}: no cache entry`);
        missing++;
      }
      dropped += hit.length;
    }
    console.log(`dropped ${dropped} entries`);
    return missing ? 1 : 0;
  }

  throw new UsageError(USAGE);
}
