// Debian's OWSLib (python3-owslib, owslib.ogcapi.processes) against the bundled service: the
// Python client that pygeoapi users reach for reads the landing page, conformance, the OpenAPI
// document, the process list and descriptions, and (through its generic GET helper) the job
// list, a job's status and its results. test/api/owslib_client.py drives it; this file starts
// the service, creates the job, runs the script with the system interpreter and checks its
// summary. scripts/system-deps.sh installs python3-owslib for the tests.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASYNC, post, ROOT, startService, waitForJob, type RunningService } from '../helpers/service.js';

// Debian's interpreter, which has python3-owslib; not whatever `python3` is first on PATH.
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(ROOT, 'test/api/owslib_client.py');

/** The environment for the system interpreter: no other Python's paths, no proxy for localhost. */
function pythonEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
  for (const k of ['PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'VIRTUAL_ENV', 'http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']) delete env[k];
  return env;
}

const probe = spawnSync(PYTHON, ['-c', 'import owslib.ogcapi.processes'], { encoding: 'utf8', env: pythonEnv() });
const noOwslib = probe.status !== 0;

describe.skipIf(noOwslib)(`OWSLib (${PYTHON} with python3-owslib${noOwslib ? ': cannot import owslib.ogcapi.processes, install python3-owslib (scripts/system-deps.sh)' : ''})`, () => {
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startService();
  });
  afterAll(() => svc?.cleanup());

  it('reads landing page, conformance, OpenAPI, processes, descriptions, the job list, a job and its results', async () => {
    const name = `OWSLib ${Date.now()}`;
    const created = await svc.json('/processes/hello-world/execution', post({ inputs: { name, message: 'from Python' } }, ASYNC));
    expect(created.status).toBe(201);
    const jobID = created.body.jobID as string;
    expect((await waitForJob(svc, jobID)).status).toBe('successful');

    const run = spawnSync(PYTHON, [SCRIPT, `${svc.url}/`, jobID], { encoding: 'utf8', env: pythonEnv(), timeout: 60_000 });
    expect(run.status, `owslib_client.py failed:\n${run.stderr}\n${run.stdout}`).toBe(0);
    const s = JSON.parse(run.stdout);

    expect(s.owslib).toMatch(/^0\.\d+/);
    expect(s.landing.title).toBe('subsetd');
    expect(s.conformsTo).toEqual(expect.arrayContaining(['core', 'ogc-process-description', 'json', 'oas30', 'job-list', 'dismiss'].map((c) => `http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/${c}`)));
    expect(s.openapi).toMatch(/^3\.0\./);
    expect(s.apiPaths).toBeGreaterThan(5);
    expect(s.processes).toEqual(expect.arrayContaining(['hello-world', 'sleep', 'netcdf-subset']));
    expect(s.hello).toMatchObject({ id: 'hello-world', inputs: ['message', 'name'], outputs: ['echo'], jobControlOptions: expect.arrayContaining(['sync-execute', 'async-execute']) });
    expect(s.hello.execute).toEqual([`${svc.url}/processes/hello-world/execution`]);
    expect(s.netcdf).toMatchObject({ id: 'netcdf-subset', jobControlOptions: expect.arrayContaining(['async-execute']) });
    expect(s.netcdf.inputs).toEqual(expect.arrayContaining(['paths', 'operations']));
    expect(s.jobs).toMatchObject({ listed: true, links: expect.arrayContaining(['self']) });
    expect(s.status).toEqual({ jobID, processID: 'hello-world', type: 'process', status: 'successful', progress: 100 });
    expect(s.resultsLink).toBe(`${svc.url}/jobs/${jobID}/results`);
    // An asynchronous job's results: the results document (one output, by value).
    expect(s.results).toEqual({ echo: `Hello ${name}! from Python` });
    expect(s.lastRequest).toBe(`${svc.url}/jobs/${jobID}/results`);
  });
});
