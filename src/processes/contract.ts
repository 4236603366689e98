/**
 * The subsetd processor contract: what a processor family exports and what `execute` gets.
 * Built-in families live in `processors/<family>/index.ts`; a site's own come as plugins
 * (SUBSETD_PLUGIN_DIR, docs/plugins.md). This file is published to plugin authors as it is
 * (`subsetd plugin-types > subsetd-plugin.d.ts`), so it holds types only and imports nothing.
 *
 * Descriptions follow OGC API - Processes 1.0 (process-description, requirement class
 * /req/ogc-process-description): every input and output carries a JSON Schema in `schema`.
 * The same schemas validate requests and generate /openapi.json: one source of truth.
 *
 * Errors are recognised by `name`, so a plugin needs no class from subsetd: an Error whose name
 * is "InputError" with an `input` property fails the job as invalid input (HTTP 400 naming
 * `inputs.<input>` where results are asked for); any other error fails it as a processing error,
 * retried on another attempt when it has `retryable: true`.
 */

export type JsonSchema = Record<string, unknown>;

export interface InputDescription {
  title?: string;
  description?: string;
  keywords?: string[];
  schema: JsonSchema;
  /** OGC defaults: minOccurs 1, maxOccurs 1. */
  minOccurs?: number;
  maxOccurs?: number | 'unbounded';
  /** Inputs that must not take part in deduplication hashing (none today). */
}

export interface OutputDescription {
  title?: string;
  description?: string;
  schema: JsonSchema;
}

export interface ProcessDescription {
  id: string;
  version: string;
  title: string;
  description?: string;
  keywords?: string[];
  jobControlOptions: Array<'sync-execute' | 'async-execute' | 'dismiss'>;
  /** Ignored: the server offers both for every output (src/server/results-response.ts). */
  outputTransmission?: Array<'value' | 'reference'>;
  inputs: Record<string, InputDescription>;
  outputs: Record<string, OutputDescription>;
}

/** A file written by a processor into `ctx.workDir`; the server turns it into a download link. */
export interface FileOutput {
  file: string;            // path relative to workDir, no '..'
  type: string;            // media type
  title?: string;
}

export type OutputValue = unknown | FileOutput | FileOutput[];

export interface ProcessResult {
  outputs: Record<string, OutputValue>;
  /** The job's last word (its statusInfo message), e.g. how it was answered; 'done' when absent. */
  message?: string;
}

export interface ExecuteContext {
  jobId: string;
  /** Private directory for this job; its content becomes the job's result files on success. */
  workDir: string;
  /** Read-only input root (SUBSETD_DATA_ROOT), absolute. */
  dataRoot: string;
  /** The service's state directory (SUBSETD_STATE_DIR): boundary store, packages. */
  stateDir: string;
  /** The datasets file (SUBSETD_DATASETS), '' when none is configured. */
  datasetsFile: string;
  /** The time-series cache (SUBSETD_TS_CACHE_DIR; processors/netcdf/ts-cache). Absent: not used. */
  tsCacheDir?: string;
  /** Directory for uploads that came with the request (absolute), if any. */
  uploadDir?: string;
  /** Percent 0..100. Also counts as a heartbeat: call it at least every few seconds. */
  progress(percent: number, message?: string): void;
  /** Aborted when the job is dismissed, times out or the service stops. */
  signal: AbortSignal;
  /** Structured log line, tagged with the job id. */
  log(msg: string, extra?: Record<string, unknown>): void;
}

export interface Process {
  description: ProcessDescription;
  /**
   * Extra semantic validation after JSON-Schema validation, run in the API process before a
   * job is accepted (paths exist, countries known, ...). Throw `InputError` to reject with 400.
   * Must be cheap and must not parse untrusted binary data with native code.
   */
  validate?(inputs: Record<string, unknown>, env: ValidateEnv): Promise<void> | void;
  execute(inputs: Record<string, unknown>, ctx: ExecuteContext): Promise<ProcessResult>;
}

export interface ValidateEnv {
  dataRoot: string;
  uploadDir?: string;
  /** The datasets file (SUBSETD_DATASETS), '' or absent when none is configured. */
  datasetsFile?: string;
}

export interface ProcessorFamily {
  name: string;
  processes: Process[];
}

/** The shape of the errors subsetd recognises (see the top of this file). */
export interface InputErrorLike extends Error {
  name: 'InputError';
  /** The input at fault, as named in the description's `inputs`. */
  input: string;
}
export interface ProcessingErrorLike extends Error {
  /** Another attempt may succeed (a network share that was briefly away, ...). */
  retryable?: boolean;
}
