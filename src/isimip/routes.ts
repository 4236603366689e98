/**
 * The ISIMIP Files API v2-compatible endpoint: GET / (status, operations), POST / (create or find
 * the job), GET|DELETE /{id}, and GET /output/{file_name} (the zip, with Range for the official
 * client's resume). Errors here are ISIMIP's `{status: "error", errors}`, not problem+json.
 */
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createHash, randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { canSee, listOwner, ownerOf } from '../auth/access.js';
import { submitLimits } from '../quota/limits.js';
import { uploadLimit } from '../quota/upload-limit.js';
import type { Config } from '../config/table.js';
import type { AppEnv } from '../server/context.js';
import { baseUrl } from '../server/links.js';
import { ApiError } from '../server/problem.js';
import { sendFile } from '../server/send-file.js';
import type { JobStatus } from '../jobs/status.js';
import { blamedInput } from '../processes/types.js';
import type { JobRecord } from '../stores/job-store.js';
import { archiveOf, isimipJob, parseOutputName, visible } from './job-view.js';
import { OPERATIONS } from './operations.js';
import { readRequest, requestId, uploadDigests, type Upload } from './request.js';
import { NATIVE_PROCESS, translate } from './translate.js';
import { validateRequest, type ErrorMap, type IsimipLimits } from './validate.js';

type C = Context<AppEnv>;

const errorResponse = (c: C, errors: ErrorMap, status: 400 | 413 | 503 = 400) => c.json({ status: 'error', errors }, status);
const notFound = (c: C) => c.json({ status: 'not found' }, 404);
const isimipLimits = (config: Config): IsimipLimits => ({
  maxFiles: config.isimipMaxFiles,
  maxOperations: config.isimipMaxOperations,
  cdo: config.isimipCdoMaxResolution,
  ncks: config.isimipNcksMaxResolution,
});

