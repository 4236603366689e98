// The bench input of issue 4: a 0.01° global Float32 GeoTIFF, 36000 x 18000, deflate, tiled.
// Made from a 3600 x 1800 seed (smooth field + noise, so deflate has real work) upsampled
// bilinearly by gdal_translate. Written once under bench/out/ (gitignored), reused after.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export function globalTif(outDir) {
  const out = join(outDir, 'global-0.01deg-f32.tif');
  if (existsSync(out)) return out;
  mkdirSync(outDir, { recursive: true });
  const gdal = require('gdal-async');
  const seed = join(outDir, 'seed-0.1deg.tif');
  const W = 3600;
  const H = 1800;
  const ds = gdal.open(seed, 'w', 'GTiff', W, H, 1, 'Float32');
  ds.srs = gdal.SpatialReference.fromEPSG(4326);
  ds.geoTransform = [-180, 0.1, 0, 90, 0, -0.1];
  const row = new Float32Array(W);
  let s = 12345;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let y = 0; y < H; y++) {
    const lat = 90 - (y + 0.5) * 0.1;
    for (let x = 0; x < W; x++) {
      const lon = -180 + (x + 0.5) * 0.1;
      row[x] = 15 + 20 * Math.cos((lat * Math.PI) / 180) + 5 * Math.sin((lon * Math.PI) / 30) + 2 * rnd();
    }
    ds.bands.get(1).pixels.write(0, y, W, 1, row);
  }
  ds.close();
  const tmp = `${out}.partial`;
  execFileSync('gdal_translate', ['-q', '-of', 'GTiff', '-outsize', '36000', '18000', '-r', 'bilinear', '-co', 'TILED=YES', '-co', 'COMPRESS=DEFLATE', '-co', 'NUM_THREADS=ALL_CPUS', '-co', 'BIGTIFF=YES', seed, tmp], { stdio: 'inherit' });
  renameSync(tmp, out);
  return out;
}

if (process.argv[1] && process.argv[1].endsWith('make-global.mjs')) {
  const t0 = Date.now();
  console.log(globalTif(join(dirname(new URL(import.meta.url).pathname), '..', 'out', 'raster')), `${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
