/**
 * The processor contract. A processor family lives in `processors/<family>/index.ts` and
 * default-exports `ProcessorFamily`; the build finds the folders itself, so adding a processor
 * touches nothing outside its folder.
 *
 * Descriptions follow OGC API - Processes 1.0 (process-description, requirement class
 * /req/ogc-process-description): every input and output carries a JSON Schema in `schema`.
 * The same schemas validate requests and generate /openapi.json: one source of truth.
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

/** A bad input: becomes HTTP 400 with the input named. */
export class InputError extends Error {
  constructor(public readonly input: string, message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A processing failure. `retryable` tells the scheduler whether another attempt may succeed. */
export class ProcessingError extends Error {
  constructor(message: string, public readonly retryable = false, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProcessingError';
  }
}
