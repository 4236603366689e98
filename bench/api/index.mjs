import { apiBench } from './run.mjs';

/** Issue 2 targets: >= 3000 async submissions/s; p99 < 10 ms for GET /jobs/{id} at 100 connections. */
export default async function run() {
  const r = await apiBench();
  return {
    area: 'api',
    rows: [
      { metric: 'async submissions/s (100 conns, 2 sleep jobs running)', value: r.submissionsPerSec, unit: '/s', target: '≥ 3000', ok: r.submissionsPerSec >= 3000 && r.submitNon2xx === 0 },
      { metric: 'GET /jobs/{id} p50 at 2000 req/s, 100 conns', value: r.getAt2000rpsP50ms, unit: 'ms' },
      { metric: 'GET /jobs/{id} p99 at 2000 req/s, 100 conns', value: r.getAt2000rpsP99ms, unit: 'ms', target: '< 10', ok: r.getAt2000rpsP99ms < 10 },
      { metric: 'GET /jobs/{id} saturated throughput', value: r.getPerSec, unit: '/s', peer: 'bare Node http, same body', peerValue: r.bareNodePerSec, ratio: r.getVsBareNode, target: '≥ 0.35×', ok: r.getVsBareNode >= 0.35 },
      { metric: "the floor: the route's own work (SQLite read, JSON, log line, metric) in a bare Node server", value: r.floorPerSec, unit: '/s', peer: 'bare Node http, same body', peerValue: r.bareNodePerSec, ratio: r.floorVsBareNode },
      { metric: 'GET /jobs/{id} saturated p50', value: r.getSaturatedP50ms, unit: 'ms' },
      { metric: 'GET /jobs/{id} saturated p99 (client and server share 2 cores)', value: r.getSaturatedP99ms, unit: 'ms' },
    ],
  };
}
