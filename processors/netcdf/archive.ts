/**
 * The job's zip: every output (per-file results, and create_mask's shape and mask), README.txt
 * (what was run) and errors.json (files that failed).
 */
import { createWriteStream, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yazl from 'yazl';
import { isCreateMask, type Op } from './operations.js';

export function readme(jobId: string, paths: string[], ops: Op[], files: string[], errors: Record<string, string>): string {
  return [
    `subsetd netcdf-subset, job ${jobId}`,
    `created ${new Date().toISOString()}`,
    '',
    ops.some(isCreateMask) ? "Operations, applied in this order to each file (create_mask once, before them, on the first input's grid):" : 'Operations, applied in this order to each file:',
    ...ops.map((o, i) => `  ${i + 1}. ${JSON.stringify(o)}`),
    '',
    `Inputs (${paths.length}):`,
    ...paths.map((p) => `  ${p}`),
    '',
    `Outputs (${files.length}):`,
    ...files.map((f) => `  ${f}`),
    ...(Object.keys(errors).length ? ['', `Failed (${Object.keys(errors).length}), see errors.json:`, ...Object.entries(errors).map(([p, m]) => `  ${p}: ${m}`)] : []),
    '',
    'Masks: Natural Earth 1:50m (public domain); a cell belongs to a region when its centre is inside.',
    'Field means: area-weighted by cos(latitude), missing cells left out, as cdo fldmean.',
    '',
  ].join('\n');
}

/** Writes the text files, then the zip under a temporary name, renamed when complete. */
export async function writeArchive(dir: string, zipName: string, files: string[], readmeText: string, errors: Record<string, string>): Promise<string[]> {
  const extras = ['README.txt'];
  writeFileSync(join(dir, 'README.txt'), readmeText);
  if (Object.keys(errors).length) {
    writeFileSync(join(dir, 'errors.json'), `${JSON.stringify(errors, null, 2)}\n`);
    extras.push('errors.json');
  }
  const zip = new yazl.ZipFile();
  // NetCDF outputs are deflated already, an uploaded zipped shapefile too: store them, compress the text.
  for (const f of files) zip.addFile(join(dir, f), f, { compress: !/\.(nc|zip)$/i.test(f) });
  for (const f of extras) zip.addFile(join(dir, f), f);
  zip.end();
  const tmp = join(dir, `${zipName}.part`);
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(tmp);
    out.on('close', resolve).on('error', reject);
    zip.outputStream.on('error', reject).pipe(out);
  });
  renameSync(tmp, join(dir, zipName));
  return extras;
}
