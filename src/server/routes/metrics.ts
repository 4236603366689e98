import { Hono } from 'hono';
import type { AppEnv } from '../context.js';
import { ApiError, PROBLEM } from '../problem.js';
import { listenAddrText } from '../../config/parse.js';

/**
 * Prometheus text format. On the API port unless SUBSETD_METRICS_ADDR gives it its own listener
 * (src/metrics/listener.ts); admin scope with tokens (src/auth/route-class.ts).
 */
export const metrics = new Hono<AppEnv>().get('/metrics', async (c) => {
  const { metrics: m, config } = c.var.deps;
  if (config.metricsAddr) throw new ApiError(404, PROBLEM.notFound, 'Not found', `metrics are served on ${listenAddrText(config.metricsAddr)} (SUBSETD_METRICS_ADDR)`);
  return c.body(await m.registry.metrics(), 200, { 'Content-Type': m.registry.contentType });
});
