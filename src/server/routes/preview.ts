/**
 * POST /preview/mask {path, variable?, region} → {cells, grid, geometry}: the grid cells of a
 * NetCDF file a mask would keep, for the console to draw before a job is submitted.
 */
import type { Hono } from 'hono';
import { resolveBrowsePath } from '../../data-browser/resolve.js';
import { previewMask } from '../../preview/mask-preview.js';
import type { AppEnv } from '../context.js';
import { badInput } from '../problem.js';
import { readJsonBody } from '../read-json.js';

export function previewRoutes(app: Hono<AppEnv>) {
  app.post('/preview/mask', async (c) => {
    const body = await readJsonBody(c);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badInput('body', 'must be an object {"path", "variable"?, "region"}');
    const b = body as Record<string, unknown>;
    if (typeof b.path !== 'string' || b.path.trim() === '') throw badInput('path', 'must be a NetCDF file path relative to the data root');
    const f = resolveBrowsePath(c.var.deps.config.dataRoot, b.path, 'file');
    const t0 = performance.now();
    const res = await previewMask(f.abs, f.rel, f.stat, b.variable, b.region);
    c.header('Server-Timing', `mask;dur=${(performance.now() - t0).toFixed(1)}`);
    return c.json({ path: f.rel, ...res });
  });
}
