/**
 * The API's one error type (RFC 7807 problem details). Routes throw ApiError; the app's single
 * onError turns it into JSON. Anything else becomes a 500 whose body says nothing of the cause;
 * the cause goes to the log.
 */
const OGC = 'http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/';

export const PROBLEM = {
  noSuchProcess: OGC + 'no-such-process',
  noSuchJob: OGC + 'no-such-job',
  resultNotReady: OGC + 'result-not-ready',
  // Part 1 1.0 names no type for it; this is the one its later editions define.
  noSuchOutput: OGC + 'no-such-output',
  // Not defined by OGC Part 1; ours, in a namespace we own.
  invalidInput: 'urn:subsetd:problem:invalid-input',
  invalidParameter: 'urn:subsetd:problem:invalid-parameter',
  jobFailed: 'urn:subsetd:problem:job-failed',
  notFound: 'urn:subsetd:problem:not-found',
  tooLarge: 'urn:subsetd:problem:payload-too-large',
  unavailable: 'urn:subsetd:problem:service-unavailable',
  unauthorized: 'urn:subsetd:problem:unauthorized',
  forbidden: 'urn:subsetd:problem:forbidden',
  internal: 'urn:subsetd:problem:internal',
} as const;

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** The request field at fault, e.g. "inputs.name" or "limit". */
  field?: string;
  [k: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly type: string,
    public readonly title: string,
    public readonly detail?: string,
    public readonly extra: Record<string, unknown> = {},
    public readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'ApiError';
  }

  body(instance?: string): ProblemBody {
    return { type: this.type, title: this.title, status: this.status, detail: this.detail, instance, ...this.extra };
  }
}

export const badParameter = (field: string, detail: string) =>
  new ApiError(400, PROBLEM.invalidParameter, 'Invalid parameter', `${field}: ${detail}`, { field });

export const badInput = (field: string, detail: string) =>
  new ApiError(400, PROBLEM.invalidInput, 'Invalid input', `${field}: ${detail}`, { field });

export const noSuchJob = (id: string) => new ApiError(404, PROBLEM.noSuchJob, 'No such job', `job "${id}" does not exist`);
