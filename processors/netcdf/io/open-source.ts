/** Opens an input by its magic bytes, not its name: CDF\x01/\x02/\x05 is NetCDF-3, \x89HDF NetCDF-4. */
import { closeSync, openSync, readSync } from 'node:fs';
import type { Source } from '../model.js';
import { Nc3Source } from './nc3-source.js';
import { Nc4Source } from './nc4-source.js';

export type Kind = 'NetCDF-3' | 'NetCDF-4' | null;

export function sniff(path: string): Kind {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(8);
    const n = readSync(fd, b, 0, 8, 0);
    if (n >= 4 && b.toString('latin1', 0, 3) === 'CDF' && [1, 2, 5].includes(b[3])) return 'NetCDF-3';
    if (n === 8 && b.equals(Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'NetCDF-4';
    return null;
  } finally {
    closeSync(fd);
  }
}

export async function openSource(path: string): Promise<Source> {
  const kind = sniff(path);
  if (kind === 'NetCDF-3') return new Nc3Source(path);
  if (kind === 'NetCDF-4') return Nc4Source.open(path);
  throw new Error('not a NetCDF file (neither NetCDF-3 nor HDF5 signature)');
}
