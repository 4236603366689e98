/**
 * formatG (processors/netcdf/printf-g.ts) prints as C's printf("%.<p>g") does: compared with
 * Python's "%.*g" (correctly rounded, exact ties to even, as glibc) on float32 bit patterns of
 * every magnitude, values near the fixed/scientific switch, and exact ties, which the fast path
 * must hand to the exact one (263.15625 → 263.1562, 0.5 → 0.5, 2.5 at p = 1 → 2).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatG } from '../../processors/netcdf/printf-g.js';

function values(): number[] {
  let seed = 42;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const xs: number[] = [];
  for (let i = 0; i < 6000; i++) {
    u32[0] = (rnd() * 2 ** 32) >>> 0;
    if (Number.isFinite(f32[0])) xs.push(f32[0]);
  }
  // Exact ties at 7 digits (k/64 with 8 significant digits ending in 5), temperatures, powers of ten.
  for (let i = 0; i < 3000; i++) xs.push(Math.round(rnd() * 2e6) / 64 - 15000, Math.fround(200 + rnd() * 150), (rnd() - 0.5) * 10 ** (Math.floor(rnd() * 40) - 20));
  xs.push(263.15625, -263.15625, 0.5, 1.5, 2.5, 1234567.5, 9999999.5, 99999995, 1e-5, 0.0001, 0.00012345675, 123456789, 1e21, 5e-324, 1.7976931348623157e308, 1e20);
  return xs;
}

describe('formatG', () => {
  it.each([7, 15, 1, 3])('equals C printf %%.%ig on float32 patterns, ties and switch points', (p) => {
    const xs = values();
    const ref = execFileSync('python3', ['-c', `import sys\nfor l in sys.stdin: print("%.${p}g" % float(l))`], { input: xs.map((x) => x.toPrecision(17)).join('\n') + '\n' }).toString().trim().split('\n');
    const bad = xs.map((x, i) => [x, formatG(x, p), ref[i]]).filter(([, a, b]) => a !== b);
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('non-finite values and zeros as cdo prints them', () => {
    expect([NaN, Infinity, -Infinity, 0, -0].map((x) => formatG(x, 7))).toEqual(['nan', 'inf', '-inf', '0', '-0']);
    expect(formatG(263.15625, 7)).toBe('263.1562');
    expect(formatG(2.5, 1)).toBe('2');
  });
});
