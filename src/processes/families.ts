/**
 * All processor families: the ones built in (found by scripts/build.mjs, which globs
 * processors/<family>/index.ts into families.generated.ts) plus the plugin modules
 * (src/processes/plugins.ts), each checked as it loads so a bad one is named by its file.
 */
import { pathToFileURL } from 'node:url';
import { BUILT_IN_FAMILIES } from './families.generated.js';
import { PluginError } from './plugins.js';
import { ProcessRegistry } from './registry.js';
import type { ProcessorFamily } from './types.js';

const CONTROL = new Set(['sync-execute', 'async-execute', 'dismiss']);
const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export async function loadFamilies(files: readonly string[] = []): Promise<ProcessorFamily[]> {
  const out: ProcessorFamily[] = [...BUILT_IN_FAMILIES];
  for (const file of files) {
    let mod: { default?: unknown };
    try {
      mod = await import(pathToFileURL(file).href);
    } catch (e) {
      throw new PluginError(file, `cannot load: ${(e as Error).message}`);
    }
    // CommonJS plugins come through import() as { default: module.exports }.
    let fam = mod.default as ProcessorFamily & { default?: ProcessorFamily };
    if (fam && !Array.isArray(fam.processes) && fam.default) fam = fam.default;
    const problem = familyProblem(fam);
    if (problem) throw new PluginError(file, problem);
    // Compiles every schema and checks ids against the families loaded so far.
    try {
      new ProcessRegistry([...out, fam]);
    } catch (e) {
      throw new PluginError(file, (e as Error).message);
    }
    out.push(fam);
  }
  return out;
}

/** What is wrong with a plugin's export, or null. The messages name the process and field. */
function familyProblem(fam: unknown): string | null {
  const f = fam as Partial<ProcessorFamily> | undefined;
  if (!f || typeof f !== 'object' || !Array.isArray(f.processes)) return 'does not export a processor family { name, processes } (default export, or module.exports)';
  if (typeof f.name !== 'string' || !f.name) return 'the family has no name';
  if (!f.processes.length) return `family "${f.name}" has no processes`;
  for (const [i, p] of f.processes.entries()) {
    const d = p?.description;
    const at = `process ${typeof d?.id === 'string' ? `"${d.id}"` : `#${i}`}`;
    if (!d || typeof d !== 'object') return `${at}: no description`;
    if (typeof d.id !== 'string' || !ID.test(d.id)) return `${at}: description.id must be 1-64 lower-case letters, digits, ".", "_" or "-"`;
    for (const k of ['version', 'title'] as const) if (typeof d[k] !== 'string' || !d[k]) return `${at}: description.${k} must be a non-empty string`;
    if (!Array.isArray(d.jobControlOptions) || !d.jobControlOptions.length || d.jobControlOptions.some((o) => !CONTROL.has(o)))
      return `${at}: description.jobControlOptions must list some of sync-execute, async-execute, dismiss`;
    for (const k of ['inputs', 'outputs'] as const) {
      if (!d[k] || typeof d[k] !== 'object' || Array.isArray(d[k])) return `${at}: description.${k} must be an object`;
      for (const [name, v] of Object.entries(d[k])) if (!v || typeof v.schema !== 'object' || v.schema === null) return `${at}: description.${k}.${name}.schema must be a JSON Schema object`;
    }
    if (typeof p.execute !== 'function') return `${at}: execute must be a function`;
    if (p.validate !== undefined && typeof p.validate !== 'function') return `${at}: validate must be a function when given`;
  }
  return null;
}
