/**
 * A limit exceeded -> 429 problem naming the limit and its value, with Retry-After when waiting
 * helps: for the hourly window, until the oldest counted submission leaves it; for max-queued, a
 * short poll interval (a place frees when one of the owner's jobs ends). Files per job and
 * upload bytes are limits on the request itself: the same request would be refused again.
 */
import { ApiError } from '../server/problem.js';
import type { QuotaExceededError } from '../stores/job-store.js';

export const QUOTA_PROBLEM = 'urn:subsetd:problem:quota-exceeded';
/** Retry-After for max-queued: a place frees when one of the owner's jobs ends, unknown when. */
export const QUEUED_RETRY_S = 10;
/** Retry-After for the request-shape limits: nothing but a changed limit lets the same request in. */
export const REQUEST_LIMIT_RETRY_S = 3600;

const DETAIL: Record<QuotaExceededError['limit'], (v: number) => string> = {
  'max-queued': (v) => `at most ${v} jobs may be queued or running at once; wait for one to end`,
  'max-jobs-per-hour': (v) => `at most ${v} jobs may be submitted in any 60 minutes`,
  'max-files-per-job': (v) => `a job may name at most ${v} input files; split the request`,
  'max-upload-bytes': (v) => `a job submission may carry at most ${v} bytes; send less`,
};

export function quotaProblem(e: Pick<QuotaExceededError, 'limit' | 'value' | 'retryAfterMs'>): ApiError {
  const timed = e.limit === 'max-queued' || e.limit === 'max-jobs-per-hour';
  const retry = !timed ? REQUEST_LIMIT_RETRY_S : e.retryAfterMs === null ? QUEUED_RETRY_S : Math.max(1, Math.ceil(e.retryAfterMs / 1000));
  return new ApiError(429, QUOTA_PROBLEM, 'Too many requests', DETAIL[e.limit](e.value), { limit: e.limit, value: e.value }, { 'Retry-After': String(retry) });
}
