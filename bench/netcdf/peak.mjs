// Peak RSS of the service for one netcdf-subset job (BENCH args: file operation-json), for
// quick measurements outside the full bench: node bench/netcdf/peak.mjs FILE [OPS_JSON].
import { dirname, join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startService } from './service.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [file, ops = '[{"operation":"mask_country","country":"DEU"}]'] = process.argv.slice(2);
const svc = await startService(root, dirname(file), { SUBSETD_TS_CACHE: 'off' });
try {
  const idle = svc.rss();
  svc.resetPeak();
  const t = await svc.run({ paths: [basename(file)], operations: JSON.parse(ops) });
  console.log(JSON.stringify({ idleMB: Math.round(idle), peakMB: Math.round(svc.peakRss()), seconds: +t.toFixed(2) }));
} finally {
  svc.stop();
}
