/**
 * SUBSETD_MAX_UPLOAD_BYTES on the routes that submit jobs (OGC execution, ISIMIP POST): the
 * body, uploads included, is counted as it streams (a missing or false Content-Length does
 * not get past it), and the excess is a 429 naming the limit.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../server/context.js';
import { QuotaExceededError } from '../stores/job-store.js';
import { maxUploadBytes } from './limits.js';

export const uploadLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const max = maxUploadBytes(c.var.deps.config);
  if (max === null) return next();
  return bodyLimit({
    maxSize: max,
    onError: () => {
      throw new QuotaExceededError('max-upload-bytes', max, null);
    },
  })(c, next);
};
