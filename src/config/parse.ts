/** Parsers for config values. Each throws a message without the key; the loader adds the key. */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** "90", "90s", "15m", "7d", "250ms" -> milliseconds. A bare number means seconds (systemd style). */
export function parseDuration(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(v);
  if (!m) throw new Error(`"${v}" is not a duration (examples: 30s, 15m, 7d)`);
  return Math.round(Number(m[1]) * DURATION_UNITS[(m[2] ?? 's').toLowerCase()]);
}

/** "100MB", "1g", "512k", "1048576" -> bytes. */
export function parseSize(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?b?)\s*$/i.exec(v);
  if (!m) throw new Error(`"${v}" is not a size (examples: 100MB, 1G, 512k)`);
  return Math.round(Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()]);
}

export function parseInteger(min: number, max: number) {
  return (v: string): number => {
    if (!/^\s*-?\d+\s*$/.test(v)) throw new Error(`"${v}" is not a whole number`);
    const n = Number(v);
    if (n < min || n > max) throw new Error(`${n} is outside ${min}..${max}`);
    return n;
  };
}

/** `1440,720` -> [1440, 720]: a pair of whole numbers (grid sizes: longitudes, latitudes). */
export function parsePair(min: number, max: number) {
  const one = parseInteger(min, max);
  return (v: string): [number, number] => {
    const parts = v.split(',');
    if (parts.length !== 2) throw new Error(`"${v}" is not two whole numbers separated by a comma (e.g. 1440,720)`);
    return [one(parts[0]), one(parts[1])];
  };
}

/** `a, b,,c` -> ['a', 'b', 'c']: a comma-separated list, blanks dropped. */
export function parseList(v: string): string[] {
  return v.split(',').map((x) => x.trim()).filter(Boolean);
}

/** `a=1,b=2` -> { a: 1, b: 2 }: whole numbers >= 1 per name (names are checked later, against the registry). */
export function parseCounts(v: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of parseList(v)) {
    const m = /^([^=\s]+)\s*=\s*(\d+)$/.exec(part);
    if (!m || Number(m[2]) < 1) throw new Error(`"${part}" is not PROCESS=N with N >= 1 (e.g. clip-raster=1,netcdf-subset=2)`);
    if (m[1] in out) throw new Error(`"${m[1]}" is given twice`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** A listen address as HOST:PORT again (IPv6 in brackets), '' for none: parseListenAddr's inverse. */
export function listenAddrText(a: { host: string; port: number } | null): string {
  return a ? `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}` : '';
}

/** HOST:PORT ("[::1]:9464" for IPv6), or empty for none. */
export function parseListenAddr(v: string): { host: string; port: number } | null {
  if (!v.trim()) return null;
  const m = /^\s*(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):(\d+)\s*$/.exec(v);
  if (!m) throw new Error(`"${v}" is not HOST:PORT (e.g. 127.0.0.1:9464 or [::1]:9464)`);
  const port = Number(m[2]);
  if (port > 65535) throw new Error(`port ${port} is outside 0..65535`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

export function parseBool(v: string): boolean {
  const s = v.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
  throw new Error(`"${v}" is not a boolean (use 1/0, true/false)`);
}

export function parseUrl(protocols: string[]) {
  return (v: string): string => {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      throw new Error(`"${maskUrl(v)}" is not a URL`);
    }
    if (!protocols.includes(u.protocol)) throw new Error(`"${maskUrl(v)}" must use ${protocols.join(' or ')}`);
    return v.replace(/\/+$/, '');
  };
}

export function oneOf<T extends string>(values: readonly T[]) {
  return (v: string): T => {
    if (!values.includes(v as T)) throw new Error(`"${v}" is not one of ${values.join(', ')}`);
    return v as T;
  };
}

/** Hides a password in a URL so it can be logged or shown. */
export function maskUrl(v: string): string {
  return v.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}
