/**
 * /openapi.json, generated from the process descriptions: the schemas that validate execute
 * requests are the ones published here (one source of truth).
 */
import { executeSchema } from '../processes/input-schema.js';
import type { ProcessRegistry } from '../processes/registry.js';
import { AUTH_PATHS, BEARER_SCHEME, OWNER_FILTER } from '../auth/openapi.js';
import { CONSOLE_API_PATHS, JOB_LIST_FILTERS } from './openapi-console.js';
import { DATA_PATHS } from './openapi-data.js';

const problem = { $ref: '#/components/schemas/Problem' };
const json = (schema: unknown) => ({ 'application/json': { schema } });
const errors = {
  '400': { description: 'Invalid request', content: { 'application/problem+json': { schema: problem } } },
  '404': { description: 'Not found', content: { 'application/problem+json': { schema: problem } } },
};
const jobId = { name: 'jobId', in: 'path', required: true, schema: { type: 'string' } };
const pb = (description: string) => ({ description, content: { 'application/problem+json': { schema: problem } } });
/** A browser (Accept: text/html, or ?f=html) is sent to the console page of the resource. */
const toConsole = { '303': { description: 'To the console page showing this resource (browsers: Accept text/html or f=html)', headers: { Location: { schema: { type: 'string' } } } } };
const f = { name: 'f', in: 'query', schema: { type: 'string', enum: ['json', 'html'] }, description: 'Representation, instead of the Accept header' };

