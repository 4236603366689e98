/**
 * State lives in the URL: the route is the page path below `<base href>` (".../ui/"), filters and
 * paging are its query. Everything is relative to the base, so the console works under any
 * sub-path (behind nginx at /api/ui/ as well as at /ui/ or at the site root).
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** Path below the console's base, without leading slash: "", "jobs", "jobs/ID", "new", "admin". */
  path: string;
  query: URLSearchParams;
}

function basePath(): string {
  return new URL(document.baseURI).pathname;
}

export function currentRoute(): Route {
  const base = basePath();
  const p = location.pathname;
  const path = p.startsWith(base) ? p.slice(base.length) : '';
  return { path: decodeURIComponent(path.replace(/\/$/, '')), query: new URLSearchParams(location.search) };
}

/** An href for a route, relative to the base (so it is a plain link that also works on reload). */
export function href(path: string, query?: Record<string, string | string[] | undefined> | URLSearchParams): string {
  const q = query instanceof URLSearchParams ? query : new URLSearchParams();
  if (!(query instanceof URLSearchParams))
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '' && !(Array.isArray(v) && !v.length)) q.set(k, Array.isArray(v) ? v.join(',') : v);
  const s = q.toString();
  return new URL(path + (s ? `?${s}` : ''), document.baseURI).pathname + (s ? `?${s}` : '');
}

const EVENT = 'subsetd:navigate';

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(EVENT));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener('popstate', update);
    window.addEventListener(EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(EVENT, update);
    };
  }, []);
  return route;
}

/** Plain clicks on links inside the console navigate without a reload. */
export function interceptLinks() {
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element).closest?.('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(basePath()) || url.pathname.startsWith(basePath() + 'assets/')) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
}