/** Which request field a processor's InputError belongs to, in ISIMIP's error map. */
function errorKey(input: string): string {
  const head = input.split(/[.[]/)[0];
  return head === 'paths' || head === 'operations' ? head : 'data';
}

async function view(c: C, job: JobRecord, status: 200 | 201 = 200) {
  const { config, files } = c.var.deps;
  c.set('jobId', job.id);
  const base = baseUrl(c, config);
  const body = await isimipJob(job, base, config.resultTtl, files);
  // With access control on, the download link is signed: the ISIMIP client fetches it without headers.
  if (c.var.links && body.file_url?.startsWith(base)) body.file_url = c.var.links.sign(body.file_url, body.file_url.slice(base.length));
  return c.json(body, status);
}

/** The caller's view of a job id: another owner's job is "not found", exactly as a missing one. */
const mine = (c: C, job: JobRecord | null): job is JobRecord => visible(job) && canSee(c.var.principal, job);

/**
 * The request's SHA-1 names the job. With access control on, the owner is hashed in too, so two
 * owners sending the same request get different ids and neither can reach the other's job.
 */
function ownedId(c: C, sha: string): string {
  const owner = ownerOf(c.var.principal);
  return owner === null ? sha : createHash('sha1').update(`${owner}\0${sha}`).digest('hex');
}

/**
 * The SHA-1 names the request. ISIMIP deletes a job for good; here a dismissed record lingers
 * until it expires, so a repeat after DELETE takes the next free `<sha1>-<n>` instead of
 * getting the deleted job back.
 */
async function freeId(c: C, sha: string): Promise<{ id: string; existing: JobRecord | null }> {
  const { store } = c.var.deps;
  for (let n = 0; n < 100; n++) {
    const id = n === 0 ? sha : `${sha}-${n}`;
    const job = await store.get(id);
    if (!job) return { id, existing: null };
    if (visible(job)) return { id, existing: job };
  }
  throw new Error(`no free job id for request ${sha}`);
}

/**
 * Puts the uploads where the job will find them *before* the job exists, so a worker can never
 * claim it without its files. The id hashes the uploads' bytes, so a dir already there holds the
 * same files. Returns whether this call made the dir (and may remove it again).
 */
async function placeUploads(dir: string, uploads: Upload[]): Promise<boolean> {
  if (await stat(dir).catch(() => null)) return false;
  const staging = join(dirname(dir), `.isimip-staging-${randomUUID()}`);
  await mkdir(staging, { recursive: true });
  try {
    for (const u of uploads) await writeFile(join(staging, u.name), u.bytes);
    await rename(staging, dir);
    return true;
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    if (await stat(dir).catch(() => null)) return false; // a concurrent identical request won
    throw e;
  }
}

async function create(c: C) {
  const { config, registry, jobs, files } = c.var.deps;
  // As Flask's request.json: JSON or (isimip-client uploads) multipart; no type at all is read as JSON.
  const type = c.req.header('content-type') ?? '';
  if (type && !/^(application\/([\w.+-]*\+)?json|multipart\/form-data)\b/i.test(type))
    return c.json({ status: 'error', errors: { data: [`Unsupported media type "${type}": send application/json or multipart/form-data`] } }, 415);
  const read = await readRequest(c);
  if ('errors' in read) return errorResponse(c, read.errors, read.status);
  const { data, uploads } = read.request;
  const checked = await validateRequest(data, config.dataRoot, isimipLimits(config));
  if ('errors' in checked) return errorResponse(c, checked.errors);
  const translated = translate(checked.request.paths, checked.request.operations, uploads.map((u) => u.name), isimipLimits(config));
  if ('errors' in translated) return errorResponse(c, translated.errors);
  if (!registry.get(NATIVE_PROCESS)) return errorResponse(c, { operations: [`the ${NATIVE_PROCESS} processor is not installed on this server`] }, 503);

  const { id, existing } = await freeId(c, ownedId(c, requestId(read.request)));
  if (existing) return view(c, existing);

  const uploadDir = uploads.length ? files.uploadDir(id) : undefined;
  const madeDir = uploadDir ? await placeUploads(uploadDir, uploads) : false;
  try {
    const { job, created } = await jobs.submit(NATIVE_PROCESS, translated.inputs, {
      id,
      meta: { isimip: { version: 2, request: data } },
      uploadDir,
      dedupExtra: uploads.length ? { uploads: uploadDigests(uploads) } : undefined,
      owner: ownerOf(c.var.principal),
      limits: submitLimits(c.var.principal, config),
    });
    // Joined an identical live job under another id: that one has its own uploads.
    if (madeDir && job.id !== id) await rm(uploadDir!, { recursive: true, force: true });
    return view(c, job, created ? 201 : 200);
  } catch (e) {
    if (madeDir && !(await c.var.deps.store.get(id))) await rm(uploadDir!, { recursive: true, force: true });
    const input = blamedInput(e);
    if (input !== undefined) return errorResponse(c, { [errorKey(input)]: [`${input}: ${(e as Error).message}`] });
    throw e;
  }
}

/**
 * As isimip-files-api's GET /: its operations, its job counts (rq's registries: started,
 * deferred, finished, failed, scheduled; jobs still queued are in none of them), and its URLs.
 */
async function root(c: C) {
  const { store, config } = c.var.deps;
  const owner = listOwner(c.var.principal, undefined);
  const count = async (s: JobStatus) => (await store.list({ limit: 1, offset: 0, owner, status: [s], processId: [NATIVE_PROCESS] })).total ?? 0;
  const [started, finished, failed] = await Promise.all((['running', 'successful', 'failed'] as const).map(count));
  const url = `${baseUrl(c, config)}/isimip/v2`;
  return c.json({
    status: 'ok',
    operations: OPERATIONS,
    jobs: { started, deferred: 0, finished, failed, scheduled: 0 },
    base_url: url,
    output_url: `${url}/output`,
  });
}

async function output(c: C) {
  const { store, files, config } = c.var.deps;
  const name = c.req.param('name') ?? '';
  const parsed = parseOutputName(name);
  if (!parsed) return notFound(c);
  const [id, ext] = parsed;
  const job = await store.get(id);
  if (!mine(c, job) || job.status !== 'successful') return notFound(c);
  c.set('jobId', id);
  const archive = archiveOf(job);
  const file = archive && (await files.resultFile(job.id, archive.file));
  if (!archive || !file) return notFound(c);
  if (ext === 'json') {
    // What the official client's download(validate=True) fetches beside the file.
    const h = createHash('sha512');
    for await (const chunk of createReadStream(file.path)) h.update(chunk as Buffer);
    return c.json({ path: name.replace(/\.json$/, '.zip'), checksum: h.digest('hex'), checksum_type: 'sha512', size: file.size });
  }
  return sendFile(c, { ...file, rel: `${job.id}/${archive.file}`, type: 'application/zip', downloadName: name }, config.accelRedirect);
}

/**
 * CORS as isimip-files-api has it (flask-cors with its defaults, CORS = True): every answer allows
 * the caller's Origin (echoed, with Vary: Origin), or `*` when the request names none.
 */
const cors: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const origin = c.req.header('origin');
  c.header('Access-Control-Allow-Origin', origin || '*');
  if (origin) c.header('Vary', 'Origin', { append: true });
};

