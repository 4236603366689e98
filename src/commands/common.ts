import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/table.js';

export class UsageError extends Error {}

export interface Runtime {
  /** dist/ directory of the bundle (worker.cjs lives beside the CLI bundle). */
  bundleDir: string;
  /** Set by the single-executable launcher: unpacked worker and native addons. */
  workerFile?: string;
  nativeBinding?: string;
}

export function configFrom(values: { 'env-file'?: string }, overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...process.env, ...overrides }, values['env-file']);
}

export function workerFile(rt: Runtime): string {
  return rt.workerFile ?? join(rt.bundleDir, 'worker.cjs');
}

export { ConfigError };
