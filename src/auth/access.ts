/** Who may see which job. A job the caller may not see is answered as if it did not exist. */
import type { JobRecord } from '../stores/job-store.js';
import { hasScope, type Principal } from './principal.js';

/**
 * Admins (and everyone when access control is off) see every job, a token its own jobs. A
 * signed link was checked against the exact path it names (the job id is part of it).
 */
export function canSee(p: Principal, job: Pick<JobRecord, 'owner'>): boolean {
  if (p.via === 'off' || p.via === 'link' || hasScope(p, 'admin')) return true;
  return p.name !== null && job.owner === p.name;
}

/** The owner new jobs get: the token name, or null with access control off. */
export const ownerOf = (p: Principal): string | null => (p.via === 'off' ? null : p.name);

/**
 * The owner filter for GET /jobs: a non-admin lists only its own jobs (an `owner` it passes is
 * ignored, so no one learns whether another owner exists); an admin lists everyone's, or one
 * owner's with `?owner=`. Undefined = no filter.
 */
export function listOwner(p: Principal, requested: string | undefined): string | undefined {
  if (p.via === 'off' || hasScope(p, 'admin')) return requested || undefined;
  return p.name ?? '';
}
