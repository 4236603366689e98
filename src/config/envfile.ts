/**
 * Reads an env-file in systemd `EnvironmentFile=` syntax, so one file serves the unit and
 * `subsetd --env-file`: KEY=VALUE lines, '#' or ';' comments, optional single or double quotes,
 * backslash line continuation.
 */
import { readFileSync } from 'node:fs';

export function parseEnvFile(text: string, source = 'env-file'): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/\\\r?\n/g, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`${source}:${i + 1}: expected KEY=VALUE`);
    const key = line.slice(0, eq).trim().replace(/^export\s+/, '');
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`${source}:${i + 1}: bad key "${key}"`);
    let value = line.slice(eq + 1).trim();
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\(["\\$`])/g, '$1').replace(/\\n/g, '\n');
    }
    out[key] = value;
  });
  return out;
}

export function readEnvFile(path: string): Record<string, string> {
  return parseEnvFile(readFileSync(path, 'utf8'), path);
}
