/**
 * Which limits apply to a request: the token's own (maxQueued, maxJobsPerHour from its record)
 * or the settings' defaults. 0 means no limit. With SUBSETD_AUTH=off the settings default to 0,
 * so limits apply (to all callers as one owner) only when an operator sets them.
 */
import type { Principal } from '../auth/principal.js';
import type { Config } from '../config/table.js';
import type { OwnerLimits } from '../stores/job-store.js';

export interface SubmitLimits {
  /** Checked by the store with the insert; undefined when no owner limit applies. */
  owner?: OwnerLimits;
  /** Files under the data root one job may name; null = no limit. */
  maxFiles: number | null;
}

const limit = (v: number | null | undefined, fallback: number): number | null => {
  const n = v ?? fallback;
  return n > 0 ? n : null;
};

export function submitLimits(p: Principal, config: Config): SubmitLimits {
  const maxQueued = limit(p.token?.maxQueued, config.maxQueued);
  const maxJobsPerHour = limit(p.token?.maxJobsPerHour, config.maxJobsPerHour);
  return {
    owner: maxQueued === null && maxJobsPerHour === null ? undefined : { maxQueued, maxJobsPerHour },
    maxFiles: limit(null, config.maxFilesPerJob),
  };
}

/** Bytes a job submission's body may have; null = no limit (SUBSETD_BODY_LIMIT still applies). */
export const maxUploadBytes = (config: Config): number | null => limit(null, config.maxUploadBytes);
