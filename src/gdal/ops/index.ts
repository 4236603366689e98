/** The operations a GDAL child performs, by name. Each runs entirely inside the child. */
import type { OpContext } from '../child-protocol.js';
import { clipRaster } from './clip-raster.js';
import type { Gdal } from './gdal-type.js';

type Op = (gdal: Gdal, args: never, ctx: OpContext) => Promise<unknown>;

export const OPS: Record<string, Op> = {
  'clip-raster': clipRaster as Op,
  // Tests and the design doc use it to show a crash fails only its job.
  'crash-for-test': (async () => process.kill(process.pid, 'SIGSEGV')) as Op,
};
