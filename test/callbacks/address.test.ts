// Which addresses a callback may reach (SSRF rule) and the parsing of SUBSETD_CALLBACK_ALLOW_HOSTS.
import { describe, expect, it } from 'vitest';
import { checkedAddresses, isAllowed, isPublicAddress, parseAllowList, RefusedAddressError, type Lookup } from '../../src/callbacks/address.js';
import { parseSubscriber } from '../../src/callbacks/subscriber.js';
import { loadConfig } from '../../src/config/load.js';

describe('isPublicAddress', () => {
  it('allows global unicast addresses', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '93.184.215.14', '2a00:1450:4001:82b::200e', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isPublicAddress(a), a).toBe(true);
  });

  it('refuses loopback, private, link-local, CGNAT, multicast, unspecified, reserved and their IPv6 and mapped forms', () => {
    const refused = [
      '127.0.0.1', '127.255.255.254', '0.0.0.0', '0.1.2.3', // loopback, this network
      '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', // RFC 1918
      '169.254.169.254', '100.64.0.1', '100.127.255.254', // link-local (cloud metadata), CGNAT
      '224.0.0.1', '239.255.255.250', '255.255.255.255', '240.0.0.1', '192.0.2.1', '198.18.0.1', // multicast, broadcast, reserved, test nets
      '::1', '::', 'fe80::1', 'fe80::1%eth0', 'fc00::1', 'fd12:3456::1', 'ff02::1', 'fec0::1', // IPv6 equivalents
      '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '::ffff:7f00:1', // IPv4-mapped
      '::127.0.0.1', '64:ff9b::a00:1', '2002:7f00:1::', '2001:db8::1', // IPv4-compatible, NAT64, 6to4, documentation
      'not-an-ip', '',
    ];
    for (const a of refused) expect(isPublicAddress(a), a).toBe(false);
  });
});

describe('SUBSETD_CALLBACK_ALLOW_HOSTS', () => {
  it('takes host names, addresses and CIDR ranges, normalised', () => {
    expect(parseAllowList(' Hooks.Internal. , 127.0.0.1,10.1.0.0/16, [::1], fd00::/8,,')).toEqual(['hooks.internal', '127.0.0.1', '10.1.0.0/16', '::1', 'fd00::/8']);
    expect(parseAllowList('')).toEqual([]);
    expect(() => parseAllowList('10.0.0.0/33')).toThrow(/"10.0.0.0\/33" is not a CIDR range/);
    expect(() => parseAllowList('http://x')).toThrow(/not a CIDR range/);
    expect(() => parseAllowList('host:80')).toThrow(/"host:80" is not a host name, IP address or CIDR range/);
    expect(() => parseAllowList('a b')).toThrow(/"a b"/);
  });

  it('is a setting: validated at start, shown by `subsetd config`', () => {
    expect(loadConfig({ SUBSETD_CALLBACK_ALLOW_HOSTS: '127.0.0.1, hooks.internal' }).callbackAllowHosts).toEqual(['127.0.0.1', 'hooks.internal']);
    expect(() => loadConfig({ SUBSETD_CALLBACK_ALLOW_HOSTS: '300.1.1.1/8' })).toThrow(/^SUBSETD_CALLBACK_ALLOW_HOSTS: /);
    expect(() => loadConfig({ SUBSETD_CALLBACK_TIMEOUT: '0' })).toThrow(/^SUBSETD_CALLBACK_TIMEOUT: /);
    expect(loadConfig({})).toMatchObject({ callbackAllowHosts: [], callbackRetryFor: 300_000, callbackTimeout: 10_000 });
  });

  it('matches by name, by address and by range, IPv4-mapped forms included', () => {
    const allow = parseAllowList('hooks.internal,127.0.0.1,10.1.0.0/16,fd00::/8');
    expect(isAllowed(allow, 'HOOKS.internal.', '10.9.9.9')).toBe(true);
    expect(isAllowed(allow, 'x', '127.0.0.1')).toBe(true);
    expect(isAllowed(allow, 'x', '::ffff:127.0.0.1')).toBe(true);
    expect(isAllowed(allow, 'x', '127.0.0.2')).toBe(false);
    expect(isAllowed(allow, 'x', '10.1.200.3')).toBe(true);
    expect(isAllowed(allow, 'x', '10.2.0.1')).toBe(false);
    expect(isAllowed(allow, 'x', 'fd12::1')).toBe(true);
    expect(isAllowed(allow, 'x', '::1')).toBe(false);
  });
});

