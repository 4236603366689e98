/**
 * GET /datasets, GET /datasets/{id}: what this server hosts (SUBSETD_DATASETS).
 * GET /packages, GET /packages/{boundary} (with its datapackage.json), GET /packages/{boundary}/zip.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Hono } from 'hono';
import type { Dataset } from '../../datasets/datasets.js';
import { packagesRoot } from '../../datasets/runtime.js';
import type { AppEnv } from '../context.js';
import { baseUrl, JSON_TYPE } from '../links.js';
import { ApiError, PROBLEM } from '../problem.js';
import { sendFile } from '../send-file.js';

const notFound = (what: string) => new ApiError(404, PROBLEM.notFound, 'Not found', what);

export function datasetsRoutes(datasets: Dataset[]) {
  const view = (d: Dataset, base: string) => ({
    ...d,
    links: [{ href: `${base}/datasets/${d.id}`, rel: 'self', type: JSON_TYPE, title: d.title }],
  });
  return (app: Hono<AppEnv>) => {
    app.get('/datasets', (c) => {
      const base = baseUrl(c, c.var.deps.config);
      return c.json({ datasets: datasets.map((d) => view(d, base)), links: [{ href: `${base}/datasets`, rel: 'self', type: JSON_TYPE, title: 'Datasets' }] });
    });
    app.get('/datasets/:id', (c) => {
      const d = datasets.find((x) => x.id === c.req.param('id'));
      if (!d) throw notFound(`no dataset "${c.req.param('id')}"`);
      return c.json(view(d, baseUrl(c, c.var.deps.config)));
    });
  };
}

export function packagesRoutes() {
  const safe = (s: string) => /^[A-Za-z0-9._-]{1,200}$/.test(s) && !s.startsWith('.');
  return (app: Hono<AppEnv>) => {
    const root = (c: { var: AppEnv['Variables'] }) => packagesRoot(c.var.deps.config.stateDir);
    const dpFile = (c: { var: AppEnv['Variables'] }, b: string) => join(root(c), b, 'datapackage.json');
    app.get('/packages', (c) => {
      const base = baseUrl(c, c.var.deps.config);
      const dir = root(c);
      const names = existsSync(dir) ? readdirSync(dir).filter((b) => safe(b) && existsSync(dpFile(c, b))).sort() : [];
      return c.json({
        packages: names.map((b) => ({ boundary: b, links: [{ href: `${base}/packages/${b}`, rel: 'item', type: JSON_TYPE, title: `Package ${b}` }] })),
        links: [{ href: `${base}/packages`, rel: 'self', type: JSON_TYPE, title: 'Packages' }],
      });
    });
    app.get('/packages/:boundary', (c) => {
      const b = c.req.param('boundary');
      if (!safe(b) || !existsSync(dpFile(c, b))) throw notFound(`no package for "${b}"`);
      const base = baseUrl(c, c.var.deps.config);
      return c.json({
        boundary: b,
        datapackage: JSON.parse(readFileSync(dpFile(c, b), 'utf8')),
        links: [{ href: `${base}/packages/${b}/zip`, rel: 'enclosure', type: 'application/zip', title: `${b}.zip` }],
      });
    });
    app.get('/packages/:boundary/zip', (c) => {
      const b = c.req.param('boundary');
      const path = join(root(c), safe(b) ? b : '_', `${b}.zip`);
      if (!safe(b) || !existsSync(path)) throw notFound(`no package for "${b}"`);
      const st = statSync(path);
      // Packages live outside the results dir, so nginx's X-Accel location does not cover them.
      return sendFile(c, { path, size: st.size, mtime: st.mtime, rel: '', type: 'application/zip', downloadName: `${b}.zip` }, '');
    });
  };
}
