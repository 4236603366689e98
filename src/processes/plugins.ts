/**
 * A site's own processors: every module in SUBSETD_PLUGIN_DIR (files ending .js, .cjs or .mjs,
 * and folders with an index.js/.cjs/.mjs), then the files SUBSETD_PLUGINS names. The list is
 * resolved once at start-up and handed to the worker threads, so a file dropped in later is
 * picked up at the next start, never half-way.
 */
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Config } from '../config/table.js';

/** A plugin that cannot be used: start-up stops (exit 2) naming its file and the reason. */
export class PluginError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`plugin ${file}: ${reason}`);
    this.name = 'PluginError';
  }
}

const MODULE = /\.(c|m)?js$/;

export function pluginFiles(config: Pick<Config, 'pluginDir' | 'plugins'>): string[] {
  const out: string[] = [];
  if (config.pluginDir) {
    const dir = resolve(config.pluginDir);
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      throw new PluginError(dir, `cannot read SUBSETD_PLUGIN_DIR: ${(e as Error).message}`);
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        const index = ['index.js', 'index.cjs', 'index.mjs'].map((f) => join(path, f)).find((f) => statSync(f, { throwIfNoEntry: false })?.isFile());
        if (index) out.push(index);
      } else if (MODULE.test(name)) out.push(path);
    }
  }
  for (const p of config.plugins) out.push(isAbsolute(p) ? p : resolve(p));
  return out;
}
