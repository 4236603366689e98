/**
 * Builds the frozen Config from the environment and an optional env-file (the process environment
 * wins, as with dotenv: an operator can override one setting for one run without editing the file). Every error names its key; start-up
 * turns a ConfigError into exit code 2.
 */
import { resolve } from 'node:path';
import { readEnvFile } from './envfile.js';
import { SETTINGS, type Config } from './table.js';

export class ConfigError extends Error {
  constructor(public readonly key: string, message: string) {
    super(`${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

const PATH_KEYS = new Set(['stateDir', 'dataRoot', 'resultsDir']);
const KNOWN = new Set(Object.values(SETTINGS).map((s) => s.key));

export function loadConfig(env: Record<string, string | undefined> = process.env, envFile?: string): Config {
  let fileVars: Record<string, string> = {};
  if (envFile) {
    try {
      fileVars = readEnvFile(envFile);
    } catch (e) {
      throw new ConfigError('--env-file', (e as Error).message);
    }
  }
  const merged: Record<string, string | undefined> = { ...fileVars, ...env };
  for (const k of Object.keys(merged)) {
    if (k.startsWith('SUBSETD_') && !KNOWN.has(k)) throw new ConfigError(k, 'unknown setting (see `subsetd config`)');
  }
  const out: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(SETTINGS)) {
    const rawValue = merged[setting.key];
    const raw = rawValue !== undefined && rawValue !== '' ? rawValue : typeof setting.default === 'function' ? setting.default(out) : setting.default;
    if (raw === undefined) {
      out[name] = undefined;
      continue;
    }
    try {
      let v = (setting.parse as (v: string) => unknown)(raw);
      if (PATH_KEYS.has(name)) v = resolve(v as string);
      out[name] = v;
    } catch (e) {
      throw new ConfigError(setting.key, (e as Error).message);
    }
  }
  return Object.freeze(out) as Config;
}

/** The effective configuration as KEY=VALUE lines, secrets masked. */
export function describeConfig(config: Config): string {
  return Object.entries(SETTINGS)
    .map(([name, setting]) => {
      const v = (config as Record<string, unknown>)[name];
      if (v === undefined) return `# ${setting.key} (unset)`;
      const format = setting.format as ((x: unknown) => string) | undefined;
      const text = format ? format(v) : Array.isArray(v) ? v.join(',') : String(v);
      const shown = setting.secret ? (setting.show ? setting.show(text) : '***') : text;
      return `${setting.key}=${shown}`;
    })
    .join('\n');
}
