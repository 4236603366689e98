// One clip after another through the GDAL child, with the time of each step, the child's peak
// RSS during the clip and its RSS after it:
//   node bench/raster/stages.mjs RUS USA   (after bench/raster has made the global GeoTIFF)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChild } from './child.mjs';
import { peakRssMB, resetPeak } from './measure.mjs';
import { shippedRegion } from './regions.mjs';

const out = join(import.meta.dirname, '..', 'out', 'raster');
const rss = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;
const { child, run, stop } = startChild();
try {
  for (const id of process.argv.slice(2)) {
    const r = shippedRegion(id);
    resetPeak(child.pid);
    const before = rss(child.pid);
    const t0 = performance.now();
    const res = await run('clip-raster', { src: join(out, 'global-0.01deg-f32.tif'), parts: r.parts, bbox: r.bbox, crop: 'polygon', out: join(out, `stages-${id}.tif`), tmpDir: join(out, `stages-${id}.work`) });
    const seconds = +((performance.now() - t0) / 1000).toFixed(2);
    console.log(JSON.stringify({ id, seconds, rssBeforeMB: Math.round(before), peakMB: Math.round(peakRssMB(child.pid)), rssAfterMB: Math.round(rss(child.pid)), width: res.width, height: res.height, stages: res.stages }));
  }
} finally {
  stop();
}
