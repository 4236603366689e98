/**
 * Date.prototype.toISOString for job timestamps, ~5× faster: a statusInfo document carries four
 * of them, a list page of 50 jobs two hundred, and formatting was an eighth of a list request's
 * CPU time. The day part is formatted once per day seen last; the rest is table lookups. Same
 * output as toISOString for every time from 1970 to 9999 (tested against it); others go to it.
 */
const P2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const P3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const DAY = 86_400_000;
const MAX = 253_402_300_800_000; // 10000-01-01

let dayStart = NaN;
let dayPrefix = '';

export function isoTime(ms: number): string {
  if (!(ms >= 0 && ms < MAX) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  let t = ms - dayStart;
  if (!(t >= 0 && t < DAY)) {
    dayStart = ms - (ms % DAY);
    dayPrefix = new Date(dayStart).toISOString().slice(0, 11);
    t = ms - dayStart;
  }
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor(t / 60_000) % 60;
  const s = Math.floor(t / 1000) % 60;
  return `${dayPrefix}${P2[h]}:${P2[m]}:${P2[s]}.${P3[t % 1000]}Z`;
}
