/**
 * A geographic source seen three times side by side (shifted by -360, 0, +360 degrees) as a
 * VRT: a region continued past ±180 then reads real pixels on both sides of the seam, and the
 * warp writes one compact raster. The VRT is lazy: nothing is read that the warp does not ask for.
 */
import type { Dataset } from 'gdal-async';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function wrapVrtXml(ds: Dataset, srcName: string): string {
  const { x: w, y: h } = ds.rasterSize;
  const gt = ds.geoTransform!;
  const span = Math.round(360 / gt[1]);
  const bands: string[] = [];
  ds.bands.forEach((b) => {
    const n = b.id;
    const nd = b.noDataValue;
    const sources = [0, 1, 2]
      .map(
        (k) => `    <SimpleSource><SourceFilename relativeToVRT="0">${esc(srcName)}</SourceFilename><SourceBand>${n}</SourceBand>` +
          `<SrcRect xOff="0" yOff="0" xSize="${w}" ySize="${h}"/><DstRect xOff="${k * span}" yOff="0" xSize="${w}" ySize="${h}"/></SimpleSource>`,
      )
      .join('\n');
    bands.push(
      `  <VRTRasterBand dataType="${b.dataType}" band="${n}">${nd === null ? '' : `<NoDataValue>${nd}</NoDataValue>`}\n${sources}\n  </VRTRasterBand>`,
    );
  });
  const origin = gt[0] - span * gt[1];
  return [
    `<VRTDataset rasterXSize="${2 * span + w}" rasterYSize="${h}">`,
    `  <SRS>${esc(ds.srs!.toWKT())}</SRS>`,
    `  <GeoTransform>${[origin, gt[1], gt[2], gt[3], gt[4], gt[5]].join(', ')}</GeoTransform>`,
    ...bands,
    '</VRTDataset>',
  ].join('\n');
}

/** Does a geographic grid span the whole globe in longitude (so wrapping is meaningful)? */
export function isGlobalLon(ds: Dataset): boolean {
  const gt = ds.geoTransform;
  if (!gt || gt[2] !== 0 || gt[4] !== 0) return false;
  return Math.abs(ds.rasterSize.x * gt[1] - 360) < Math.abs(gt[1]) * 1.5;
}
