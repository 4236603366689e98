/**
 * The window a polygon clip copies, as a VRT that reads only the source blocks the polygon
 * touches. A country's bbox is mostly outside it (Russia's holds ~2.5× its area, with the Arctic
 * Ocean and Central Asia), and reading and inflating those source tiles was most of the copy's
 * time. Cells of CELL × CELL pixels are marked by rasterizing the polygon on a coarse grid with
 * ALL_TOUCHED (so no cell holding a pixel centre inside is missed); untouched cells are left to
 * the VRT's nodata and never read. The inverse burn afterwards sets the exact edge as before.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Dataset } from 'gdal-async';
import type { Gdal } from './gdal-type.js';

const CELL = 256;

type Rect = { x: number; y: number; w: number; h: number };

const rectRe = (tag: string) => new RegExp(`<${tag} xOff="([^"]+)" yOff="([^"]+)" xSize="([^"]+)" ySize="([^"]+)"\\s*/>`);
function readRect(xml: string, tag: string): Rect | null {
  const m = xml.match(rectRe(tag));
  if (!m) return null;
  const [x, y, w, h] = m.slice(1).map(Number);
  return [x, y, w, h].every(Number.isInteger) ? { x, y, w, h } : null;
}
const rectXml = (tag: string, r: Rect) => `<${tag} xOff="${r.x}" yOff="${r.y}" xSize="${r.w}" ySize="${r.h}" />`;

/** Runs of touched cells, as rectangles in window pixels. */
function touchedRuns(mask: Uint8Array, cols: number, rows: number, w: number, h: number): Rect[] {
  const out: Rect[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; ) {
      if (!mask[r * cols + c]) {
        c++;
        continue;
      }
      const c0 = c;
      while (c < cols && mask[r * cols + c]) c++;
      const x = c0 * CELL;
      const y = r * CELL;
      out.push({ x, y, w: Math.min(w, c * CELL) - x, h: Math.min(h, y + CELL) - y });
    }
  }
  return out;
}

/**
 * Writes `vrtPath`: the window [x0, y0, w, h] of `src` (with `extraArgs`, e.g. -a_nodata),
 * restricted to the cells `cutline` (in the source's CRS) touches. Returns the touched fraction.
 */
export async function writeSparseWindow(gdal: Gdal, src: Dataset, win: [number, number, number, number], cutline: Dataset, vrtPath: string, extraArgs: string[]): Promise<number> {
  const [x0, y0, w, h] = win;
  const vrt = await gdal.translateAsync(vrtPath, src, ['-of', 'VRT', '-srcwin', ...win.map(String), ...extraArgs]);
  vrt.close();
  const gt = src.geoTransform;
  if (!gt || gt[2] !== 0 || gt[4] !== 0) return 1;
  const cols = Math.ceil(w / CELL);
  const rows = Math.ceil(h / CELL);
  const mem = gdal.drivers.get('MEM').create('', cols, rows, 1, gdal.GDT_Byte);
  let mask: Uint8Array;
  try {
    mem.geoTransform = [gt[0] + x0 * gt[1], CELL * gt[1], 0, gt[3] + y0 * gt[5], 0, CELL * gt[5]];
    if (src.srs) mem.srs = src.srs;
    await gdal.rasterizeAsync(mem, cutline, ['-burn', '1', '-at']);
    mask = mem.bands.get(1).pixels.read(0, 0, cols, rows) as Uint8Array;
  } finally {
    mem.close();
  }
  const runs = touchedRuns(mask, cols, rows, w, h);
  const fraction = runs.reduce((s, r) => s + r.w * r.h, 0) / (w * h);
  if (fraction > 0.9) return fraction;
  const xml = readFileSync(vrtPath, 'utf8');
  let ok = true;
  const out = xml.replace(/<(SimpleSource|ComplexSource)( [^>]*)?>[\s\S]*?<\/\1>/g, (el) => {
    const S = readRect(el, 'SrcRect');
    const D = readRect(el, 'DstRect');
    if (!S || !D || S.w !== D.w || S.h !== D.h) {
      ok = false; // resampled or fractional: keep the plain window
      return el;
    }
    return runs
      .map((r) => {
        const x = Math.max(r.x, D.x);
        const y = Math.max(r.y, D.y);
        const xe = Math.min(r.x + r.w, D.x + D.w);
        const ye = Math.min(r.y + r.h, D.y + D.h);
        if (xe <= x || ye <= y) return '';
        const dst = { x, y, w: xe - x, h: ye - y };
        const srcRect = { x: S.x + (x - D.x), y: S.y + (y - D.y), w: dst.w, h: dst.h };
        return el.replace(rectRe('SrcRect'), rectXml('SrcRect', srcRect)).replace(rectRe('DstRect'), rectXml('DstRect', dst));
      })
      .join('\n');
  });
  if (ok) writeFileSync(vrtPath, out);
  return ok ? fraction : 1;
}
