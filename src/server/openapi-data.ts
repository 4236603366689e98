/** /openapi.json entries of the data browser and the mask preview (src/server/routes/data.ts, preview.ts). */
const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const json = (schema: unknown) => ({ 'application/json': { schema } });
const err = (description: string) => ({ description, content: problem });
const pathParam = (description: string) => ({ name: 'path', in: 'query', required: false, description, schema: { type: 'string', default: '' } });

const grid = {
  type: 'object',
  description: 'The lat/lon grid the processors use: extent as cell edges, in the file\'s own longitudes.',
  properties: {
    west: { type: 'number' }, east: { type: 'number' }, south: { type: 'number' }, north: { type: 'number' },
    dlon: { type: 'number' }, dlat: { type: 'number' }, nlon: { type: 'integer' }, nlat: { type: 'integer' },
    latOrder: { type: 'string', enum: ['ascending', 'descending'] }, lon0360: { type: 'boolean' },
  },
};

const entry = {
  type: 'object',
  required: ['name', 'path', 'type', 'size', 'modified'],
  properties: {
    name: { type: 'string' },
    path: { type: 'string', description: 'Relative to the data root: what processes take as input paths.' },
    type: { type: 'string', enum: ['dir', 'file'] },
    size: { type: 'integer' },
    modified: { type: 'string', format: 'date-time' },
    format: { type: 'string', enum: ['netcdf', 'geotiff', 'raster', 'vector', 'zip', 'csv', 'json'], description: 'Guessed from the name; GET /data/info looks inside.' },
  },
};

export const DATA_PATHS: Record<string, unknown> = {
  '/data': {
    get: {
      summary: 'List a folder of the data root',
      description: 'Folders first, then files; hidden files and symlinks leading out of the data root are not shown. Paths with "..", absolute paths or symlinks out are refused (400/404, field "path").',
      operationId: 'listData',
      parameters: [pathParam('Folder relative to SUBSETD_DATA_ROOT; empty for the root.')],
      responses: {
        '200': { description: 'Folder listing', content: json({ type: 'object', required: ['path', 'entries'], properties: { path: { type: 'string' }, entries: { type: 'array', items: entry }, truncated: { type: 'boolean' }, links: { type: 'array', items: { type: 'object' } } } }) },
        '400': err('Bad path (field "path")'),
        '404': err('No such folder'),
      },
    },
  },
  '/data/info': {
    get: {
      summary: "A data file's metadata",
      description: 'NetCDF: variables, dimensions, grid and time range. Rasters: size, CRS, bounds, bands. Vectors: layers. Read on first request and cached until the file changes.',
      operationId: 'dataInfo',
      parameters: [{ ...pathParam('File relative to SUBSETD_DATA_ROOT.'), required: true }],
      responses: {
        '200': {
          description: 'Metadata; `format` tells which kind',
          content: json({
            type: 'object',
            required: ['path', 'format'],
            properties: {
              path: { type: 'string' },
              format: { type: 'string', enum: ['netcdf', 'raster', 'vector'] },
              variables: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, dims: { type: 'array', items: { type: 'string' } }, shape: { type: 'array', items: { type: 'integer' } }, units: { type: 'string' }, long_name: { type: 'string' } } } },
              dimensions: { type: 'object', additionalProperties: { type: 'integer' } },
              grid: { ...grid, nullable: true },
              time: { type: 'object', nullable: true, properties: { start: { type: 'string' }, end: { type: 'string' }, steps: { type: 'integer' }, units: { type: 'string' }, calendar: { type: 'string' } } },
              width: { type: 'integer' },
              height: { type: 'integer' },
              crs: { type: 'string', nullable: true },
              bounds: { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4, nullable: true },
              bands: { type: 'array', items: { type: 'object' } },
              layers: { type: 'array', items: { type: 'object' } },
            },
          }),
        },
        '400': err('Bad path, a folder, or a file that is not readable data (field "path")'),
        '404': err('No such file'),
      },
    },
  },
  '/preview/mask': {
    post: {
      summary: "Grid cells a region selects in a NetCDF file",
      description: 'Computed by the same code as a netcdf-subset job (mask_country, mask_bbox, mask_polygon); `cells` equals the number of cells the job keeps. `geometry` outlines them (rows merged into rectangles, longitudes in -180..180).',
      operationId: 'previewMask',
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['path', 'region'],
          properties: {
            path: { type: 'string', description: 'NetCDF file relative to the data root' },
            variable: { type: 'string' },
            region: {
              type: 'object',
              description: 'Exactly one of: country (ISO 3166-1 alpha-3), bbox [west, south, east, north], polygon (GeoJSON), boundary (id in boundarySet, default admin0).',
              properties: { country: { type: 'string' }, bbox: { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4 }, polygon: { type: 'object' }, boundary: { type: 'string' }, boundarySet: { type: 'string' } },
            },
          },
        }),
      },
      responses: {
        '200': { description: 'Selected cells', content: json({ type: 'object', required: ['cells', 'grid', 'geometry'], properties: { path: { type: 'string' }, cells: { type: 'integer' }, grid, geometry: { type: 'object', description: 'GeoJSON MultiPolygon' } } }) },
        '400': err('Bad input; `field` names it (path, variable, region, region.country, ...)'),
        '404': err('No such file'),
      },
    },
  },
};
