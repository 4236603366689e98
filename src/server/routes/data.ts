/**
 * GET /data?path=        a folder of SUBSETD_DATA_ROOT (stat only: fast for thousands of files)
 * GET /data/info?path=   one file's metadata: NetCDF variables, grid and time; raster size, CRS,
 *                        bounds and bands; vector layers
 * Never anything outside the data root: src/data-browser/resolve.ts uses the processors' resolver.
 */
import { realpathSync } from 'node:fs';
import type { Hono } from 'hono';
import { dataInfo } from '../../data-browser/info.js';
import { listFolder } from '../../data-browser/list.js';
import { resolveBrowsePath } from '../../data-browser/resolve.js';
import type { AppEnv } from '../context.js';
import { baseUrl, JSON_TYPE } from '../links.js';
import { ApiError, PROBLEM } from '../problem.js';

const q = (v: string | undefined) => v ?? '';

export function dataRoutes(app: Hono<AppEnv>) {
  app.get('/data', async (c) => {
    const root = c.var.deps.config.dataRoot;
    const dir = resolveBrowsePath(root, q(c.req.query('path')), 'dir');
    const { entries, truncated } = await listFolder(realpathSync(root), dir.abs, dir.rel).catch((e: NodeJS.ErrnoException) => {
      // A folder the service may not read (permissions): the client's request is fine, the folder is not listable.
      if (e.code === 'EACCES' || e.code === 'EPERM') throw new ApiError(403, PROBLEM.forbidden, 'Forbidden', `path: "${dir.rel}" cannot be read by the service (file permissions)`, { field: 'path' });
      throw e;
    });
    const base = baseUrl(c, c.var.deps.config);
    const parent = dir.rel.includes('/') ? dir.rel.slice(0, dir.rel.lastIndexOf('/')) : '';
    return c.json({
      path: dir.rel,
      entries,
      ...(truncated ? { truncated: true } : {}),
      links: [
        { href: `${base}/data?path=${encodeURIComponent(dir.rel)}`, rel: 'self', type: JSON_TYPE, title: 'This folder' },
        ...(dir.rel ? [{ href: `${base}/data?path=${encodeURIComponent(parent)}`, rel: 'up', type: JSON_TYPE, title: 'Parent folder' }] : []),
      ],
    });
  });

  app.get('/data/info', async (c) => {
    const f = resolveBrowsePath(c.var.deps.config.dataRoot, q(c.req.query('path')), 'file');
    const info = await dataInfo(f.abs, f.rel, f.stat);
    return c.json({ path: f.rel, size: f.stat.size, modified: f.stat.mtime.toISOString(), ...info });
  });
}
