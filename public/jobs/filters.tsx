/**
 * The jobs list's query in the URL (status, process, created range in the viewer's days, text over
 * inputs, page position) and the filter form that edits it; every change replaces the URL, so a view can
 * be bookmarked and the back button is not flooded.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, STATUSES, type JobQuery, type ProcessSummary } from '../api';
import { href, navigate, type Route } from '../router';

/** Jobs per page. */
export const PAGE = 25;

export function queryOf(route: Route): JobQuery & { from: string; to: string } {
  const q = route.query;
  const list = (k: string) => (q.get(k) ?? '').split(',').filter(Boolean);
  const from = q.get('from') ?? '';
  const to = q.get('to') ?? '';
  // Dates are the viewer's days; the server takes an OGC interval in UTC.
  const start = from ? new Date(`${from}T00:00:00`).toISOString() : '..';
  const end = to ? new Date(new Date(`${to}T00:00:00`).getTime() + 86400000 - 1).toISOString() : '..';
  return {
    status: list('status'),
    processID: list('process'),
    q: q.get('q') ?? undefined,
    datetime: from || to ? `${start}/${end}` : undefined,
    limit: PAGE,
    offset: Math.max(0, Number(q.get('offset') ?? 0) || 0),
    after: q.get('after') ?? undefined,
    before: q.get('before') ?? undefined,
    from,
    to,
  };
}

/** Changes some query parameters of the jobs view (any change but paging goes back to page 1). */
export function setJobsParam(route: Route, changes: Record<string, string | undefined>) {
  const q = new URLSearchParams(route.query);
  for (const [k, v] of Object.entries(changes)) if (v) q.set(k, v); else q.delete(k);
  // Paging moves by a link's position; any other change starts again at the newest page.
  if ('after' in changes || 'before' in changes) q.delete('offset');
  else for (const k of ['offset', 'after', 'before']) q.delete(k);
  navigate(href('jobs', q), { replace: true });
}

export function JobFilters({ route }: { route: Route }) {
  const query = queryOf(route);
  const [processes, setProcesses] = useState<ProcessSummary[]>([]);
  const [text, setText] = useState(query.q ?? '');
  useEffect(() => { api.processes().then(setProcesses).catch(() => {}); }, []);
  useEffect(() => setText(query.q ?? ''), [query.q]);
  const setParam = (changes: Record<string, string | undefined>) => setJobsParam(route, changes);
  const toggleStatus = (s: string) => {
    const cur = new Set(query.status);
    if (cur.has(s)) cur.delete(s); else cur.add(s);
    setParam({ status: [...cur].join(',') });
  };
  const filtered = isFiltered(query);
  return (
    <form class="filters" role="search" aria-label="Filter jobs" onSubmit={(e) => { e.preventDefault(); setParam({ q: text.trim() || undefined }); }}>
        <fieldset class="status-filter">
          <legend>Status</legend>
          {STATUSES.map((s) => (
            <label key={s} class="check">
              <input type="checkbox" checked={query.status?.includes(s)} onChange={() => toggleStatus(s)} />
              {s}
            </label>
          ))}
        </fieldset>
        <label>
          <span>Process</span>
          <select value={query.processID?.[0] ?? ''} onChange={(e) => setParam({ process: e.currentTarget.value || undefined })}>
            <option value="">all</option>
            {processes.map((p) => <option key={p.id} value={p.id}>{p.id}</option>)}
          </select>
        </label>
        <label>
          <span>Created from</span>
          <input type="date" value={query.from} onChange={(e) => setParam({ from: e.currentTarget.value || undefined })} />
        </label>
        <label>
          <span>to</span>
          <input type="date" value={query.to} onChange={(e) => setParam({ to: e.currentTarget.value || undefined })} />
        </label>
        <label class="grow">
          <span>Inputs contain</span>
          <input type="search" value={text} placeholder="e.g. DEU or tas_" onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <button type="submit">Search</button>
        {filtered ? <a href={href('jobs')}>Clear filters</a> : null}
      </form>
  );
}

export function isFiltered(q: JobQuery): boolean {
  return Boolean(q.status?.length || q.processID?.length || q.q || q.datetime);
}
