/**
 * Which addresses a callback may be sent to (SSRF protection). A callback URI comes from any
 * client that may submit a job, and the server POSTs to it from inside the network: unchecked,
 * it would let a client reach the cloud metadata service (169.254.169.254), Redis on loopback
 * or an intranet host. So only global unicast addresses are allowed, plus what the operator
 * names in SUBSETD_CALLBACK_ALLOW_HOSTS (e.g. an internal receiver).
 *
 * The check is an allow-list of one range ("unicast" in ipaddr.js's classification), not a
 * deny-list of private ranges: whatever range a later RFC reserves, or we forgot (NAT64,
 * 6to4 and Teredo embed IPv4 addresses; IPv4-mapped IPv6 reaches IPv4 hosts), is refused.
 * ipaddr.js parses every textual form and knows the special-purpose ranges; it is the library
 * Express's proxy-addr uses, has no dependencies and ships its types.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import type { LookupFunction } from 'node:net';

type IP = ipaddr.IPv4 | ipaddr.IPv6;

/** IPv4-compatible IPv6 (::a.b.c.d, deprecated), which ipaddr.js counts as unicast. */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/** The address as IPv4 when it is an IPv4-mapped IPv6 one, so both forms get the same rule. */
const parse = (address: string): IP => ipaddr.process(address.replace(/%.*$/, ''));

/** A global unicast address: anything else (loopback, private, link-local, CGNAT, multicast, reserved...) is refused. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address.replace(/%.*$/, ''))) return false;
  const ip = parse(address);
  if (ip.kind() === 'ipv6' && ip.match(IPV4_COMPATIBLE)) return false;
  return ip.range() === 'unicast';
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const hostKey = (host: string) => host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');

/**
 * SUBSETD_CALLBACK_ALLOW_HOSTS: comma-separated host names, IP addresses and CIDR ranges.
 * Returns the entries normalised (lower case, IPs in canonical form); throws naming a bad one.
 */
export function parseAllowList(v: string): string[] {
  const out: string[] = [];
  for (const raw of v.split(',').map((x) => x.trim()).filter(Boolean)) {
    const e = hostKey(raw);
    if (e.includes('/')) {
      if (!ipaddr.isValidCIDR(e)) throw new Error(`"${raw}" is not a CIDR range (e.g. 10.1.0.0/16 or fd00::/8)`);
      const [ip, bits] = ipaddr.parseCIDR(e);
      out.push(`${ip.toString()}/${bits}`);
    } else if (ipaddr.isValid(e)) out.push(parse(e).toString());
    else if (HOST_NAME.test(e)) out.push(e);
    else throw new Error(`"${raw}" is not a host name, IP address or CIDR range`);
  }
  return out;
}

/** Whether the operator allowed this host (by name) or this address (by IP or range). */
export function isAllowed(allow: readonly string[], host: string, address?: string): boolean {
  const name = hostKey(host);
  if (allow.includes(name)) return true;
  if (address === undefined || !ipaddr.isValid(address.replace(/%.*$/, ''))) return false;
  const ip = parse(address);
  return allow.some((e) => {
    // Entries are validated at start: each is a range, an address or a host name.
    const cidr: [IP, number] | null = e.includes('/') ? ipaddr.parseCIDR(e) : ipaddr.isValid(e) ? [parse(e), parse(e).kind() === 'ipv4' ? 32 : 128] : null;
    return cidr !== null && cidr[0].kind() === ip.kind() && ip.match(cidr);
  });
}

export class RefusedAddressError extends Error {
  constructor(message: string, readonly reason: 'not-found' | 'refused') {
    super(message);
    this.name = 'RefusedAddressError';
  }
}

export interface Resolved {
  address: string;
  family: 4 | 6;
}
export type Lookup = (host: string) => Promise<Resolved[]>;
const systemLookup: Lookup = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family as 4 | 6 }));

/** How long a host name may take to resolve before it counts as not resolving. */
const LOOKUP_TIMEOUT_MS = 5000;

/**
 * Every address `host` resolves to, each checked: one refused address refuses the host (a name
 * with one public and one private address is not half-trusted). A name that does not resolve
 * throws with reason 'not-found'; other DNS errors (a resolver outage) are thrown as they are.
 */
export async function checkedAddresses(host: string, allow: readonly string[], lookup: Lookup = systemLookup): Promise<Resolved[]> {
  const name = hostKey(host);
  let all: Resolved[];
  if (ipaddr.isValid(name)) all = [{ address: name, family: parse(name).kind() === 'ipv4' ? 4 : 6 }];
  else {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RefusedAddressError(`host "${name}" did not resolve within ${LOOKUP_TIMEOUT_MS / 1000} s`, 'not-found')), LOOKUP_TIMEOUT_MS);
    });
    try {
      all = await Promise.race([lookup(name), timeout]);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA') throw new RefusedAddressError(`host "${name}" does not resolve`, 'not-found');
      throw e;
    } finally {
      clearTimeout(timer);
    }
    if (all.length === 0) throw new RefusedAddressError(`host "${name}" does not resolve`, 'not-found');
  }
  for (const a of all)
    if (!isPublicAddress(a.address) && !isAllowed(allow, name, a.address))
      throw new RefusedAddressError(
        `${a.address === name ? `address ${name}` : `host "${name}" resolves to ${a.address}, which`} is not a public address; callbacks go only to public addresses or to hosts allowed by SUBSETD_CALLBACK_ALLOW_HOSTS`,
        'refused',
      );
  return all;
}

/**
 * A connection's `lookup` that answers with the address already checked: the request goes to
 * exactly that address, whatever the name resolves to by then (DNS rebinding).
 */
export const pinned =
  (a: Resolved): LookupFunction =>
  (_host, opts, cb) =>
    opts.all ? cb(null, [{ address: a.address, family: a.family }]) : cb(null, a.address, a.family);
