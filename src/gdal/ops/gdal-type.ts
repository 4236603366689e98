export type Gdal = typeof import('gdal-async');
