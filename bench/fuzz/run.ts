/**
 * `npm run fuzz [-- --requests 100000 --seed 1 --concurrency 8 --redis]`: the full fuzz run of
 * issue 11 against the bundled service (SQLite, or Redis with --redis), with tokens of every
 * scope when the tokens command exists. Prints counts by status code, by principal and by
 * operation; exits 1 on any 5xx, a dead service, a job that did not end or RSS growth > 50 MB.
 */
import { runFuzz } from '../../test/fuzz/fuzzer.js';
import { flag, spawnService, startRedis } from './spawn-service.js';

const requests = Number(flag('requests', '100000'));
const redis = process.argv.includes('--redis');
const redisServer = redis ? await startRedis() : null;
const svc = await spawnService(
  { SUBSETD_WORKERS: flag('workers', '2'), SUBSETD_SYNC_TIMEOUT: '2s', ...(redisServer ? { SUBSETD_REDIS_URL: redisServer.url } : {}) },
  [['fuzz-read', 'read'], ['fuzz-submit', 'submit'], ['fuzz-admin', 'admin']],
);
console.log(`service ${svc.url} (pid ${svc.pid}, ${redis ? 'Redis' : 'SQLite'}, ${svc.tokens ? 'tokens: none/bad/read/submit/admin' : 'no tokens command: without auth'}); ${requests} requests`);
let ok = false;
try {
  const t = svc.tokens;
  const report = await runFuzz({
    url: svc.url,
    pid: svc.pid,
    tokens: t ? { read: t['fuzz-read'], submit: t['fuzz-submit'], admin: t['fuzz-admin'] } : {},
    requests,
    dataFiles: svc.dataFiles,
    seed: Number(flag('seed', '1')),
    concurrency: Number(flag('concurrency', '8')),
    drainMs: 60_000,
    progress: (l) => console.log(l),
  });
  const unhandled = svc.logs.filter((l) => l.includes('"unhandled error"'));
  console.log('\nby status code:');
  for (const [k, v] of Object.entries(report.byStatus).sort()) console.log(`  ${k.padEnd(16)} ${v}`);
  console.log('by principal:', JSON.stringify(report.byPrincipal));
  console.log('by operation:');
  for (const [op, c] of Object.entries(report.byOperation).sort()) console.log(`  ${op.padEnd(44)} ${JSON.stringify(c)}`);
  console.log(`\n${report.sent} requests in ${(report.ms / 1000).toFixed(0)} s; ${report.accepted} jobs accepted, ${report.notEnded.length} not ended; RSS idle ${report.rssIdleMb.toFixed(0)} MB, after warm-up ${report.rssBeforeMb.toFixed(0)} MB, after the run ${report.rssAfterMb.toFixed(0)} MB; service ${report.alive ? 'alive' : 'DEAD'}; ${unhandled.length} unhandled errors logged`);
  for (const e of report.serverErrors) console.log('5xx:', JSON.stringify(e));
  for (const l of unhandled.slice(0, 10)) console.log('log:', l.slice(0, 2000));
  for (const j of report.notEnded) console.log('not ended:', j);
  ok = report.serverErrors.length === 0 && report.alive && report.notEnded.length === 0 && report.rssAfterMb <= report.rssBeforeMb + 50 && unhandled.length === 0;
  console.log(ok ? 'PASS' : 'FAIL');
} finally {
  await svc.stop();
  await redisServer?.stop();
}
process.exit(ok ? 0 : 1);
