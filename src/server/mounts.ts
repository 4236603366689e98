/** Extra HTTP front-ends mounted beside the OGC API (e.g. the ISIMIP Files API adapter). */
import { isimipMount } from '../isimip/mount.js';
import type { Config } from '../config/table.js';
import type { Mount } from './app.js';
import { geoMounts } from './routes/geo-mount.js';

export function mountsFor(config: Config): Mount[] {
  return [isimipMount, ...geoMounts(config)];
}