/** The methods of each path, as Flask lists them in `Allow` (it adds HEAD and OPTIONS to every route). */
const ROOT = ['GET', 'HEAD', 'OPTIONS', 'POST'];
const JOB = ['DELETE', 'GET', 'HEAD', 'OPTIONS'];
const OUTPUT = ['GET', 'HEAD', 'OPTIONS'];
/** flask-cors' default `methods`, sorted as it sends them. */
const CORS_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/**
 * OPTIONS, as Flask answers it (200, empty, `Allow`), with flask-cors' preflight headers when the
 * browser asks for an allowed method: every method, and the headers it asked for (allow_headers '*').
 */
const options = (methods: string[]) => (c: C) => {
  c.header('Allow', methods.join(', '));
  const method = c.req.header('access-control-request-method')?.toUpperCase();
  if (method && CORS_METHODS.includes(method)) {
    c.header('Access-Control-Allow-Methods', CORS_METHODS.join(', '));
    const asked = (c.req.header('access-control-request-headers') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
    if (asked.length) c.header('Access-Control-Allow-Headers', asked.sort().join(', '));
  }
  return c.body(null, 200);
};

/** Another method on a known path: 405 with `Allow`, as Flask (its body is HTML there, problem+json here). */
const notAllowed = (methods: string[]) => (c: C) => {
  throw new ApiError(405, 'urn:subsetd:problem:method-not-allowed', 'Method not allowed', `${c.req.method} is not allowed on ${c.req.path}; allowed: ${methods.join(', ')}`, {}, { Allow: methods.join(', ') });
};

export const isimipRoutes = new Hono<AppEnv>({ strict: false })
  .use('*', cors)
  .get('/', root)
  .post('/', uploadLimit, create)
  .options('/', options(ROOT))
  .all('/', notAllowed(ROOT))
  .on(['GET', 'HEAD'], '/output/:name', output)
  .options('/output/:name', options(OUTPUT))
  .all('/output/:name', notAllowed(OUTPUT))
  .get('/:id', async (c) => {
    const job = await c.var.deps.store.get(c.req.param('id'));
    return mine(c, job) ? view(c, job) : notFound(c);
  })
  .delete('/:id', async (c) => {
    const id = c.req.param('id');
    if (!mine(c, await c.var.deps.store.get(id))) return notFound(c);
    c.set('jobId', id);
    await c.var.deps.jobs.dismiss(id);
    return c.body(null, 204);
  })
  .options('/:id', options(JOB))
  .all('/:id', notAllowed(JOB));
