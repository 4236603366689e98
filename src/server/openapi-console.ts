/** /openapi.json entries of the console's job API: events, job log, list filters, admin stats. */
const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const json = (schema: unknown) => ({ 'application/json': { schema } });
const err = (description: string) => ({ description, content: problem });
const jobId = { name: 'jobId', in: 'path', required: true, schema: { type: 'string' } };
const list = (name: string, items: unknown, description: string) => ({ name, in: 'query', description, schema: { type: 'array', items }, explode: false });
const int = { type: 'integer' };
const iso = { type: 'string', format: 'date-time' };

/** Extra parameters of GET /jobs. */
export const JOB_LIST_FILTERS = [
  {
    name: 'datetime',
    in: 'query',
    description:
      'Jobs created at an instant or within an interval (RFC 3339): `2026-12-05T10:00:00Z`, `start/end`, open ends as `..` or empty (`2026-12-05T00:00:00Z/..`). A bare date stands for that UTC day. Bounds are inclusive.',
    schema: { type: 'string' },
  },
  { name: 'q', in: 'query', description: "Free text: jobs whose inputs (as JSON) contain it; ASCII letters match case-insensitively. At most 200 characters.", schema: { type: 'string', maxLength: 200 } },
  { name: 'type', in: 'query', description: 'Job types: every job here is `process`; any other type lists none.', schema: { type: 'array', items: { type: 'string' } }, explode: false },
  { name: 'minDuration', in: 'query', description: 'Jobs that ran at least this many seconds (finished or now, minus started); jobs that never started are left out, and without `status` only running and ended jobs count.', schema: { type: 'integer', minimum: 0 } },
  { name: 'maxDuration', in: 'query', description: 'Jobs that ran at most this many seconds (as minDuration).', schema: { type: 'integer', minimum: 0 } },
];

const logLine = {
  type: 'object',
  required: ['time', 'level', 'message'],
  properties: {
    time: iso,
    level: { type: 'string', enum: ['info', 'warn', 'error'] },
    message: { type: 'string' },
    progress: { type: 'integer', minimum: 0, maximum: 100 },
    retryable: { type: 'boolean', description: 'On a failure: whether another attempt might succeed.' },
  },
};

const worker = {
  type: 'object',
  required: ['slot', 'state'],
  properties: { slot: int, state: { type: 'string', enum: ['busy', 'idle'] }, jobId: { type: 'string' }, processId: { type: 'string' }, lastHeartbeatMsAgo: int },
};
const folder = { type: 'object', properties: { bytes: { type: 'integer', description: 'Bytes allocated below the folder (the results folder is counted apart even when it lies inside the state folder).' }, free: { type: 'integer', description: 'Bytes free on its file system.' } } };

export const CONSOLE_API_PATHS: Record<string, unknown> = {
  '/jobs/events': {
    get: {
      summary: 'Job events (Server-Sent Events)',
      description:
        'A `text/event-stream` of every job transition and progress change the caller may see: `event: job`, `data:` the job\'s statusInfo (as GET /jobs/{jobId}). A comment line every 15 s keeps the stream alive; `retry: 2000`. Events published while a client is disconnected are not replayed: re-read GET /jobs after reconnecting.',
      operationId: 'getJobEvents',
      parameters: [
        list('processID', { type: 'string' }, 'Only jobs of these processes.'),
        list('status', { $ref: '#/components/schemas/StatusCode' }, 'Only events whose new status is one of these.'),
      ],
      responses: { '200': { description: 'Event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, '400': err('Invalid filter') },
    },
  },
  '/jobs/{jobId}/log': {
    get: {
      summary: "The job's log",
      description:
        'Lines written while the job ran: start (attempt, node), progress steps, processor messages, re-queues, the end with its error and retryable flag, dismissal. Kept as long as the job (a dismissed job keeps its log until it is deleted). At most 2000 lines.',
      operationId: 'getJobLog',
      parameters: [jobId, { name: 'after', in: 'query', description: 'Only lines after this index (0 = the first line).', schema: { type: 'integer', minimum: 0 } }],
      responses: { '200': { description: 'Log lines, oldest first', content: json({ type: 'object', required: ['lines'], properties: { lines: { type: 'array', items: logLine } } }) }, '400': err('Invalid parameter'), '404': err('No such job') },
    },
  },
  '/admin/stats': {
    get: {
      summary: 'Service figures (admin)',
      description: 'Workers of every live node, queue depth per process, jobs ended per minute over the last hour, disk use, the latest 20 failures. Needs admin scope when access control is on.',
      operationId: 'getAdminStats',
      responses: {
        '200': {
          description: 'Figures',
          content: json({
            type: 'object',
            properties: {
              nodes: { type: 'array', items: { type: 'object', properties: { nodeId: { type: 'string' }, workers: { type: 'array', items: worker } } } },
              queue: { type: 'object', additionalProperties: int, description: 'Accepted jobs per process.' },
              perMinute: { type: 'array', items: { type: 'object', properties: { minute: iso, successful: int, failed: int } } },
              disk: { type: 'object', properties: { state: folder, results: folder } },
              failures: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, processId: { type: 'string' }, finished: iso, message: { type: 'string' } } } },
            },
          }),
        },
        '401': err('No credentials'),
        '403': err('Not an admin'),
      },
    },
  },
};
