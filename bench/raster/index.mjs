// bench/raster (issue 4): clip-raster against gdalwarp -cutline -crop_to_cutline on a 0.01°
// global Float32 GeoTIFF (36000 x 18000, deflate, tiled), Germany / Russia / USA, in one run.
// subsetd is measured where its work happens: the GDAL child process (`subsetd __gdal-child`,
// the same one a worker thread forks), driven over IPC exactly as the processor drives it;
// peak RSS is that child's VmHWM, reset before each clip. gdalwarp runs with a clean
// environment (its defaults, as an operator would run it); time is the better of two runs.
import { existsSync, linkSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild } from './child.mjs';
import { globalTif } from './make-global.mjs';
import { cpuSeconds, peakRssMB, resetPeak, timeCommand } from './measure.mjs';

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
    // A package: 3 datasets for one country in one job, clipped at once in one child (libuv
    // pool), against the same clips one after another. The datasets are hard links of the
    // global GeoTIFF (three 2 GB rasters would not fit the bench's budget; the work per clip is
    // the same). One clip alone already keeps ~1.4 cores busy (multi-threaded COG compression),
    // so "both cores" is read from the child's CPU time over wall time.
    const ind = await loadRegion('IND');
    const sets = [1, 2, 3].map((k) => {
      const f = join(out, `dataset-${k}.tif`);
      if (!existsSync(f)) linkSync(src, f);
      return f;
    });
    const clipSet = (f, name) => call('clip-raster', { src: f, parts: ind.parts, bbox: ind.bbox, crop: 'polygon', out: join(out, 'tmp', `${name}.tif`), tmpDir: join(out, 'tmp', `${name}.work`) });
    const timed = async (fn) => {
      const c0 = cpuSeconds(child.pid);
      const t0 = performance.now();
      await fn();
      const wall = (performance.now() - t0) / 1000;
      return { wall, cores: (cpuSeconds(child.pid) - c0) / wall };
    };
    let seq = { wall: Infinity };
    let par = { wall: Infinity };
    for (let k = 0; k < 2; k++) {
      const s1 = await timed(async () => {
        for (const [i, f] of sets.entries()) await clipSet(f, `seq-${i}`);
      });
      const p1 = await timed(() => Promise.all(sets.map((f, i) => clipSet(f, `par-${i}`))));
      if (s1.wall < seq.wall) seq = s1;
      if (p1.wall < par.wall) par = p1;
    }
    rows.push({ metric: 'package: 3 datasets for IND at once vs one after another', value: par.wall, unit: 's', peer: 'sequential', peerValue: seq.wall, ratio: par.wall / seq.wall, target: '< 1×', ok: par.wall < seq.wall });
    rows.push({ metric: 'package: cores busy (child CPU s / wall s), at once vs in turn', value: par.cores, unit: 'cores', peer: 'sequential', peerValue: seq.cores, target: '≥ 1.7 (both cores)', ok: par.cores >= 1.7 });
  } finally {
    stop();
    rmSync(join(out, 'tmp'), { recursive: true, force: true });
  }
  return { area: 'raster', rows };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(await run(), null, 2));
