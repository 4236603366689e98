/**
 * A subsetd job seen as an isimip-files-api v2 job:
 * {id, job_url, file_name, file_url, meta: {created_files, total_files, errors}, ttl, status}.
 * `meta` is empty while the job waits (there, run_task fills it when it starts).
 */
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type { JobFiles } from '../jobs/job-files.js';
import { fileOutputs, isFileOutput } from '../jobs/outputs.js';
import type { FileOutput } from '../processes/types.js';
import type { JobStatus } from '../jobs/status.js';
import type { JobRecord } from '../stores/job-store.js';
import { NATIVE_PROCESS } from './translate.js';

export type IsimipStatus = 'queued' | 'started' | 'finished' | 'failed';
/** A file's error: a message, or (a resolution limit, as run_task stores validate_resolution's list) a list of one. */
export type FileError = string | string[];

const STATUS: Record<Exclude<JobStatus, 'dismissed'>, IsimipStatus> = {
  accepted: 'queued',
  running: 'started',
  successful: 'finished',
  failed: 'failed',
};

export interface IsimipJob {
  id: string;
  job_url: string;
  file_name: string;
  file_url: string;
  meta: { created_files?: number; total_files?: number; errors?: Record<string, FileError> };
  ttl: number;
  status: IsimipStatus;
}

export const zipName = (id: string) => `isimip-download-${id}.zip`;
const ZIP_RE = /^isimip-download-([A-Za-z0-9_-]{1,128})\.(zip|json)$/;

/** `isimip-download-<id>.zip|json` -> [id, extension], or null. */
export function parseOutputName(name: string): [string, 'zip' | 'json'] | null {
  const m = ZIP_RE.exec(name);
  return m ? [m[1], m[2] as 'zip' | 'json'] : null;
}

/**
 * Jobs this endpoint shows: netcdf-subset ones that still exist for ISIMIP. A dismissed job is
 * deleted in ISIMIP's terms, and one past its expiry is gone even before the sweeper removes it.
 */
export function visible(job: JobRecord | null, now = Date.now()): job is JobRecord {
  return !!job && job.processId === NATIVE_PROCESS && job.status !== 'dismissed' && (job.expiresAt === null || job.expiresAt > now);
}

export function archiveOf(job: JobRecord): FileOutput | null {
  const a = job.outputs?.archive;
  if (isFileOutput(a)) return a;
  return fileOutputs(job.outputs ?? {}).find((f) => f.type === 'application/zip') ?? null;
}

/** Per-file errors ({request path: message}), from an `errors` output or the job's errors.json. */
async function fileErrors(job: JobRecord, files: JobFiles): Promise<Record<string, string>> {
  const out = job.outputs ?? {};
  const inline = out.errors;
  if (inline && typeof inline === 'object' && !Array.isArray(inline) && !isFileOutput(inline)) return stringMap(inline);
  const file = fileOutputs(out).find((f) => f.file === 'errors.json' || f.file.endsWith('/errors.json'));
  if (!file) return {};
  const found = await files.resultFile(job.id, file.file);
  if (!found) return {};
  try {
    return stringMap(JSON.parse(await readFile(found.path, 'utf8')));
  } catch {
    return {};
  }
}

function stringMap(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).map(([k, m]) => [k, typeof m === 'string' ? m : JSON.stringify(m)]));
}

function createdFiles(job: JobRecord, total: number): number {
  if (job.status === 'successful' || job.status === 'failed') return job.status === 'successful' ? total : Math.min(total, filesFromProgress(job, total));
  if (job.status !== 'running') return 0;
  return filesFromProgress(job, total);
}

/** "3/8 files" or "3 of 8" in the live message when the processor says so, else the percentage. */
function filesFromProgress(job: JobRecord, total: number): number {
  const m = /(\d+)\s*(?:\/|of)\s*(\d+)/.exec(job.message ?? '');
  if (m && Number(m[2]) === total) return Math.min(total, Number(m[1]));
  return Math.min(total, Math.floor(((job.progress ?? 0) / 100) * total));
}

/** A message of netcdf-subset's max_resolution check: isimip-files-api keeps validate_resolution's list. */
const RESOLUTION = /^resolution of .* \(\d+, \d+\) is to high \(\d+, \d+\) for operation "\w+"$/s;

/**
 * As run_task keys them: by the input's file name (`input_path.name`), not its path; two inputs
 * of the same name share one entry, as there.
 */
function byFileName(errors: Record<string, string>): Record<string, FileError> {
  return Object.fromEntries(Object.entries(errors).map(([path, msg]) => [posix.basename(path), RESOLUTION.test(msg) ? [msg] : msg]));
}

export async function isimipJob(job: JobRecord, base: string, ttlMs: number, files: JobFiles): Promise<IsimipJob> {
  const paths = Array.isArray(job.inputs.paths) ? job.inputs.paths : [];
  const total = paths.length;
  const errors: Record<string, FileError> = job.status === 'successful' ? byFileName(await fileErrors(job, files)) : {};
  if (job.status === 'failed' && Object.keys(errors).length === 0) errors.job = job.error?.message ?? job.message ?? 'failed';
  const name = zipName(job.id);
  return {
    id: job.id,
    job_url: `${base}/isimip/v2/${job.id}`,
    file_name: name,
    file_url: `${base}/isimip/v2/output/${name}`,
    // Empty until the job starts, as there (its meta is written by run_task).
    meta: job.status === 'accepted' ? {} : { created_files: createdFiles(job, total), total_files: total, errors },
    ttl: Math.round(ttlMs / 1000),
    status: STATUS[job.status as Exclude<JobStatus, 'dismissed'>],
  };
}
