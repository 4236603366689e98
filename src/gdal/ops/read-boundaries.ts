/**
 * Reads a boundary file for `subsetd boundaries import` (GeoJSON, GeoPackage, zipped shapefile;
 * any CRS): every polygon feature reprojected to lon/lat, invalid geometries repaired with
 * makeValid, or rejected with the feature named.
 */
import type { MultiPolygonCoords } from '../../regions/geojson.js';
import type { OpContext } from '../child-protocol.js';
import type { Gdal } from './gdal-type.js';
import { OpInputError } from './op-error.js';

export interface ReadBoundariesArgs {
  file: string;
  idField: string;
  nameField: string;
  layer?: string;
}

export interface ReadBoundariesResult {
  features: Array<{ id: string; name: string; parts: MultiPolygonCoords; repaired: boolean }>;
  layer: string;
  sourceCrs: string | null;
}

export async function readBoundaries(gdal: Gdal, a: ReadBoundariesArgs, ctx: OpContext): Promise<ReadBoundariesResult> {
  const ds = await gdal.openAsync(a.file.toLowerCase().endsWith('.zip') ? `/vsizip/${a.file}` : a.file);
  const layer = a.layer ? ds.layers.get(a.layer) : ds.layers.get(0);
  if (!layer) throw new OpInputError('layer', `no layer ${a.layer ?? 0} in ${a.file}`);
  const fields = layer.fields.getNames();
  for (const [opt, f] of [['--id-field', a.idField], ['--name-field', a.nameField]] as const)
    if (!fields.includes(f)) throw new OpInputError(opt, `no field "${f}" in layer ${layer.name}; fields: ${fields.join(', ')}`);
  const crs84 = gdal.SpatialReference.fromUserInput('OGC:CRS84');
  const toLonLat = layer.srs ? new gdal.CoordinateTransformation(layer.srs, crs84) : null;
  const out: ReadBoundariesResult['features'] = [];
  const total = layer.features.count() || 1;
  let n = 0;
  for (let f = layer.features.first(); f; f = layer.features.next()) {
    n++;
    const id = String(f.fields.get(a.idField) ?? '').trim();
    const name = String(f.fields.get(a.nameField) ?? '').trim();
    const label = `feature #${n} (${a.idField}=${JSON.stringify(id)})`;
    if (!id) throw new OpInputError('--id-field', `${label} has an empty id`);
    let g = f.getGeometry();
    if (!g) throw new OpInputError(a.file, `${label} has no geometry`);
    g = g.clone();
    if (toLonLat) g.transform(toLonLat);
    let repaired = false;
    if (!g.isValid()) {
      g = g.makeValid();
      repaired = true;
      if (!g.isValid()) throw new OpInputError(a.file, `${label}: invalid geometry that could not be repaired`);
    }
    const json = JSON.parse(g.toJSON()) as { type: string; coordinates?: unknown; geometries?: Array<{ type: string; coordinates: unknown }> };
    const polys = polygonsOf(json);
    if (!polys.length) throw new OpInputError(a.file, `${label}: not a polygon (${json.type})`);
    out.push({ id, name: name || id, parts: polys, repaired });
    if (n % 100 === 0) ctx.progress((100 * n) / total, `${n} features`);
  }
  return { features: out, layer: layer.name, sourceCrs: layer.srs?.getAuthorityCode(null) ? `EPSG:${layer.srs.getAuthorityCode(null)}` : (layer.srs?.toProj4() ?? null) };
}

function polygonsOf(g: { type: string; coordinates?: unknown; geometries?: Array<{ type: string; coordinates?: unknown }> }): MultiPolygonCoords {
  if (g.type === 'Polygon') return [g.coordinates as MultiPolygonCoords[number]];
  if (g.type === 'MultiPolygon') return g.coordinates as MultiPolygonCoords;
  if (g.type === 'GeometryCollection') return (g.geometries ?? []).flatMap((x) => polygonsOf(x));
  return [];
}
