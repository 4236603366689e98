/**
 * Real sample geodata from Debian packages (never committed): r-cran-terra's Luxembourg
 * elevation and cantons, r-cran-stars' CF NetCDF without a CRS and Landsat-7 scene (6 bands,
 * UTM 25S), r-cran-sf's North Carolina
 * GeoPackage. Downloaded once with `apt-get download` and unpacked under test/.tmp/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/service.js';

const DIR = join(ROOT, 'test/.tmp/samples');
const SITE = join(DIR, 'usr/lib/R/site-library');

function unpack(pkg: string, probe: string): string {
  const file = join(SITE, probe);
  if (existsSync(file)) return file;
  mkdirSync(DIR, { recursive: true });
  execFileSync('apt-get', ['download', pkg], { cwd: DIR, stdio: 'ignore' });
  const deb = readdirSync(DIR).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download ${pkg} gave no .deb`);
  execFileSync('dpkg-deb', ['-x', join(DIR, deb), DIR]);
  if (!existsSync(file)) throw new Error(`${pkg} has no ${probe}`);
  return file;
}

export const samples = {
  elevTif: () => unpack('r-cran-terra', 'terra/ex/elev.tif'),
  luxShp: () => unpack('r-cran-terra', 'terra/ex/lux.shp'),
  bcsdNc: () => unpack('r-cran-stars', 'stars/nc/bcsd_obs_1999.nc'),
  l7Tif: () => unpack('r-cran-stars', 'stars/tif/L7_ETMs.tif'),
  ncGpkg: () => unpack('r-cran-sf', 'sf/gpkg/nc.gpkg'),
};
