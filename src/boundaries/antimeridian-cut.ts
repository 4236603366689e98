/**
 * Cuts spherical lon/lat polygons (rings that jump across ±180, Antarctica's ring that circles
 * the pole) into planar parts within -180..180, as RFC 7946 asks and as a cutline needs.
 * Rings are unwrapped to continuous longitudes, a pole-circling ring is closed along its pole,
 * and each ring is clipped to the 360°-wide windows it covers (Sutherland–Hodgman on a strip,
 * which is convex), then shifted home.
 */
import type { MultiPolygonCoords, PolygonCoords, Position, Ring } from '../regions/geojson.js';

function unwrap(ring: Ring): { ring: Ring; polar: boolean } {
  const out: Ring = [[ring[0][0], ring[0][1]]];
  for (let i = 1; i < ring.length; i++) {
    const prev = out[i - 1][0];
    let x = ring[i][0];
    while (x - prev > 180) x -= 360;
    while (x - prev < -180) x += 360;
    out.push([x, ring[i][1]]);
  }
  const drift = out[out.length - 1][0] - out[0][0];
  if (Math.abs(drift) > 180) {
    // The ring goes once around the pole: close it along that pole (south if it lies south).
    const pole = out.reduce((s, p) => s + p[1], 0) < 0 ? -90 : 90;
    const last = out[out.length - 1];
    out.push([last[0], pole], [out[0][0], pole], [out[0][0], out[0][1]]);
    return { ring: out, polar: true };
  }
  return { ring: out, polar: false };
}

function planarArea(r: Ring): number {
  let a = 0;
  for (let i = 0; i < r.length - 1; i++) a += r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1];
  return Math.abs(a / 2);
}

function clipStrip(ring: Ring, lo: number, hi: number): Ring {
  const edge = (pts: Ring, inside: (p: Position) => boolean, cut: (a: Position, b: Position) => Position): Ring => {
    const res: Ring = [];
    for (let i = 0; i < pts.length; i++) {
      const a = pts[i];
      const b = pts[(i + 1) % pts.length];
      if (inside(a)) res.push(a);
      if (inside(a) !== inside(b)) res.push(cut(a, b));
    }
    return res;
  };
  const at = (x: number) => (a: Position, b: Position): Position => [x, a[1] + ((b[1] - a[1]) * (x - a[0])) / (b[0] - a[0])];
  const open = ring.slice(0, -1);
  let r = edge(open, (p) => p[0] >= lo, at(lo));
  r = edge(r, (p) => p[0] <= hi, at(hi));
  if (r.length < 3) return [];
  return [...r, r[0]];
}

function cutPolygon(poly: PolygonCoords): MultiPolygonCoords {
  const unwrapped = poly.map(unwrap);
  let rings = unwrapped.map((u) => u.ring);
  const polar = unwrapped.filter((u) => u.polar).map((u) => u.ring);
  if (polar.length) {
    // world-atlas writes Antarctica spherically: a tiny ring around the pole as exterior and the
    // coast as a "hole". Closed along the pole, the coast is the real outline; the cap is a sliver.
    const outer = polar.reduce((a, b) => (planarArea(b) > planarArea(a) ? b : a));
    rings = [outer, ...unwrapped.filter((u) => !u.polar).map((u) => u.ring)];
  }
  let min = Infinity;
  let max = -Infinity;
  for (const [x] of rings[0]) {
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const out: MultiPolygonCoords = [];
  for (let k = Math.floor((min + 180) / 360); k * 360 - 180 < max; k++) {
    const lo = k * 360 - 180;
    const hi = lo + 360;
    const outer = clipStrip(rings[0], lo, hi);
    if (outer.length < 4) continue;
    const holes = rings.slice(1).map((h) => clipStrip(h, lo, hi)).filter((h) => h.length >= 4);
    out.push([outer, ...holes].map((r) => r.map(([x, y]) => [x - k * 360, y] as Position)));
  }
  return out;
}

export function cutAtAntimeridian(parts: MultiPolygonCoords): MultiPolygonCoords {
  return parts.flatMap(cutPolygon);
}
