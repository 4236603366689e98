/** Mounts the ISIMIP Files API v2-compatible endpoint at /isimip/v2. */
import type { Mount } from '../server/app.js';
import { isimipRoutes } from './routes.js';

export const isimipMount: Mount = (app) => {
  app.route('/isimip/v2', isimipRoutes);
};
