/**
 * The world-atlas topologies, read from disk on first use. Imported statically, their JSON would
 * be parsed at load in every thread that bundles this code (API and each idle worker: ~10 MB of
 * heap each) although only a job with a country or land mask needs them. The build copies them
 * beside the bundles (dist/world-atlas/, also inside the single executable's runtime); from the
 * sources they resolve in node_modules.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Topology } from 'topojson-specification';

export type TopologyName = 'countries-50m' | 'land-50m';
const loaded = new Map<TopologyName, Topology>();

function fileOf(name: TopologyName): string {
  const beside = join(dirname(fileURLToPath(import.meta.url)), 'world-atlas', `${name}.json`);
  return existsSync(beside) ? beside : createRequire(import.meta.url).resolve(`world-atlas/${name}.json`);
}

export function topology(name: TopologyName): Topology {
  let t = loaded.get(name);
  if (!t) {
    t = JSON.parse(readFileSync(fileOf(name), 'utf8')) as Topology;
    loaded.set(name, t);
  }
  return t;
}
