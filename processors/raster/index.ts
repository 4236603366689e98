import type { ProcessorFamily } from '../../src/processes/types.js';
import { clipRasterProcess } from './clip-raster.js';

const raster: ProcessorFamily = { name: 'raster', processes: [clipRasterProcess] };
export default raster;
