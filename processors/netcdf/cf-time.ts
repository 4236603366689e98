/**
 * CF time coordinates to dates for CSV output: "<unit> since <date>" in the standard/gregorian/
 * proleptic_gregorian calendars (identical after 1582), 365_day/noleap, 366_day/all_leap and
 * 360_day.
 */
const UNIT_DAYS: Record<string, number> = { day: 1, days: 1, d: 1, hour: 1 / 24, hours: 1 / 24, h: 1 / 24, minute: 1 / 1440, minutes: 1 / 1440, second: 1 / 86400, seconds: 1 / 86400, s: 1 / 86400 };
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const MONTH_365 = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function cfDateFormatter(units: string | undefined, calendar = 'standard'): (value: number) => string {
  const m = units?.match(/^\s*(\w+)\s+since\s+(-?\d+)-(\d+)-(\d+)(?:[ T](\d+):(\d+)(?::(\d+(?:\.\d*)?))?)?/i);
  const perUnit = m ? UNIT_DAYS[m[1].toLowerCase()] : undefined;
  if (!m || perUnit === undefined) return (v) => String(v);
  const [y0, mo0, d0] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const frac0 = (Number(m[5] ?? 0) * 3600 + Number(m[6] ?? 0) * 60 + Number(m[7] ?? 0)) / 86400;
  const cal = calendar.toLowerCase();
  const withTime = (days: number) => {
    const f = days - Math.floor(days);
    if (f < 1e-9 || f > 1 - 1e-9) return '';
    const s = Math.round(f * 86400);
    return ` ${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
  };
  if (cal === '360_day') {
    const base = y0 * 360 + (mo0 - 1) * 30 + (d0 - 1) + frac0;
    return (v) => {
      const t = base + v * perUnit + 1e-9;
      const day = Math.floor(t);
      return `${pad(Math.floor(day / 360), 4)}-${pad((Math.floor(day / 30) % 12) + 1)}-${pad((day % 30) + 1)}${withTime(t)}`;
    };
  }
  if (cal === '365_day' || cal === 'noleap' || cal === '366_day' || cal === 'all_leap') {
    const months = cal.startsWith('365') || cal === 'noleap' ? MONTH_365 : MONTH_365.map((d, i) => (i === 1 ? 29 : d));
    const yearLen = months.reduce((a, b) => a + b, 0);
    const doy0 = months.slice(0, mo0 - 1).reduce((a, b) => a + b, 0) + d0 - 1;
    return (v) => {
      const t = y0 * yearLen + doy0 + frac0 + v * perUnit + 1e-9;
      const day = Math.floor(t);
      let doy = day % yearLen;
      let mo = 0;
      while (doy >= months[mo]) doy -= months[mo++];
      return `${pad(Math.floor(day / yearLen), 4)}-${pad(mo + 1)}-${pad(doy + 1)}${withTime(t)}`;
    };
  }
  const epoch = Date.UTC(y0, mo0 - 1, d0) + frac0 * 86400000;
  return (v) => {
    const ms = epoch + v * perUnit * 86400000;
    const d = new Date(Math.round(ms / 1000) * 1000);
    const time = d.getUTCHours() || d.getUTCMinutes() || d.getUTCSeconds() ? ` ${d.toISOString().slice(11, 19)}` : '';
    return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}${time}`;
  };
}
