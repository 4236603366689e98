/** The package as one zip, written beside it under a temp name and renamed into place. */
import { createWriteStream, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ZipFile } from 'yazl';

export async function writeZip(pkgDir: string, zipName: string, files: string[]): Promise<void> {
  const tmp = join(pkgDir, `.${zipName}.tmp-${process.pid}-${Date.now()}`);
  const zip = new ZipFile();
  // Rasters and GeoPackages are compressed already: store, do not deflate again.
  for (const f of files) zip.addFile(join(pkgDir, f), f, { compress: !/\.(tif|gpkg|fgb|zip)$/i.test(f) });
  zip.end();
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(createWriteStream(tmp)).on('close', () => resolve()).on('error', reject);
  });
  renameSync(tmp, join(pkgDir, zipName));
}