describe('checkedAddresses', () => {
  const dns =
    (table: Record<string, string[]>): Lookup =>
    async (host) => {
      if (!table[host]) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return table[host].map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
  const lookup = dns({ 'public.example': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'], 'mixed.example': ['93.184.215.14', '10.0.0.5'], 'hooks.internal': ['10.0.0.5'] });

  it('returns every address of a public host, and checks address literals without DNS', async () => {
    expect((await checkedAddresses('public.example', [], lookup)).map((a) => a.address)).toEqual(['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c']);
    expect(await checkedAddresses('[2606:4700:4700::1111]', [], lookup)).toEqual([{ address: '2606:4700:4700::1111', family: 6 }]);
  });

  it('refuses a host with any internal address, unless allowed', async () => {
    await expect(checkedAddresses('mixed.example', [], lookup)).rejects.toThrow(/resolves to 10\.0\.0\.5, which is not a public address/);
    await expect(checkedAddresses('hooks.internal', [], lookup)).rejects.toMatchObject({ reason: 'refused' });
    expect(await checkedAddresses('hooks.internal', ['hooks.internal'], lookup)).toHaveLength(1);
    expect(await checkedAddresses('mixed.example', ['10.0.0.0/8'], lookup)).toHaveLength(2);
    await expect(checkedAddresses('127.0.0.1', [], lookup)).rejects.toThrow(/address 127\.0\.0\.1 is not a public address/);
    await expect(checkedAddresses('[::1]', ['127.0.0.1'], lookup)).rejects.toThrow(RefusedAddressError);
  });

  it('says when a name does not resolve', async () => {
    await expect(checkedAddresses('nowhere.example', [], lookup)).rejects.toMatchObject({ reason: 'not-found', message: expect.stringMatching(/does not resolve/) });
  });
});

describe('parseSubscriber', () => {
  const config = loadConfig({});
  const lookup: Lookup = async (host) => (host === 'hooks.example' ? [{ address: '93.184.215.14', family: 4 }] : Promise.reject(Object.assign(new Error('nx'), { code: 'ENOTFOUND' })));
  const bad = async (raw: unknown, field: string, detail: RegExp) => {
    const e = await parseSubscriber(raw, config, lookup).then(() => null, (x) => x);
    expect(e, JSON.stringify(raw)).toMatchObject({ status: 400 });
    expect(e.body(), JSON.stringify(raw)).toMatchObject({ field, detail: expect.stringMatching(detail) });
  };

  it('accepts any of the three members, each an absolute http(s) URI', async () => {
    expect(await parseSubscriber(undefined, config, lookup)).toBeNull();
    const s = { successUri: 'https://hooks.example/done?token=x', failedUri: 'http://hooks.example:8080/failed' };
    expect(await parseSubscriber(s, config, lookup)).toEqual(s);
  });

  it('refuses what is not a callback URI, naming the member', async () => {
    await bad([], 'subscriber', /must be an object/);
    await bad({}, 'subscriber', /at least one/);
    await bad({ successUri: 'https://hooks.example/', doneUri: 'https://hooks.example/' }, 'subscriber.doneUri', /not a member/);
    await bad({ successUri: 'ftp://hooks.example/x' }, 'subscriber.successUri', /http or https/);
    await bad({ failedUri: '/relative' }, 'subscriber.failedUri', /absolute/);
    await bad({ inProgressUri: 42 }, 'subscriber.inProgressUri', /absolute/);
    await bad({ successUri: 'https://user:pw@hooks.example/' }, 'subscriber.successUri', /credentials/);
    await bad({ successUri: `https://hooks.example/${'x'.repeat(2048)}` }, 'subscriber.successUri', /at most 2048/);
    await bad({ successUri: 'https://nowhere.example/' }, 'subscriber.successUri', /does not resolve/);
    await bad({ successUri: 'http://169.254.169.254/latest/meta-data/' }, 'subscriber.successUri', /not a public address/);
    await bad({ successUri: 'http://[::ffff:127.0.0.1]/' }, 'subscriber.successUri', /not a public address/);
    await bad({ successUri: 'http://0x7f.1/' }, 'subscriber.successUri', /127\.0\.0\.1 is not a public address/);
  });
});
