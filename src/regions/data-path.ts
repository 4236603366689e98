/** Input datasets are named relative to SUBSETD_DATA_ROOT and must stay below it (symlinks included). */
import { resolveDataEntry } from '../processes/data-path.js';

export function resolveDataPath(dataRoot: string, rel: unknown, input = 'dataset'): string {
  return resolveDataEntry(dataRoot, rel, input, 'any');
}
