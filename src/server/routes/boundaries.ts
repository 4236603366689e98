/**
 * GET /boundaries?set=&q=      search by name (case- and accent-insensitive)
 * GET /boundaries?lon=&lat=    boundaries containing a point (R*Tree, then exact test)
 * GET /boundaries/{set}/{id}   GeoJSON Feature with polygon, bbox and area
 */
import type { Hono } from 'hono';
import type { BoundaryStore } from '../../boundaries/store.js';
import type { AppEnv } from '../context.js';
import { baseUrl, JSON_TYPE } from '../links.js';
import { ApiError, badParameter, PROBLEM } from '../problem.js';

function num(v: string | undefined, field: string, lo: number, hi: number): number {
  const x = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(x) || x < lo || x > hi) throw badParameter(field, `must be a number within ${lo}..${hi}`);
  return x;
}

export function boundariesRoutes(store: BoundaryStore) {
  return (app: Hono<AppEnv>) => {
    app.get('/boundaries', (c) => {
      const base = baseUrl(c, c.var.deps.config);
      const { set, q, lon, lat, limit } = c.req.query();
      if (set !== undefined && !store.hasSet(set)) throw badParameter('set', `unknown boundary set "${set}"; sets: ${store.sets().map((s) => s.name).join(', ')}`);
      const lim = limit === undefined ? 50 : num(limit, 'limit', 1, 1000);
      let items;
      if (lon !== undefined || lat !== undefined) items = store.at(num(lon, 'lon', -180, 180), num(lat, 'lat', -90, 90), set);
      else items = store.search(q ?? '', set, lim);
      return c.json({
        sets: store.sets(),
        boundaries: items.map((b) => ({
          ...b,
          links: [{ href: `${base}/boundaries/${encodeURIComponent(b.set)}/${encodeURIComponent(b.id)}`, rel: 'item', type: 'application/geo+json', title: b.name }],
        })),
        links: [{ href: `${base}${c.req.path}`, rel: 'self', type: JSON_TYPE, title: 'Boundaries' }],
      });
    });
    app.get('/boundaries/:set/:id', (c) => {
      const b = store.get(c.req.param('set'), c.req.param('id'));
      if (!b) throw new ApiError(404, PROBLEM.notFound, 'No such boundary', `no boundary "${c.req.param('id')}" in set "${c.req.param('set')}"`);
      c.header('Content-Type', 'application/geo+json');
      return c.body(
        JSON.stringify({
          type: 'Feature',
          id: b.id,
          bbox: b.bbox,
          properties: { set: b.set, id: b.id, name: b.name, areaKm2: b.areaKm2, ...b.properties },
          geometry: { type: 'MultiPolygon', coordinates: b.parts },
        }),
      );
    });
  };
}
