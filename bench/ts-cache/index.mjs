// `npm run bench` area for the NetCDF time-series cache: the bench lives beside the other NetCDF
// ones (bench/netcdf/ts-cache.mjs, which uses their 1-year file and peer helpers).
export { default } from '../netcdf/ts-cache.mjs';
