/**
 * The base URL of every link the API returns: SUBSETD_PUBLIC_URL when set; else the request's
 * own origin, and behind a trusted proxy its X-Forwarded-Proto/Host/Prefix.
 */
import type { Context } from 'hono';
import type { Config } from '../config/table.js';
import { reqHeader } from './req-header.js';

export interface Link {
  href: string;
  rel: string;
  type?: string;
  title?: string;
  hreflang?: string;
}

export function baseUrl(c: Context, config: Config): string {
  if (config.publicUrl) return config.publicUrl;
  const url = new URL(c.req.url);
  return baseUrlOf(config, url.host, (k) => reqHeader(c, k), url.protocol.replace(':', ''));
}

/** The same from the parts of a request: `host` when there is no Host header, its scheme. */
export function baseUrlOf(config: Config, host: string, header: (name: string) => string | undefined, proto: string): string {
  if (config.publicUrl) return config.publicUrl;
  host = header('host') ?? host;
  let prefix = '';
  if (config.trustProxy) {
    // First value only: a chain of proxies appends, the client-facing one is first.
    const first = (h: string | undefined) => h?.split(',')[0].trim();
    proto = first(header('x-forwarded-proto')) || proto;
    host = first(header('x-forwarded-host')) || host;
    prefix = (first(header('x-forwarded-prefix')) || '').replace(/\/+$/, '');
    if (prefix && !prefix.startsWith('/')) prefix = `/${prefix}`;
  }
  return `${proto}://${host}${prefix}`;
}

/** A path segment decoded; a broken escape (`%zz`) gives '', which names nothing (a 404, never a 500). */
export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
}

export const JSON_TYPE = 'application/json';
export const REL = {
  conformance: 'http://www.opengis.net/def/rel/ogc/1.0/conformance',
  processes: 'http://www.opengis.net/def/rel/ogc/1.0/processes',
  jobList: 'http://www.opengis.net/def/rel/ogc/1.0/job-list',
  execute: 'http://www.opengis.net/def/rel/ogc/1.0/execute',
  results: 'http://www.opengis.net/def/rel/ogc/1.0/results',
  processDesc: 'http://www.opengis.net/def/rel/ogc/1.0/process-desc',
};
