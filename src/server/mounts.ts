/** Extra HTTP front-ends mounted beside the OGC API (e.g. the ISIMIP Files API adapter). */
import { isimipMount } from '../isimip/mount.js';
import type { Config } from '../config/table.js';
import type { Mount } from './app.js';
import { consoleRoutes, DEFAULT_PUBLIC_DIR } from '../console/routes.js';
import { dataRoutes } from './routes/data.js';
import { geoMounts } from './routes/geo-mount.js';
import { previewRoutes } from './routes/preview.js';

export function mountsFor(config: Config): Mount[] {
  return [isimipMount, ...geoMounts(config), dataRoutes, previewRoutes, consoleRoutes(DEFAULT_PUBLIC_DIR)];
}
