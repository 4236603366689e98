/**
 * `subsetd boundaries import FILE --set NAME --id-field F --name-field F [--layer L]`
 * `subsetd boundaries list`
 * Reading happens in a GDAL child process (like the clips); the set replaces any earlier set
 * of that name in one transaction, so a running service sees the old set or the new one.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { BoundaryStore } from '../boundaries/store.js';
import { openStoreWithShippedSet } from '../boundaries/shipped.js';
import { cutAtAntimeridian } from '../boundaries/antimeridian-cut.js';
import { gdalChild } from '../gdal/child-client.js';
import type { ReadBoundariesResult } from '../gdal/ops/read-boundaries.js';
import { configFrom, UsageError, type Runtime } from './common.js';

const USAGE = 'subsetd boundaries import FILE --set NAME --id-field F --name-field F [--layer L] | subsetd boundaries list';

export async function boundariesCommand(argv: string[], _rt: Runtime): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { set: { type: 'string' }, 'id-field': { type: 'string' }, 'name-field': { type: 'string' }, layer: { type: 'string' }, 'env-file': { type: 'string' } },
  });
  const [, sub, file] = positionals;
  const config = configFrom(values);
  if (sub === 'list') {
    const store = openStoreWithShippedSet(config.stateDir);
    for (const s of store.sets()) console.log(`${s.name}\t${s.count}\t${s.source}\t${s.importedAt}`);
    store.close();
    return 0;
  }
  if (sub !== 'import' || !file) throw new UsageError(USAGE);
  const set = values.set;
  if (!set || !/^[A-Za-z0-9_-]{1,64}$/.test(set)) throw new UsageError('--set NAME is required (letters, digits, _ or -)');
  if (set === 'admin0') throw new UsageError('admin0 is the shipped set; import under another name');
  if (!values['id-field'] || !values['name-field']) throw new UsageError('--id-field and --name-field are required');
  const child = gdalChild();
  let read: ReadBoundariesResult;
  try {
    read = await child.run<ReadBoundariesResult>('read-boundaries', { file: resolve(file), idField: values['id-field'], nameField: values['name-field'], layer: values.layer });
  } catch (e) {
    console.error(`subsetd: cannot import ${file}: ${(e as Error).message}`);
    return 1;
  } finally {
    child.kill();
  }
  const seen = new Set<string>();
  for (const f of read.features) {
    if (seen.has(f.id.toLowerCase())) {
      console.error(`subsetd: cannot import ${file}: id "${f.id}" appears twice (field ${values['id-field']})`);
      return 1;
    }
    seen.add(f.id.toLowerCase());
  }
  const store = new BoundaryStore(BoundaryStore.fileIn(config.stateDir));
  const n = store.replaceSet(set, `${resolve(file)} (layer ${read.layer}, ${read.sourceCrs ?? 'no CRS'})`, new Date().toISOString(), read.features.map((f) => ({ id: f.id, name: f.name, parts: cutAtAntimeridian(f.parts), properties: { repaired: f.repaired } })));
  store.close();
  const repaired = read.features.filter((f) => f.repaired).map((f) => f.id);
  console.log(`imported ${n} boundaries into set "${set}" from ${file}${repaired.length ? `; repaired invalid geometries: ${repaired.join(', ')}` : ''}`);
  return 0;
}
