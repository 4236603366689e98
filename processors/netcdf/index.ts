/** The NetCDF processor family: netcdf-subset (ISIMIP Files API operations, natively). */
import type { ProcessorFamily } from '../../src/processes/types.js';
import { netcdfSubset } from './process.js';

const family: ProcessorFamily = { name: 'netcdf', processes: [netcdfSubset] };
export default family;
