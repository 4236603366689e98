// bench/raster (issue 4): clip-raster against gdalwarp -cutline -crop_to_cutline on a 0.01°
// global Float32 GeoTIFF (36000 x 18000, deflate, tiled), Germany / Russia / USA, in one run.
// subsetd is measured where its work happens: the GDAL child process (`subsetd __gdal-child`,
// the same one a worker thread forks), driven over IPC exactly as the processor drives it;
// peak RSS is that child's VmHWM, reset before each clip. gdalwarp runs with a clean
// environment (its defaults, as an operator would run it); time is the better of two runs.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild } from './child.mjs';
import { globalTif } from './make-global.mjs';
import { peakRssMB, resetPeak, timeCommand } from './measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const out = join(here, '..', 'out', 'raster');

async function loadRegion(id) {
  // The shipped boundary set, as the service stores it (compact for the raster clip).
  const { shippedRegion } = await import(join(here, 'regions.mjs'));
  return shippedRegion(id);
}

export default async function run() {
  const src = globalTif(out);
  mkdirSync(join(out, 'tmp'), { recursive: true });
  const { child, run: call, stop } = startChild();
  const rows = [];
  try {
    const clip = async (id, region, name) => {
      const t0 = performance.now();
      await call('clip-raster', { src, parts: region.parts, bbox: region.bbox, crop: 'polygon', out: join(out, 'tmp', `${name}.tif`), tmpDir: join(out, 'tmp', `${name}.work`) });
      return (performance.now() - t0) / 1000;
    };
    await clip('LUX', await loadRegion('LUX'), 'warmup');
    for (const [id, timeTarget, rssTarget] of [['DEU', 1.2, null], ['RUS', 0.5, 0.3], ['USA', 0.5, 0.3]]) {
      const region = await loadRegion(id);
      const cut = join(out, 'tmp', `${id}.geojson`);
      writeFileSync(cut, JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: region.cutParts } }));
      const ours = [];
      const theirs = [];
      for (let k = 0; k < 2; k++) {
        resetPeak(child.pid);
        const seconds = await clip(id, region, `${id}-subsetd`);
        ours.push({ seconds, rssMB: peakRssMB(child.pid) });
        const env = { PATH: process.env.PATH };
        theirs.push(timeCommand('env', ['-i', `PATH=${env.PATH}`, 'gdalwarp', '-q', '-overwrite', '-cutline', cut, '-crop_to_cutline', src, join(out, 'tmp', `${id}-gdalwarp.tif`)]));
      }
      const o = { seconds: Math.min(...ours.map((x) => x.seconds)), rssMB: Math.max(...ours.map((x) => x.rssMB)) };
      const t = { seconds: Math.min(...theirs.map((x) => x.seconds)), rssMB: Math.max(...theirs.map((x) => x.rssMB)) };
      rows.push({ metric: `clip ${id} time`, value: o.seconds, unit: 's', peer: 'gdalwarp', peerValue: t.seconds, ratio: o.seconds / t.seconds, target: `≤ ${timeTarget}×`, ok: o.seconds / t.seconds <= timeTarget });
      rows.push({ metric: `clip ${id} peak RSS`, value: o.rssMB, unit: 'MB', peer: 'gdalwarp', peerValue: t.rssMB, ratio: o.rssMB / t.rssMB, ...(rssTarget ? { target: `≤ ${rssTarget}×`, ok: o.rssMB / t.rssMB <= rssTarget } : {}) });
    }
    // A package's clips run at once in one child (libuv pool): both cores, so 3 clips take
    // well under 3x one. Compared with the same clips one after another.
    const three = await Promise.all(['FRA', 'POL', 'ESP'].map(loadRegion));
    let t0 = performance.now();
    for (const [i, r] of three.entries()) await clip('seq', r, `seq-${i}`);
    const sequential = (performance.now() - t0) / 1000;
    t0 = performance.now();
    await Promise.all(three.map((r, i) => clip('par', r, `par-${i}`)));
    const parallel = (performance.now() - t0) / 1000;
    rows.push({ metric: 'package: 3 clips at once (FRA, POL, ESP) vs one after another', value: parallel, unit: 's', peer: 'sequential', peerValue: sequential, ratio: parallel / sequential, target: '< 0.8× (both cores)', ok: parallel / sequential < 0.8 });
  } finally {
    stop();
    rmSync(join(out, 'tmp'), { recursive: true, force: true });
  }
  return { area: 'raster', rows };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await run(), null, 2));
void readFileSync;
