/**
 * Every setting in one table: key, default, parser, whether it is secret, and what it is for.
 * The env-file template, `subsetd config` and the docs are generated from this table.
 */
import { availableParallelism } from 'node:os';
import { parseAllowList } from '../callbacks/address.js';
import { listenAddrText, maskUrl, oneOf, parseBool, parseCounts, parseDuration, parseInteger, parseList, parseListenAddr, parsePair, parseSize, parseUrl } from './parse.js';

export interface Setting<T> {
  key: string;
  /** Raw default (as it would be written in the env-file); a function sees the already-parsed settings. */
  default: string | ((c: Record<string, unknown>) => string) | undefined;
  parse: (v: string) => T;
  secret?: boolean;
  /** How to show a value when secret: masked, never the clear text. */
  show?: (v: string) => string;
  /** How `subsetd config` writes a parsed value back in env-file syntax (default: String, lists comma-joined). */
  format?: (v: T) => string;
  doc: string;
}

function s<T>(x: Setting<T>): Setting<T> {
  return x;
}
const str = (v: string) => v;
const minLength = (n: number) => (v: string) => {
  if (v.length < n) throw new Error(`must be at least ${n} characters`);
  return v;
};
/** A default that applies with SUBSETD_AUTH=tokens; '0' (no limit) with access control off. */
const tokensOnly = (v: string) => (c: Record<string, unknown>) => (c.auth === 'tokens' ? v : '0');
/** A duration of at least `min` ms (a zero timeout would fail every attempt). */
const durationFrom = (min: number) => (v: string) => {
  const ms = parseDuration(v);
  if (ms < min) throw new Error(`must be at least ${min} ms`);
  return ms;
};
const nonEmpty = (v: string) => {
  if (!v.trim()) throw new Error('must not be empty');
  return v;
};

