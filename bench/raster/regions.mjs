// Country outlines for the bench, from the shipped set as the service builds it (bundled
// helpers in dist/subsetd.cjs are not importable, so the boundary store is read directly).
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let db;

function store() {
  if (db) return db;
  const state = mkdtempSync(join(tmpdir(), 'subsetd-bench-raster-'));
  // `boundaries list` opens the store and loads the shipped set, exactly as `serve` does.
  execFileSync(process.execPath, [join(root, 'dist', 'subsetd.cjs'), 'boundaries', 'list'], { env: { PATH: process.env.PATH, SUBSETD_STATE_DIR: state } });
  const Database = require('better-sqlite3');
  db = new Database(join(state, 'boundaries.db'), { readonly: true });
  return db;
}

/** parts: compact (as clip-raster gets them); cutParts: cut at ±180 (as gdalwarp's cutline). */
export function shippedRegion(id) {
  const row = store().prepare("SELECT parts, minx, miny, maxx, maxy FROM boundaries WHERE set_name = 'admin0' AND id = ?").get(id);
  const cutParts = JSON.parse(row.parts);
  const [w, e] = [row.minx, row.maxx];
  // Same rule as src/regions/antimeridian.ts: parts west of the compact bbox's start move by +360.
  const parts = cutParts.map((p) => {
    const lo = Math.min(...p[0].map((q) => q[0]));
    return lo < w - 1e-9 ? p.map((r) => r.map(([x, y]) => [x + 360, y])) : p;
  });
  return { parts, cutParts, bbox: [w, row.miny, e, row.maxy] };
}
