/**
 * The `subscriber` member of an OGC execute request (Part 1 1.0, callback class): URIs the
 * server POSTs to when the job succeeds, fails or progresses (src/callbacks/deliver.ts).
 *
 * Checked before the job exists, so a bad URI is a 400 naming it and nothing is queued. The
 * host is resolved here to refuse internal targets early, with a message; delivery resolves and
 * checks again each time (the answer of DNS may change in between: rebinding).
 */
import type { Config } from '../config/table.js';
import { badInput } from '../server/problem.js';
import { checkedAddresses, RefusedAddressError, type Lookup } from './address.js';

export interface Subscriber {
  successUri?: string;
  inProgressUri?: string;
  failedUri?: string;
}

export const SUBSCRIBER_MEMBERS = ['successUri', 'inProgressUri', 'failedUri'] as const;

/** Longer URIs are refused: they are stored with the job and sent in every log line. */
export const MAX_URI_LENGTH = 2048;

/** The URL of a callback: absolute http(s), no credentials. Throws a 400 naming `field`. */
function parseUri(v: unknown, field: string): URL {
  if (typeof v !== 'string' || !v) throw badInput(field, 'must be an absolute http or https URI');
  if (v.length > MAX_URI_LENGTH) throw badInput(field, `must be at most ${MAX_URI_LENGTH} characters`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw badInput(field, 'must be an absolute http or https URI');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw badInput(field, `must use http or https, not ${u.protocol.replace(/:$/, '')}`);
  // Credentials would be stored with the job, logged and shown to whoever may read it.
  if (u.username || u.password) throw badInput(field, 'must not contain credentials (user:password@)');
  if (!u.hostname) throw badInput(field, 'must name a host');
  return u;
}

/**
 * Checks the member; throws a 400 naming e.g. `subscriber.successUri`. Absent (or null, which
 * some clients send for "none"): null. `lookup` is for tests.
 */
export async function parseSubscriber(raw: unknown, config: Config, lookup?: Lookup): Promise<Subscriber | null> {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw badInput('subscriber', 'must be an object with successUri, inProgressUri and/or failedUri');
  const members = Object.keys(raw);
  for (const k of members)
    if (!(SUBSCRIBER_MEMBERS as readonly string[]).includes(k)) throw badInput(`subscriber.${k}`, `is not a member of subscriber (${SUBSCRIBER_MEMBERS.join(', ')})`);
  if (members.length === 0) throw badInput('subscriber', `must have at least one of ${SUBSCRIBER_MEMBERS.join(', ')}`);
  const out: Subscriber = {};
  const r = raw as Record<string, unknown>;
  for (const k of SUBSCRIBER_MEMBERS) {
    if (r[k] === undefined) continue;
    const field = `subscriber.${k}`;
    const url = parseUri(r[k], field);
    try {
      await checkedAddresses(url.hostname, config.callbackAllowHosts, lookup);
    } catch (e) {
      if (e instanceof RefusedAddressError) throw badInput(field, e.message);
      // A resolver outage is not the client's fault, but the URI cannot be vouched for either.
      throw badInput(field, `host "${url.hostname}" could not be resolved (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); try again later`);
    }
    // Stored as the client wrote it; delivery parses it again.
    out[k] = r[k] as string;
  }
  return out;
}
