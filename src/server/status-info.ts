/** OGC statusInfo and results documents, built from a JobRecord for a given base URL. */
import type { JobEvent, JobRecord } from '../stores/job-store.js';
import { JSON_TYPE, REL, type Link } from './links.js';
import { ApiError, PROBLEM } from './problem.js';
import { isoTime } from './iso-time.js';

const iso = (ms: number | null) => (ms === null ? undefined : isoTime(ms));

/** From a full record or a job event (GET /jobs/events): the same document either way. */
export function statusInfo(job: JobEvent, base: string) {
  const self = `${base}/jobs/${job.id}`;
  const links: Link[] = [{ href: self, rel: 'self', type: JSON_TYPE, title: 'Job status' }];
  if (job.status === 'successful') links.push({ href: `${self}/results`, rel: REL.results, type: JSON_TYPE, title: 'Job results' });
  links.push({ href: `${base}/processes/${job.processId}`, rel: 'up', type: JSON_TYPE, title: 'Process description' });
  return {
    type: 'process',
    processID: job.processId,
    jobID: job.id,
    status: job.status,
    message: job.message ?? undefined,
    created: iso(job.created),
    started: iso(job.started),
    finished: iso(job.finished),
    updated: iso(job.updated),
    progress: job.progress,
    links,
  };
}

/**
 * GET /jobs/{id}'s document: the statusInfo and, beside it (allowed by OGC), the inputs — the
 * console shows them, draws their region and offers "edit & run again" — and the attempts. Not in
 * lists or events, which stay small.
 */
export function jobDocument(job: JobRecord, base: string) {
  return { ...statusInfo(job, base), inputs: job.inputs, attempts: job.attempts, maxAttempts: job.maxAttempts };
}

/**
 * The exception a failed (or, in a sync execution, dismissed) job answers with. OGC asks for an
 * error code "reflecting the failure" (4xx or 5xx). Bad input that only running could find (a
 * raster without the named variable, a file that is not NetCDF) is the client's fault: 400 naming
 * the input, wherever it is asked. Any other failure (crash, timeout, out of memory) depends on
 * the request: a synchronous execution *is* the work, so its failure is the server's — 500; but
 * `GET /jobs/{id}/results` of a job that failed earlier is a request the server fulfils correctly
 * — the results do not exist because of the job's state — so 409 Conflict (pygeoapi answers 400
 * here). A synchronous execution whose job was dismissed meanwhile (DELETE from another request)
 * answers 410 as the results of a dismissed job do: the client ended it. A 5xx from the API thus
 * always means the API itself failed, which is what operators alert on; job failures are counted
 * as jobs.
 */
export function failedJobError(job: JobRecord, asked: 'results' | 'sync-execution'): ApiError {
  if (job.status === 'dismissed') return new ApiError(410, PROBLEM.noSuchJob, 'Job dismissed', `job "${job.id}" was dismissed while it ran; it has no results`, { jobID: job.id });
  if (job.error?.code === 'invalid-input')
    return new ApiError(400, PROBLEM.invalidInput, 'Invalid input', job.message ?? 'invalid input', {
      jobID: job.id,
      code: 'invalid-input',
      retryable: false,
      ...(job.error.input ? { field: `inputs.${job.error.input}` } : {}),
    });
  return new ApiError(asked === 'results' ? 409 : 500, PROBLEM.jobFailed, 'Job failed', job.message ?? job.status, { jobID: job.id, retryable: job.error?.retryable ?? false, code: job.error?.code });
}
