/**
 * The `datetime` parameter of the OGC job list (OGC API - Processes, like OGC API - Features):
 * an instant or an interval `start/end` whose open ends are `..` or empty, times in RFC 3339
 * (`2026-12-05T10:00:00Z`, with an offset or fractional seconds). A bare date (`2026-12-05`)
 * stands for that whole UTC day. Anything else is a 400 naming `datetime`.
 * Returned bounds are inclusive, in ms, compared with the job's created time.
 */
import { badParameter } from './problem.js';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

function validDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m);
}

/** One RFC 3339 date-time or date -> [first ms, last ms] it covers. */
function parseTime(s: string): [number, number] {
  let m = DATE.exec(s);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (!validDate(y, mo, d)) throw badParameter('datetime', `"${s}" is not a valid date`);
    const t = Date.UTC(y, mo - 1, d);
    return [t, t + DAY_MS - 1];
  }
  m = DATE_TIME.exec(s);
  if (!m) throw badParameter('datetime', `"${s}" is not an RFC 3339 date-time (e.g. 2026-12-05T10:00:00Z), a date, or ".."`);
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number);
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || se > 60) throw badParameter('datetime', `"${s}" is not a valid date-time`);
  if (m[8].length > 1) {
    const [oh, om] = m[8].slice(1).split(':').map(Number);
    if (oh > 23 || om > 59) throw badParameter('datetime', `"${s}" has an invalid UTC offset`);
  }
  const t = Date.parse(s.replace(' ', 'T'));
  if (Number.isNaN(t)) throw badParameter('datetime', `"${s}" is not a valid date-time`);
  return [t, t];
}

export interface CreatedRange {
  createdFrom?: number;
  createdTo?: number;
}

export function parseDatetime(raw: string | undefined): CreatedRange {
  if (raw === undefined || raw.trim() === '') return {};
  const v = raw.trim();
  const parts = v.split('/');
  if (parts.length > 2) throw badParameter('datetime', `"${v}" has more than one "/"; give an instant or start/end`);
  if (parts.length === 1) {
    if (v === '..') throw badParameter('datetime', '".." is only allowed as one end of an interval (start/.. or ../end)');
    const [a, b] = parseTime(v);
    return { createdFrom: a, createdTo: b };
  }
  const open = (s: string) => s === '' || s === '..';
  const [start, end] = parts;
  if (open(start) && open(end)) return {};
  const out: CreatedRange = {};
  if (!open(start)) out.createdFrom = parseTime(start)[0];
  if (!open(end)) out.createdTo = parseTime(end)[1];
  if (out.createdFrom !== undefined && out.createdTo !== undefined && out.createdFrom > out.createdTo)
    throw badParameter('datetime', `the interval "${v}" ends before it starts`);
  return out;
}
