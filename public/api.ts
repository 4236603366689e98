/**
 * The console's one API client: every request the views make goes through here. The API base
 * comes from `<meta name="subsetd-api">` (filled in by the server with the public prefix, e.g.
 * "/api"); only its path is used, so requests never leave the page's origin even when
 * SUBSETD_PUBLIC_URL names another host. Every request carries `X-Subsetd-Request: 1` (the CSRF
 * guard for cookie sessions).
 */

export interface Link { href: string; rel: string; type?: string; title?: string }
export type JobStatus = 'accepted' | 'running' | 'successful' | 'failed' | 'dismissed';
export const STATUSES: JobStatus[] = ['accepted', 'running', 'successful', 'failed', 'dismissed'];

export interface StatusInfo {
  processID: string;
  jobID: string;
  status: JobStatus;
  message?: string;
  created?: string;
  started?: string;
  finished?: string;
  updated?: string;
  progress?: number | null;
  attempts?: number;
  maxAttempts?: number;
  owner?: string | null;
  /** Not part of OGC statusInfo; shown when the server includes it. */
  inputs?: Record<string, unknown>;
  links: Link[];
}
/** numberMatched is absent where the server would need a scan to count (created range, text). */
export interface JobList { jobs: StatusInfo[]; numberMatched?: number; numberReturned: number; links: Link[] }
/** after/before: list positions taken from the server's next/prev links. */
export interface JobQuery { status?: string[]; processID?: string[]; datetime?: string; q?: string; limit: number; offset: number; after?: string; before?: string }

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  title?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  contentMediaType?: string;
  [k: string]: unknown;
}
export interface InputDescription { title?: string; description?: string; schema: JsonSchema; minOccurs?: number; maxOccurs?: number | 'unbounded' }
export interface ProcessSummary { id: string; title?: string; description?: string; version?: string; jobControlOptions?: string[] }
export interface ProcessDescription extends ProcessSummary {
  inputs: Record<string, InputDescription>;
  outputs: Record<string, { title?: string; schema: JsonSchema }>;
}

export interface LogLine { time: string; level: 'info' | 'warn' | 'error'; message: string; progress?: number; retryable?: boolean }
export interface Whoami { auth: 'off' | 'tokens'; anonymous: 'none' | 'read'; name: string | null; scope: 'read' | 'submit' | 'admin' | null }
export interface Boundary { set: string; id: string; name: string; bbox: [number, number, number, number] }
export interface DataEntry { name: string; path: string; type: 'dir' | 'file'; size?: number; modified?: string; format?: string }
export interface Grid { west: number; east: number; south: number; north: number; dlon: number; dlat: number; nlon: number; nlat: number; latOrder: string; lon0360: boolean }
export interface DataInfo {
  format: string;
  variables?: Array<{ name: string; dims: string[]; shape: number[]; units?: string; long_name?: string }>;
  grid?: Grid;
  time?: { start?: string; end?: string; steps?: number; units?: string };
  width?: number;
  height?: number;
  crs?: string;
  bounds?: number[];
  bands?: unknown[];
  layers?: unknown[];
}
export type Region = { country: string } | { bbox: number[] } | { polygon: GeoJSON } | { boundary: string };
export interface MaskPreview { cells: number; grid: Grid; geometry: GeoJSON }
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type GeoJSON = { type: string; [k: string]: any };
export interface AdminStats {
  nodes: Array<{ nodeId: string; workers: Array<{ slot: number; state: string; jobId?: string | null; processId?: string | null; lastHeartbeatMsAgo?: number | null }>; processes?: string[] }>;
  queue: Record<string, number>;
  /** Processes no live node runs: their jobs are accepted and wait (absent from older servers). */
  unservedProcesses?: string[];
  perMinute: Array<{ minute: string; successful: number; failed: number }>;
  disk: Record<string, { bytes: number; free: number }>;
  failures: Array<{ id: string; processId: string; finished: string; message?: string }>;
}

/** An RFC 7807 problem from the server (or a network failure, status 0). */
export class ApiProblem extends Error {
  constructor(readonly status: number, readonly title: string, readonly detail?: string, readonly field?: string) {
    super(detail ?? title);
  }
}

function apiBase(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="subsetd-api"]')?.content;
  if (meta !== undefined && meta.trim() !== '') return new URL(meta, location.href).pathname.replace(/\/$/, '');
  // No meta (a static copy of the page): the API is the parent of the console's /ui/.
  return new URL('..', document.baseURI).pathname.replace(/\/$/, '');
}
export const API = apiBase();

/** A link from a server document, moved onto this page's origin (same path and query). */
export function sameOrigin(href: string): string {
  const u = new URL(href, location.href);
  return u.pathname + u.search;
}

type Listener = (p: ApiProblem) => void;
const unauthorized = new Set<Listener>();
/** Views learn of a 401 here (the session ended); the shell shows the sign-in view. */
export function onUnauthorized(fn: Listener): () => void {
  unauthorized.add(fn);
  return () => unauthorized.delete(fn);
}