export const SETTINGS = {
  host: s({ key: 'SUBSETD_HOST', default: '127.0.0.1', parse: nonEmpty, doc: 'Address the HTTP server listens on.' }),
  port: s({ key: 'SUBSETD_PORT', default: '8080', parse: parseInteger(0, 65535), doc: 'TCP port of the HTTP server (0 = any free port).' }),
  stateDir: s({ key: 'SUBSETD_STATE_DIR', default: './var', parse: nonEmpty, doc: 'All state: the SQLite database, job work dirs, uploads, results.' }),
  dataRoot: s({ key: 'SUBSETD_DATA_ROOT', default: './data', parse: nonEmpty, doc: 'Input data is read only from below this directory.' }),
  resultsDir: s({ key: 'SUBSETD_RESULTS_DIR', default: (c) => `${c.stateDir}/results`, parse: nonEmpty, doc: 'Finished results. Must be shared storage when several nodes share Redis.' }),
  publicUrl: s({ key: 'SUBSETD_PUBLIC_URL', default: undefined, parse: parseUrl(['http:', 'https:']), doc: 'Base URL of every link the API returns (e.g. https://example.org/api). Unset: links follow the request.' }),
  trustProxy: s({ key: 'SUBSETD_TRUST_PROXY', default: '0', parse: parseBool, doc: 'Honour X-Forwarded-Proto/Host/Prefix from a reverse proxy when building links.' }),
  workers: s({ key: 'SUBSETD_WORKERS', default: String(availableParallelism()), parse: parseInteger(0, 256), doc: 'Worker threads running jobs on this node (0 = API only).' }),
  processes: s({ key: 'SUBSETD_PROCESSES', default: '', parse: parseList, doc: 'Comma-separated ids of the processes this node\'s workers run (`--processes`); empty: all. Jobs of other processes are still accepted here and wait for a node that serves them.' }),
  concurrency: s({ key: 'SUBSETD_CONCURRENCY', default: '', parse: parseCounts, format: (v) => Object.entries(v).map(([k, n]) => `${k}=${n}`).join(','), doc: 'Per process, how many of this node\'s workers may run it at once, e.g. clip-raster=1,netcdf-subset=2 (the rest stay free for other processes); unnamed processes may use every worker.' }),
  jobTimeout: s({ key: 'SUBSETD_JOB_TIMEOUT', default: '1h', parse: parseDuration, doc: 'A job running longer than this is stopped and failed.' }),
  workerMemory: s({ key: 'SUBSETD_WORKER_MEMORY', default: '2G', parse: parseSize, doc: 'JavaScript heap limit of one worker thread; a job exceeding it fails alone.' }),
  stallTimeout: s({ key: 'SUBSETD_WORKER_STALL_TIMEOUT', default: '2m', parse: parseDuration, doc: 'A worker that sends no heartbeat or progress for this long is terminated and replaced.' }),
  leaseTime: s({ key: 'SUBSETD_LEASE_TIME', default: '30s', parse: parseDuration, doc: 'Lease of a running job; renewed by heartbeats at a third of it. An expired lease re-queues the job.' }),
  maxAttempts: s({ key: 'SUBSETD_MAX_ATTEMPTS', default: '3', parse: parseInteger(1, 100), doc: 'Attempts before a job whose worker died or lost its lease is failed.' }),
  resultTtl: s({ key: 'SUBSETD_RESULT_TTL', default: '7d', parse: parseDuration, doc: 'Job records and results are deleted this long after the job ended.' }),
  sweepInterval: s({ key: 'SUBSETD_SWEEP_INTERVAL', default: '5s', parse: parseDuration, doc: 'How often expired leases and expired jobs are looked for.' }),
  shutdownTimeout: s({ key: 'SUBSETD_SHUTDOWN_TIMEOUT', default: '60s', parse: parseDuration, doc: 'On SIGTERM, running jobs may finish for this long; the rest are re-queued.' }),
  syncTimeout: s({ key: 'SUBSETD_SYNC_TIMEOUT', default: '60s', parse: parseDuration, doc: 'Longest wait of a synchronous execution before the request is answered with the job as async.' }),
  bodyLimit: s({ key: 'SUBSETD_BODY_LIMIT', default: '100MB', parse: parseSize, doc: 'Largest request body (JSON or uploads); larger requests get 413.' }),
  jsonLimit: s({ key: 'SUBSETD_JSON_LIMIT', default: '20MB', parse: parseSize, doc: 'Largest JSON request body (parsed in memory, ~15x its size in the worst case); larger gets 413. Uploads are limited by SUBSETD_BODY_LIMIT.' }),
  headersTimeout: s({ key: 'SUBSETD_HEADERS_TIMEOUT', default: '20s', parse: parseDuration, doc: 'A client must send all request headers within this time, else 408 and the connection is closed (slow-header attacks).' }),
  requestTimeout: s({ key: 'SUBSETD_REQUEST_TIMEOUT', default: '5m', parse: parseDuration, doc: 'A client must send its whole request (headers and body) within this time, else 408 (slow-body attacks). Must allow the largest upload on the slowest client link.' }),
  minFreeDisk: s({ key: 'SUBSETD_MIN_FREE_DISK', default: '1GB', parse: parseSize, doc: '/ready fails when the state directory has less free space than this; time-series cache builds never leave less than this free.' }),
  logLevel: s({ key: 'SUBSETD_LOG_LEVEL', default: 'info', parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const), doc: 'pino log level.' }),
  redisUrl: s({ key: 'SUBSETD_REDIS_URL', default: undefined, parse: parseUrl(['redis:', 'rediss:']), secret: true, show: maskUrl, doc: 'redis:// or rediss:// URL; set to share one queue between several nodes.' }),
  pluginDir: s({ key: 'SUBSETD_PLUGIN_DIR', default: '', parse: str, doc: 'Folder of a site\'s own processors: every .js/.cjs/.mjs module in it (and every subfolder with an index.js) is loaded at start; a bad one stops start-up naming its file (docs/plugins.md).' }),
  plugins: s({ key: 'SUBSETD_PLUGINS', default: '', parse: parseList, doc: 'Comma-separated paths of further processor modules, loaded after SUBSETD_PLUGIN_DIR\'s (docs/plugins.md).' }),
  accelRedirect: s({ key: 'SUBSETD_ACCEL_REDIRECT', default: '', parse: str, doc: 'nginx internal location prefix for result downloads (X-Accel-Redirect), e.g. /_subsetd_results/. Empty: subsetd sends files itself.' }),
  cacheDir: s({ key: 'SUBSETD_CACHE_DIR', default: '', parse: str, doc: 'Where the single executable unpacks its runtime. Default: /var/cache/subsetd when it belongs to the user, else $XDG_CACHE_HOME/subsetd or ~/.cache/subsetd.' }),
  auth: s({ key: 'SUBSETD_AUTH', default: 'off', parse: oneOf(['off', 'tokens'] as const), doc: 'Access control: off (anyone reaching the port may do everything) or tokens (Authorization: Bearer; create them with `subsetd tokens create`).' }),
  anonymous: s({ key: 'SUBSETD_ANONYMOUS', default: 'none', parse: oneOf(['none', 'read'] as const), doc: 'With SUBSETD_AUTH=tokens, what a request without a token may do: none, or read (landing page, conformance, openapi, processes, boundaries, datasets; never jobs).' }),
  signingKey: s({ key: 'SUBSETD_SIGNING_KEY', default: undefined, parse: minLength(32), secret: true, doc: 'HMAC key of signed download links (at least 32 characters). Unset: generated once (SQLite: <state dir>/signing.key, mode 0600; Redis: stored in Redis so every node uses the same one).' }),
  linkTtl: s({ key: 'SUBSETD_LINK_TTL', default: '7d', parse: parseDuration, doc: 'Lifetime of the signed result links in results documents.' }),
  // Limits default on only with tokens; with SUBSETD_AUTH=off they apply (to everyone as one owner) when set.
  maxQueued: s({ key: 'SUBSETD_MAX_QUEUED', default: tokensOnly('100'), parse: parseInteger(0, 1_000_000), doc: 'Per token: queued + running jobs at once (a token may override it; 0 = no limit; default 100 with tokens, 0 with SUBSETD_AUTH=off). Excess gets 429.' }),
  maxJobsPerHour: s({ key: 'SUBSETD_MAX_JOBS_PER_HOUR', default: tokensOnly('1000'), parse: parseInteger(0, 100_000_000), doc: 'Per token: jobs submitted in any 60 minutes, sliding (a token may override it; 0 = no limit; default 1000 with tokens, 0 with SUBSETD_AUTH=off). Excess gets 429.' }),
  maxFilesPerJob: s({ key: 'SUBSETD_MAX_FILES_PER_JOB', default: tokensOnly('32'), parse: parseInteger(0, 100_000), doc: 'Per request: files under the data root one job may name (0 = no limit; default 32 with tokens, 0 with SUBSETD_AUTH=off). Excess gets 429.' }),
  maxUploadBytes: s({ key: 'SUBSETD_MAX_UPLOAD_BYTES', default: tokensOnly('100MB'), parse: parseSize, doc: 'Per request: bytes of a job submission\'s body, uploads included (0 = no limit; default 100MB with tokens, 0 with SUBSETD_AUTH=off). Excess gets 429.' }),
  metricsAddr: s({ key: 'SUBSETD_METRICS_ADDR', default: '', parse: parseListenAddr, format: listenAddrText, doc: 'HOST:PORT of a separate listener serving only GET /metrics, without tokens (bind it to a private address; Prometheus need not go through nginx). Empty: /metrics is served on the API port (admin scope with SUBSETD_AUTH=tokens).' }),
  // Callbacks (OGC subscriber: successUri, inProgressUri, failedUri; docs/callbacks.md).
  callbackAllowHosts: s({ key: 'SUBSETD_CALLBACK_ALLOW_HOSTS', default: '', parse: parseAllowList, doc: 'Comma-separated host names, IP addresses and CIDR ranges (e.g. hooks.internal,10.1.0.0/16) that job callbacks may be sent to although they are not public. Empty: callbacks go only to public (global unicast) addresses; loopback, private, link-local and other special addresses are refused with 400.' }),
  callbackRetryFor: s({ key: 'SUBSETD_CALLBACK_RETRY_FOR', default: '5m', parse: parseDuration, doc: 'How long a callback that fails with a network error, a timeout, 408, 429 or 5xx is retried (exponential backoff with jitter), from its first attempt; 0: one attempt. Pending retries live in the memory of the node that made the transition.' }),
  callbackTimeout: s({ key: 'SUBSETD_CALLBACK_TIMEOUT', default: '10s', parse: durationFrom(100), doc: 'Longest time one callback attempt may take (resolve, connect, send, response headers); then it counts as failed and is retried.' }),
  // Execute inputs given by reference ({"href": ...}; docs/ogc-api.md), read under the callbacks' address rule.
  inputFetchTimeout: s({ key: 'SUBSETD_INPUT_FETCH_TIMEOUT', default: '30s', parse: durationFrom(100), doc: 'Longest time the inputs an execute request gives by reference ({"href": ...}) may take to be read, all of them together (resolve, connect, the whole content); beyond, the request is refused with 400. They are read only from public addresses or hosts allowed by SUBSETD_CALLBACK_ALLOW_HOSTS, at most SUBSETD_BODY_LIMIT bytes in all.' }),
  // The ISIMIP v2 endpoint's limits, under isimip-files-api's names and with its defaults.
  isimipMaxFiles: s({ key: 'SUBSETD_ISIMIP_MAX_FILES', default: '32', parse: parseInteger(1, 32), doc: 'ISIMIP v2 endpoint: files one request may name, at most 32 (isimip-files-api MAX_FILES; netcdf-subset takes 32 files).' }),
  isimipMaxOperations: s({ key: 'SUBSETD_ISIMIP_MAX_OPERATIONS', default: '4', parse: parseInteger(1, 4), doc: 'ISIMIP v2 endpoint: operations one request may chain, at most 4 (isimip-files-api MAX_OPERATIONS; netcdf-subset chains four).' }),
  isimipCdoMaxResolution: s({ key: 'SUBSETD_ISIMIP_CDO_MAX_RESOLUTION', default: '1440,720', parse: parsePair(1, 10_000_000), format: (v) => v.join(','), doc: 'ISIMIP v2 endpoint: largest grid (longitudes,latitudes) of an input to select_bbox, select_point, mask_bbox and mask_mask (isimip-files-api CDO_MAX_RESOLUTION).' }),
  isimipNcksMaxResolution: s({ key: 'SUBSETD_ISIMIP_NCKS_MAX_RESOLUTION', default: '43200,20880', parse: parsePair(1, 10_000_000), format: (v) => v.join(','), doc: 'ISIMIP v2 endpoint: largest grid (longitudes,latitudes) of an input to cutout_bbox and cutout_point (isimip-files-api NCKS_MAX_RESOLUTION).' }),
  tsCacheDir: s({ key: 'SUBSETD_TS_CACHE_DIR', default: (c) => `${c.stateDir}/ts-cache`, parse: nonEmpty, doc: 'Time-series cache of NetCDF files (`subsetd cache build|list|drop`; docs/ts-cache.md): per file and variable, the data re-chunked along time so a point series reads one block. Must be shared storage when several nodes share Redis.' }),
  tsCache: s({ key: 'SUBSETD_TS_CACHE', default: 'auto', parse: oneOf(['off', 'manual', 'auto'] as const), doc: 'When the time-series cache is used and built (docs/ts-cache.md): off (never read nor built by the service), manual (entries from `subsetd cache build` and SUBSETD_TS_CACHE_FOLDERS), auto (as manual, and a point or small-region netcdf-subset job queues a background build of its files; stale entries are rebuilt).' }),
  tsCacheFolders: s({ key: 'SUBSETD_TS_CACHE_FOLDERS', default: '', parse: parseList, doc: 'Comma-separated folders under the data root whose NetCDF files are cached ahead of any request (scanned at start and every SUBSETD_TS_CACHE_SCAN_INTERVAL; with SUBSETD_TS_CACHE=manual or auto).' }),
  tsCacheScanInterval: s({ key: 'SUBSETD_TS_CACHE_SCAN_INTERVAL', default: '5m', parse: durationFrom(100), doc: 'How often SUBSETD_TS_CACHE_FOLDERS are scanned for files without a valid entry, and entries checked for changed sources (rebuilt with auto, dropped with manual).' }),
  tsCacheMax: s({ key: 'SUBSETD_TS_CACHE_MAX', default: '10GB', parse: parseSize, doc: 'Largest total size of the time-series cache; least recently used entries are evicted to make room (0 = no limit). Builds also never leave less than SUBSETD_MIN_FREE_DISK free on its file system.' }),
  datasets: s({ key: 'SUBSETD_DATASETS', default: '', parse: str, doc: 'JSON or YAML file declaring the datasets this server hosts.' }),
};

type Settings = typeof SETTINGS;
export type Config = Readonly<{
  [K in keyof Settings]: Settings[K]['default'] extends undefined
    ? ReturnType<Settings[K]['parse']> | undefined
    : ReturnType<Settings[K]['parse']>;
}>;
