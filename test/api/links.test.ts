// Every link follows SUBSETD_PUBLIC_URL, or the request (and X-Forwarded-* only when trusted).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASYNC, post, startService, type RunningService } from '../helpers/service.js';

const FWD = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'geo.example.org', 'X-Forwarded-Prefix': '/api' };
let trusted: RunningService;
let untrusted: RunningService;
let fixed: RunningService;
beforeAll(async () => {
  [trusted, untrusted, fixed] = await Promise.all([
    startService({ SUBSETD_TRUST_PROXY: '1', SUBSETD_WORKERS: '1' }),
    startService({ SUBSETD_WORKERS: '1' }),
    startService({ SUBSETD_PUBLIC_URL: 'https://data.example.org/subsetd/', SUBSETD_WORKERS: '1' }),
  ]);
});
afterAll(() => [trusted, untrusted, fixed].forEach((s) => s?.cleanup()));

describe('links', () => {
  it('behind a trusted proxy use X-Forwarded-Proto/Host/Prefix', async () => {
    const { body } = await trusted.json('/', { headers: FWD });
    for (const l of body.links) expect(l.href).toMatch(/^https:\/\/geo\.example\.org\/api\//);
    const r = await trusted.json('/processes/sleep/execution', post({ inputs: { seconds: 0 } }, { ...ASYNC, ...FWD }));
    expect(r.headers.get('location')).toBe(`https://geo.example.org/api/jobs/${r.body.jobID}`);
  });

  it('ignore X-Forwarded-* unless SUBSETD_TRUST_PROXY=1', async () => {
    const { body } = await untrusted.json('/', { headers: FWD });
    for (const l of body.links) expect(l.href.startsWith(untrusted.url.replace('127.0.0.1', 'localhost')) || l.href.startsWith(untrusted.url)).toBe(true);
  });

  it('use SUBSETD_PUBLIC_URL when set, whatever the request says', async () => {
    const { body } = await fixed.json('/', { headers: FWD });
    for (const l of body.links) expect(l.href).toMatch(/^https:\/\/data\.example\.org\/subsetd\//);
    const list = await fixed.json('/jobs?limit=1');
    expect(list.body.links[0].href).toBe('https://data.example.org/subsetd/jobs?limit=1');
  });
});