export function openApiDocument(registry: ProcessRegistry, version: string, serverUrl: string) {
  const paths: Record<string, unknown> = {
    '/': { get: { summary: 'Landing page', operationId: 'getLandingPage', responses: { '200': { description: 'Links to the API', content: json({ type: 'object' }) } } } },
    '/openapi.json': {
      get: {
        summary: 'This API definition (a page of it for browsers: Accept text/html or f=html)',
        operationId: 'getApi',
        parameters: [f],
        responses: { '200': { description: 'OpenAPI 3.0', content: { 'application/vnd.oai.openapi+json;version=3.0': { schema: { type: 'object' } }, 'text/html': { schema: { type: 'string' } } } } },
      },
    },
    '/conformance': { get: { summary: 'Conformance classes', operationId: 'getConformance', responses: { '200': { description: 'conformsTo', content: json({ type: 'object' }) } } } },
    '/processes': {
      get: {
        summary: 'Processes',
        operationId: 'getProcesses',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 10000, default: 10000 }, description: 'Processes per page (default: all)' },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 }, description: 'Processes skipped (the next/prev links carry it)' },
          f,
        ],
        responses: { '200': { description: 'Process list', content: json({ type: 'object' }) }, ...toConsole, '400': errors['400'] },
      },
    },
    '/processes/{processId}': {
      get: { summary: 'Process description', operationId: 'getProcessDescription', parameters: [{ name: 'processId', in: 'path', required: true, schema: { type: 'string', enum: registry.ids() } }, f], responses: { '200': { description: 'Description', content: json({ type: 'object' }) }, ...toConsole, ...errors } },
    },
    '/jobs': {
      get: {
        summary: 'Jobs',
        operationId: 'getJobs',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 10 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 }, description: 'Jobs skipped (a step each); the next/prev links page by position instead.' },
          { name: 'after', in: 'query', schema: { type: 'string', pattern: '^\\d+\\.\\d+$' }, description: 'A position from a next link: jobs older than it.' },
          { name: 'before', in: 'query', schema: { type: 'string', pattern: '^\\d+\\.\\d+$' }, description: 'A position from a prev link: the jobs just newer than it.' },
          { name: 'status', in: 'query', schema: { type: 'array', items: { $ref: '#/components/schemas/StatusCode' } }, explode: false },
          { name: 'processID', in: 'query', schema: { type: 'array', items: { type: 'string' } }, explode: false },
          OWNER_FILTER,
          ...JOB_LIST_FILTERS,
          f,
        ],
        responses: { '200': { description: 'Job list', content: json({ type: 'object' }) }, ...toConsole, ...errors },
      },
    },
    '/jobs/{jobId}': {
      get: { summary: 'Job status', operationId: 'getStatus', parameters: [jobId, f], responses: { '200': { description: 'statusInfo', content: json({ $ref: '#/components/schemas/StatusInfo' }) }, ...toConsole, ...errors } },
      delete: { summary: 'Dismiss a job', operationId: 'dismiss', parameters: [jobId], responses: { '200': { description: 'statusInfo', content: json({ $ref: '#/components/schemas/StatusInfo' }) }, ...errors } },
    },
    '/jobs/{jobId}/results/{outputId}': {
      get: {
        summary: 'One output of a job, by value (where a reference to a JSON value points)',
        operationId: 'getResultOutput',
        parameters: [jobId, { name: 'outputId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'The value (application/json) or the file', content: { '*/*': { schema: {} } } }, ...errors },
      },
    },
    '/jobs/{jobId}/results': { get: { summary: 'Job results, as the execute request asked (outputs, response)', operationId: 'getResult', parameters: [jobId, f], responses: { ...toConsole, '200': { description: 'Results document, raw output or multipart/related', content: { ...json({ type: 'object' }), 'multipart/related': { schema: { type: 'string', format: 'binary' } } } }, '204': { description: 'Raw by reference: Link headers' }, ...errors, '409': { description: 'The job failed: the problem (job-failed) carries its reason', content: { 'application/problem+json': { schema: problem } } }, '410': { description: 'The job was dismissed', content: { 'application/problem+json': { schema: problem } } } } } },
    ...CONSOLE_API_PATHS,
    ...AUTH_PATHS,
    '/health': { get: { summary: 'Liveness', operationId: 'health', responses: { '200': { description: 'Alive' } } } },
    '/metrics': { get: { summary: 'Prometheus metrics (admin scope with tokens; 404 when SUBSETD_METRICS_ADDR serves them elsewhere)', operationId: 'metrics', responses: { '200': { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } }, '404': errors['404'] } } },
    '/ready': { get: { summary: 'Readiness', operationId: 'ready', responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready; the failing check is named' } } } },
  };
  Object.assign(paths, DATA_PATHS);
  for (const p of registry.list()) {
    const id = p.description.id;
    paths[`/processes/${id}/execution`] = {
      post: {
        summary: `Execute ${p.description.title}`,
        operationId: `execute_${id.replace(/\W/g, '_')}`,
        parameters: [{ name: 'Prefer', in: 'header', schema: { type: 'string', example: 'respond-async' } }],
        requestBody: { required: true, content: json(executeSchema(p.description)) },
        responses: {
          '200': {
            description: 'Results (synchronous execution): a results document, one output raw in its own media type, or several as multipart/related',
            headers: { Link: { description: 'rel="monitor": the job, which stays listed', schema: { type: 'string' } } },
            content: { ...json({ type: 'object' }), 'multipart/related': { schema: { type: 'string', format: 'binary' } }, '*/*': { schema: { type: 'string', format: 'binary' } } },
          },
          '204': { description: 'Results raw and all by reference: one Link header per output (rel = output id)', headers: { Link: { schema: { type: 'string' } } } },
          '201': { description: 'Job created (asynchronous execution)', headers: { Location: { schema: { type: 'string' } } }, content: json({ $ref: '#/components/schemas/StatusInfo' }) },
          ...errors,
          '410': pb('A synchronous execution whose job was dismissed meanwhile'),
          '413': pb('The body exceeds SUBSETD_BODY_LIMIT'),
          '415': pb('The body is not application/json'),
          '500': pb('A synchronous execution failed (the problem, of type job-failed, carries the reason)'),
          '503': pb('The job store is unreachable (Retry-After)'),
          '429': {
            description: 'A limit of the caller is reached (the problem names `limit` and `value`: max-queued, max-jobs-per-hour, max-files-per-job, max-upload-bytes)',
            headers: { 'Retry-After': { description: 'Seconds until trying again may succeed (max-queued, max-jobs-per-hour); 3600 for the request-shape limits (max-files-per-job, max-upload-bytes), which only a changed limit lifts', schema: { type: 'integer' } } },
            content: { 'application/problem+json': { schema: problem } },
          },
        },
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'subsetd', version, description: 'OGC API - Processes - Part 1: Core 1.0' },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      securitySchemes: BEARER_SCHEME,
      schemas: {
        StatusCode: { type: 'string', enum: ['accepted', 'running', 'successful', 'failed', 'dismissed'] },
        StatusInfo: {
          type: 'object',
          required: ['jobID', 'status', 'type'],
          properties: {
            type: { type: 'string', enum: ['process'] },
            processID: { type: 'string' },
            jobID: { type: 'string' },
            status: { $ref: '#/components/schemas/StatusCode' },
            message: { type: 'string' },
            created: { type: 'string', format: 'date-time' },
            started: { type: 'string', format: 'date-time' },
            finished: { type: 'string', format: 'date-time' },
            updated: { type: 'string', format: 'date-time' },
            inputs: { type: 'object', description: 'GET /jobs/{jobId} only: the inputs as validated.' },
            attempts: { type: 'integer', description: 'GET /jobs/{jobId} only: runs started so far (a run is retried after its node died).' },
            maxAttempts: { type: 'integer', description: 'GET /jobs/{jobId} only: runs allowed (SUBSETD_MAX_ATTEMPTS when it was submitted).' },
            progress: { type: 'integer', minimum: 0, maximum: 100 },
            links: { type: 'array', items: { type: 'object' } },
          },
        },
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, instance: { type: 'string' }, field: { type: 'string' } },
        },
      },
    },
  };
}