async function request<T>(method: string, path: string, body?: unknown, opts: { quiet404?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'X-Subsetd-Request': '1' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch (e) {
    throw new ApiProblem(0, 'The server could not be reached', String((e as Error).message ?? e));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: reported below */
  }
  if (!res.ok) {
    const p = (json ?? {}) as { title?: string; detail?: string; field?: string };
    const problem = new ApiProblem(res.status, p.title ?? res.statusText, p.detail, p.field);
    if (res.status === 401 && !opts.quiet404) for (const fn of unauthorized) fn(problem);
    throw problem;
  }
  if (json === undefined) throw new ApiProblem(res.status, 'Unexpected answer', 'the server did not answer JSON');
  return json as T;
}

function qs(params: Record<string, string | number | undefined | string[]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const api = {
  processes: () => request<{ processes: ProcessSummary[] }>('GET', '/processes').then((r) => r.processes),
  process: (id: string) => request<ProcessDescription>('GET', `/processes/${encodeURIComponent(id)}`),
  execute: (id: string, inputs: Record<string, unknown>) =>
    request<StatusInfo>('POST', `/processes/${encodeURIComponent(id)}/execution`, { inputs, mode: 'async' }),
  jobs: (q: JobQuery) =>
    request<JobList>('GET', `/jobs${qs({ status: q.status, processID: q.processID, datetime: q.datetime, q: q.q, limit: q.limit, offset: q.offset || undefined, after: q.after, before: q.before })}`),
  /** The list position a next/prev link of a job list carries (its `after` or `before`). */
  pageLink: (list: JobList, rel: 'next' | 'prev') => {
    const l = list.links.find((x) => x.rel === rel);
    if (!l) return null;
    const p = new URL(l.href, location.href).searchParams;
    return rel === 'next' ? { after: p.get('after') ?? undefined } : { before: p.get('before') ?? undefined };
  },
  job: (id: string) => request<StatusInfo>('GET', `/jobs/${encodeURIComponent(id)}`),
  results: (id: string) => request<Record<string, unknown>>('GET', `/jobs/${encodeURIComponent(id)}/results`),
  dismiss: (id: string) => request<StatusInfo>('DELETE', `/jobs/${encodeURIComponent(id)}`),
  log: (id: string, after?: number) => request<{ lines: LogLine[] }>('GET', `/jobs/${encodeURIComponent(id)}/log${qs({ after })}`),
  /** URL of the job event stream (EventSource cannot go through fetch). */
  eventsUrl: (q: { processID?: string; status?: string } = {}) => `${API}/jobs/events${qs(q)}`,
  boundaries: (q: string) => request<{ boundaries: Boundary[] }>('GET', `/boundaries${qs({ q, limit: 12 })}`).then((r) => r.boundaries),
  boundariesAt: (lon: number, lat: number) => request<{ boundaries: Boundary[] }>('GET', `/boundaries${qs({ lon, lat })}`).then((r) => r.boundaries),
  boundary: (set: string, id: string) => request<{ geometry: GeoJSON; bbox?: number[] }>('GET', `/boundaries/${encodeURIComponent(set)}/${encodeURIComponent(id)}`),
  data: (path: string) => request<{ path: string; entries: DataEntry[] }>('GET', `/data${qs({ path })}`),
  dataInfo: (path: string) => request<DataInfo>('GET', `/data/info${qs({ path })}`),
  previewMask: (body: { path: string; variable?: string; region: Region }) => request<MaskPreview>('POST', '/preview/mask', body),
  adminStats: () => request<AdminStats>('GET', '/admin/stats'),
  /** Auth off when the server has no /auth/whoami yet (404). */
  whoami: () =>
    request<Whoami>('GET', '/auth/whoami', undefined, { quiet404: true }).catch((e: ApiProblem) => {
      if (e.status === 404) return { auth: 'off', anonymous: 'read', name: null, scope: 'admin' } as Whoami;
      throw e;
    }),
  signIn: (token: string) => request<{ name: string; scope: string }>('POST', '/auth/session', { token }, { quiet404: true }),
  signOut: () => request<void>('DELETE', '/auth/session'),
  /** Size of a result file (HEAD; null when the server does not say). */
  fileSize: async (path: string): Promise<number | null> => {
    const res = await fetch(path, { method: 'HEAD', headers: { 'X-Subsetd-Request': '1' }, credentials: 'same-origin' }).catch(() => null);
    const n = res?.ok ? Number(res.headers.get('content-length')) : NaN;
    return Number.isFinite(n) ? n : null;
  },
  /** The basemap shipped beside the console's own assets (world-atlas 1:110m countries). */
  basemap: async (): Promise<unknown> => {
    const res = await fetch(new URL('assets/countries-110m.json', document.baseURI).pathname);
    if (!res.ok) throw new ApiProblem(res.status, 'Basemap missing');
    return res.json();
  },
};
