/**
 * All processor families: the ones built in (found by scripts/build.mjs, which globs
 * processors/<family>/index.ts into families.generated.ts) plus SUBSETD_PLUGINS modules.
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import { BUILT_IN_FAMILIES } from './families.generated.js';
import type { ProcessorFamily } from './types.js';

export async function loadFamilies(plugins: readonly string[] = []): Promise<ProcessorFamily[]> {
  const out: ProcessorFamily[] = [...BUILT_IN_FAMILIES];
  for (const p of plugins) {
    const file = isAbsolute(p) ? p : resolve(p);
    let mod: { default?: unknown };
    try {
      mod = await import(pathToFileURL(file).href);
    } catch (e) {
      throw new Error(`SUBSETD_PLUGINS: cannot load ${file}: ${(e as Error).message}`);
    }
    // CommonJS plugins come through import() as { default: module.exports }.
    let fam = mod.default as ProcessorFamily & { default?: ProcessorFamily };
    if (fam && !Array.isArray(fam.processes) && fam.default) fam = fam.default;
    if (!fam || !Array.isArray(fam.processes)) throw new Error(`SUBSETD_PLUGINS: ${file} does not export a processor family { name, processes }`);
    out.push(fam);
  }
  return out;
}
