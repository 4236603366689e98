import { resolve } from 'node:path';
import { SampleExistsError, writeSampleData } from '../sample-data/index.js';
import { configFrom } from './common.js';

/** `subsetd sample-data [DIR] [--force]`; DIR defaults to the data root (SUBSETD_DATA_ROOT). */
export async function sampleDataCommand(rest: string[], values: { 'env-file'?: string; force?: boolean }): Promise<number> {
  const dir = resolve(rest[0] ?? configFrom(values).dataRoot);
  try {
    await writeSampleData(dir, { force: values.force, log: (line) => console.log(line) });
  } catch (e) {
    if (e instanceof SampleExistsError) {
      console.error(`subsetd: ${e.message}`);
      return 1;
    }
    throw e;
  }
  console.log(`sample data in ${dir}; paths for the API are relative to the data root (see README: Using the API)`);
  return 0;
}
