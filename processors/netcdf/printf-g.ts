/**
 * C's printf("%.<p>g"), the way cdo prints values (`outputtab`: 7 significant digits for float
 * variables, 15 for double): fixed notation for exponents -4 ≤ X < p, scientific otherwise with at
 * least two exponent digits, trailing zeros removed. Exact ties round half to even, as glibc does
 * (float32 data has many: 263.15625 prints 263.1562); JS's toFixed would round them up.
 */
const TIE = /^50*$/;

/** x.toExponential(d) as [mantissa, exponent], an exact tie to the even digit (x > 0). */
function exponential(x: number, d: number): [string, string] {
  const exact = x.toExponential(Math.min(100, d + 40));
  const [m, e] = splitExp(exact);
  const cut = m.indexOf('.') + 1 + d;
  if (TIE.test(m.slice(cut)) && Number(m[d > 0 ? cut - 1 : cut - 2]) % 2 === 0) return [m.slice(0, d > 0 ? cut : cut - 1), e];
  return splitExp(x.toExponential(d));
}

/**
 * The digits of x rounded to `p` significant digits, glibc's way, as [sign, digits, exponent]:
 * V8's toExponential rounds correctly but sends exact ties up. A tie needs the exact decimal
 * expansion past digit p to be 5000…, so rounding to p + 3 digits ends in "500"; only then (about
 * one value in a thousand) is the exact expansion looked at.
 */
function roundedDigits(x: number, p: number): [string, string, number] {
  const sign = x < 0 ? '-' : '';
  const ax = Math.abs(x);
  // Digit k (1-based) of the mantissa sits at index k from k = 2 on (index 1 is the point).
  const wide = ax.toExponential(p + 2);
  let m: string;
  let e: string;
  if (wide.charCodeAt(p + 1) === 53 /* 5 */ && wide.charCodeAt(p + 2) === 48 && wide.charCodeAt(p + 3) === 48) [m, e] = exponential(ax, p - 1);
  else [m, e] = splitExp(ax.toExponential(p - 1));
  return [sign, m.length > 1 ? m[0] + m.slice(2) : m, Number(e)];
}

const splitExp = (s: string): [string, string] => {
  const i = s.indexOf('e');
  return [s.slice(0, i), s.slice(i + 1)];
};

export function formatG(x: number, p: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [sign, digits, X] = roundedDigits(x, p);
  // Trailing zeros go (%g without #), and the point with them.
  const d = digits.replace(/0+$/, '');
  if (X < -4 || X >= p) return `${sign}${d[0]}${d.length > 1 ? `.${d.slice(1)}` : ''}e${X < 0 ? '-' : '+'}${String(Math.abs(X)).padStart(2, '0')}`;
  if (X < 0) return `${sign}0.${'0'.repeat(-X - 1)}${d}`;
  if (d.length <= X + 1) return sign + d + '0'.repeat(X + 1 - d.length);
  return `${sign}${d.slice(0, X + 1)}.${d.slice(X + 1)}`;
}
