// The peer commands isimip-files-api runs (cdo, ncks), timed the same way, and the country mask
// cdo needs: Natural Earth's outline burnt by gdal_rasterize (cell centre rule) on the input
// grid, flipped to the input's north-to-south latitude order.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function timeCommand(cmd, args) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  // netCDF-C prints harmless HDF5-DIAG noise on stderr: only the exit code counts.
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${String(r.stderr).slice(-500)}`);
  return (performance.now() - t0) / 1000;
}

/** A 0/1 mask of `parts` on the global 0.5° grid, north to south, as cdo -ifthen wants it. */
export function countryMask(dir, iso, parts) {
  const mask = join(dir, `mask_${iso}.nc`);
  if (existsSync(mask)) return mask;
  const gj = join(dir, `${iso}.geojson`);
  writeFileSync(gj, JSON.stringify({ type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: parts } }));
  const sn = join(dir, `mask_${iso}_sn.nc`);
  execFileSync('gdal_rasterize', ['-q', '-init', '0', '-burn', '1', '-te', '-180', '-90', '180', '90', '-tr', '0.5', '0.5', '-ot', 'Byte', '-of', 'netCDF', '-a_srs', 'EPSG:4326', gj, sn]);
  execFileSync('cdo', ['-s', 'invertlat', sn, mask], { stdio: 'ignore' });
  return mask;
}
