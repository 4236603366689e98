/** Extra HTTP front-ends mounted beside the OGC API (e.g. the ISIMIP Files API adapter). */
import { isimipMount } from '../isimip/mount.js';
import type { Mount } from './app.js';
import { geoMounts } from './routes/geo-mount.js';

export function mountsFor(): Mount[] {
  return [isimipMount, ...geoMounts()];
}
