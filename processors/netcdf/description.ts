/** OGC process description of netcdf-subset: the JSON Schemas validate requests and feed /openapi.json. */
import type { ProcessDescription } from '../../src/processes/types.js';
import { MAX_OPERATIONS, MAX_PATHS, OPERATION_NAMES } from './operations.js';

const flags = {
  compute_mean: { type: 'boolean', description: 'Area-weighted (cos lat) mean over the remaining cells, as cdo fldmean. Last operation only.' },
  output_csv: { type: 'boolean', description: 'Write CSV "date,value": a point series, with compute_mean the field mean, otherwise every cell of the region per time step as cdo outputtab,date,value,nohead prints it (no header). Last operation only.' },
};
const bbox = { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4, description: '[west, south, east, north] in degrees; west > east crosses the antimeridian.' };

const operation = {
  type: 'object',
  required: ['operation'],
  properties: {
    operation: { enum: [...OPERATION_NAMES] },
    bbox,
    point: { type: 'object', required: ['type', 'coordinates'], properties: { type: { const: 'Point' }, coordinates: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 3 } }, description: 'GeoJSON Point, [lon, lat].' },
    country: { type: 'string', pattern: '^[A-Za-z]{3}$', description: 'ISO 3166-1 alpha-3 code, any case (Natural Earth 1:50m outline).' },
    file: { type: 'string', description: 'mask_polygon, create_mask: name of an uploaded GeoJSON file or zipped shapefile (lon/lat).' },
    polygon: { type: 'object', description: 'mask_polygon: inline GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection (lon/lat).' },
    mask: {
      type: 'string',
      description:
        'mask_mask: name of an uploaded NetCDF mask on the input grid, or of the file an earlier create_mask makes. create_mask: name of the mask file it writes ' +
        "(once per job, on the first input's grid: one int8 variable m_0, m_1, ... per feature of `file`, 1 inside, -128 outside; added to the outputs with `file`).",
    },
    var: { type: 'string', description: 'mask_mask: mask variable (default m_0); cells where it is non-zero are kept.' },
    ...flags,
    max_resolution: {
      type: 'array',
      items: { type: 'integer', minimum: 1 },
      minItems: 2,
      maxItems: 2,
      description: 'Largest input grid [longitudes, latitudes] this operation takes; a larger input fails on its own (errors.json), the others go on. The ISIMIP endpoint sets it for its resolution limits.',
    },
  },
  additionalProperties: false,
};

const fileRef = { type: 'object', properties: { href: { type: 'string' }, type: { type: 'string' } } };

export const description: ProcessDescription = {
  id: 'netcdf-subset',
  version: '1.0.0',
  title: 'Subset NetCDF files to a region',
  description:
    'Applies a chain of up to 4 operations (select_bbox, mask_bbox, cutout_bbox, select_point, cutout_point, mask_country, mask_landonly, mask_polygon, mask_mask, create_mask) ' +
    'to up to 32 NetCDF-3 or NetCDF-4 files under the data root, on any regular lat/lon grid. Outputs are NetCDF-4 classic (deflate 5) or CSV, one per input, and a zip of all ' +
    'with README.txt and errors.json (files that failed). create_mask runs once: its mask file and shape are outputs too; alone, they are the only ones.',
  keywords: ['netcdf', 'subset', 'mask', 'isimip', 'cdo', 'ncks'],
  // sync-execute: a point answered from the time-series cache is one round trip (the job still
  // exists and is listed); a long job answers as an asynchronous one after SUBSETD_SYNC_TIMEOUT.
  jobControlOptions: ['sync-execute', 'async-execute', 'dismiss'],
  inputs: {
    paths: {
      title: 'Input files',
      description: 'Paths relative to the data root (SUBSETD_DATA_ROOT).',
      schema: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 1024 }, minItems: 1, maxItems: MAX_PATHS },
    },
    operations: {
      title: 'Operations',
      description: 'Applied in order to every file (create_mask once per job). bbox [west, south, east, north]; point GeoJSON [lon, lat].',
      schema: { type: 'array', items: operation, minItems: 1, maxItems: MAX_OPERATIONS },
    },
    naming: {
      title: 'Output names',
      description:
        '"subsetd": the input name with the operations\' tags joined by "_" ("_global_" replaced), "_fldmean" for means. "isimip": as isimip-files-api names them (tags joined by "+", Python float notation, no "_fldmean", the input\'s suffix kept), and errors keyed by file name. The ISIMIP endpoint sends "isimip".',
      schema: { type: 'string', enum: ['subsetd', 'isimip'], default: 'subsetd' },
      minOccurs: 0,
    },
    csv_header: {
      title: 'CSV header line',
      description: 'Whether CSV outputs start with a "date,value" line. false: exactly what cdo outputtab,date,value,nohead prints (the ISIMIP endpoint sends false).',
      schema: { type: 'boolean', default: true },
      minOccurs: 0,
    },
  },
  outputs: {
    archive: { title: 'All outputs as zip', schema: { ...fileRef, contentMediaType: 'application/zip' } },
    files: { title: "Output files, one per input that succeeded, and create_mask's shape and mask", schema: { type: 'array', items: fileRef } },
    errors: { title: 'errors.json: input path -> message, for files that failed', schema: { ...fileRef, contentMediaType: 'application/json' } },
  },
};
