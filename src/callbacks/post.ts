/**
 * One callback attempt: resolve the host, check every address it resolves to (src/callbacks/
 * address.ts), then POST to the address that was checked. Resolving again here, not trusting the
 * check made when the job was submitted, and connecting to exactly the checked address (a
 * `lookup` that answers with it) defeats DNS rebinding: a name that resolved to a public address
 * at submission and to 127.0.0.1 now is refused now, and the connection cannot race to another
 * answer between check and connect.
 *
 * node:http rather than fetch: it follows no redirects (a 3xx to an internal address would step
 * around the check; here it is a final answer) and takes a per-request `lookup`; a fresh
 * connection per attempt (agent: false) is never one pooled to an earlier, other address.
 */
import http from 'node:http';
import https from 'node:https';
import { VERSION } from '../version.js';
import { checkedAddresses, pinned, type Lookup, type Resolved } from './address.js';

export interface AttemptOptions {
  allow: readonly string[];
  timeoutMs: number;
  /** Aborts the attempt at once (the service is closing, or a newer status superseded it). */
  signal: AbortSignal;
  lookup?: Lookup;
}

export interface AttemptResult {
  status: number;
  /** The receiver's Retry-After (429, 503), in ms. */
  retryAfterMs?: number;
}


function retryAfter(v: string | undefined, now = Date.now()): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/**
 * Resolves with the receiver's status (any status: the caller decides what it means); rejects
 * on a refused address (RefusedAddressError), a network error, the timeout or an abort. The
 * timeout covers resolving, connecting, sending and the response headers; the body is ignored.
 */
export async function postOnce(uri: string, body: string, o: AttemptOptions): Promise<AttemptResult> {
  const url = new URL(uri);
  const ac = new AbortController();
  const abort = () => ac.abort(o.signal.reason ?? new Error('aborted'));
  if (o.signal.aborted) abort();
  o.signal.addEventListener('abort', abort, { once: true });
  const timer = setTimeout(() => ac.abort(Object.assign(new Error(`no answer within ${o.timeoutMs} ms`), { code: 'ETIMEDOUT' })), o.timeoutMs);
  const aborted = new Promise<never>((_, reject) => {
    if (ac.signal.aborted) reject(ac.signal.reason);
    ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true });
  });
  aborted.catch(() => {});
  try {
    const [address] = await Promise.race([checkedAddresses(url.hostname, o.allow, o.lookup), aborted]);
    return await Promise.race([send(url, body, address, ac.signal), aborted]);
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener('abort', abort);
  }
}

function send(url: URL, body: string, address: Resolved, signal: AbortSignal): Promise<AttemptResult> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      agent: false,
      lookup: pinned(address),
      signal,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'User-Agent': `subsetd/${VERSION}` },
    });
    req.once('response', (res) => {
      // Only the status matters; the body is read and dropped, and cut after a second (a
      // receiver that never ends it would otherwise hold the connection open).
      res.resume();
      res.once('error', () => {});
      const cut = setTimeout(() => req.destroy(), 1000).unref();
      res.once('close', () => clearTimeout(cut));
      resolve({ status: res.statusCode ?? 0, retryAfterMs: retryAfter(res.headers['retry-after']) });
    });
    req.once('error', reject);
    req.end(body);
  });
}
