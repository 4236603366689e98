/**
 * C's printf("%.<p>g"), the way cdo prints values (`outputtab`: 7 significant digits for float
 * variables, 15 for double): fixed notation for exponents -4 ≤ X < p, scientific otherwise with at
 * least two exponent digits, trailing zeros removed. Exact ties round half to even, as glibc does
 * (float32 data has many: 263.15625 prints 263.1562); JS's toFixed would round them up.
 */
const TIE = /^50*$/;

/** x.toFixed(d), but an exact tie goes to the even digit. */
function fixed(x: number, d: number): string {
  const exact = x.toFixed(Math.min(100, d + 40));
  const cut = exact.indexOf('.') + 1 + d;
  if (TIE.test(exact.slice(cut)) && Number(exact[d > 0 ? cut - 1 : cut - 2]) % 2 === 0) return exact.slice(0, d > 0 ? cut : cut - 1);
  return x.toFixed(d);
}

/** x.toExponential(d) as [mantissa, exponent], an exact tie to the even digit. */
function exponential(x: number, d: number): [string, number] {
  const exact = x.toExponential(Math.min(100, d + 40));
  const [m, e] = exact.split('e');
  const cut = m.indexOf('.') + 1 + d;
  if (TIE.test(m.slice(cut)) && Number(m[d > 0 ? cut - 1 : cut - 2]) % 2 === 0) return [m.slice(0, d > 0 ? cut : cut - 1), Number(e)];
  const [m2, e2] = x.toExponential(d).split('e');
  return [m2, Number(e2)];
}

export function formatG(x: number, p: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mant, X] = exponential(x, p - 1);
  const trim = (s: string) => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);
  if (X < -4 || X >= p) return `${trim(mant)}e${X < 0 ? '-' : '+'}${String(Math.abs(X)).padStart(2, '0')}`;
  return trim(fixed(x, p - 1 - X));
}
