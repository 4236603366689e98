/**
 * Runs one claimed job to its end on this node: keeps its lease alive, watches the worker's
 * heartbeat, enforces the timeout, and records exactly one outcome. Every way a job can end is
 * decided here, in one place.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/table.js';
import type { Logger } from '../log.js';
import type { WorkerPool } from '../pool/pool.js';
import type { JobError, JobRecord, JobStore } from '../stores/job-store.js';
import type { JobFiles } from './job-files.js';
import { fileOutputs } from './outputs.js';
import { JobLogWriter } from './job-log.js';

export type StopReason = 'dismissed' | 'lost-lease' | 'timeout' | 'stalled' | 'shutdown';

export interface RunningJob {
  job: JobRecord;
  threadId: number | null;
  lastBeat: number;
  progress: number;
  stop(reason: StopReason): void;
  done: Promise<void>;
}

export interface RunDeps {
  store: JobStore;
  pool: WorkerPool;
  files: JobFiles;
  config: Config;
  log: Logger;
  nodeId: string;
  /** Plugin module files, resolved at start-up (src/processes/plugins.ts); the worker threads load the same. */
  plugins: string[];
}

const fmt = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

export function runJob(job: JobRecord, d: RunDeps): RunningJob {
  const { store, config, log, nodeId } = d;
  const jlog = log.child({ job: job.id, process: job.processId });
  // The job's own log (GET /jobs/{id}/log), written by the node that runs it.
  const jl = new JobLogWriter(store, job.id, jlog);
  jl.add('info', `started on node ${nodeId} (attempt ${job.attempts} of ${job.maxAttempts})`);
  const ac = new AbortController();
  let reason: StopReason | null = null;
  let ended = false;
  let pending: { percent: number; message?: string } | undefined;
  let stopWorker: (why: string) => void = () => {};

  const running: RunningJob = {
    job,
    threadId: null,
    lastBeat: Date.now(),
    progress: 0,
    stop(r) {
      if (reason || ended) return;
      reason = r;
      jlog.info({ reason: r }, 'stopping job');
      if (r === 'lost-lease') jl.add('warn', `stopped on node ${nodeId}: the job was dismissed or re-queued elsewhere`);
      else if (r === 'dismissed') jl.add('info', `stopped on node ${nodeId}: dismissed`);
      stopWorker(r);
      // Give a cooperative processor a moment to clean up, then terminate the thread.
      setTimeout(() => ac.abort(new Error(r)), r === 'dismissed' ? 200 : 500).unref();
    },
    done: Promise.resolve(),
  };

  // One write renews the lease and records progress; progress alone triggers it at most twice a second.
  let lastWrite = 0;
  let writing = false;
  const renew = async () => {
    if (writing) return;
    writing = true;
    lastWrite = Date.now();
    const progress = pending;
    pending = undefined;
    try {
      const ours = await store.heartbeat(job.id, nodeId, config.leaseTime, progress);
      if (!ours) running.stop('lost-lease'); // dismissed through another node, or reclaimed
    } catch (e) {
      pending ??= progress;
      jlog.warn({ err: e }, 'lease renewal failed; will retry');
    } finally {
      writing = false;
    }
  };
  const lease = setInterval(renew, Math.max(50, Math.floor(config.leaseTime / 3)));
  const watchdog = setInterval(() => {
    if (Date.now() - running.lastBeat > config.stallTimeout) running.stop('stalled');
  }, Math.min(1000, config.stallTimeout));
  const timeout = setTimeout(() => running.stop('timeout'), config.jobTimeout);

  running.done = (async () => {
    const workDir = await d.files.prepareWorkDir(job.id);
    const uploadDir = d.files.uploadDir(job.id);
    const task = d.pool.run(
      {
        jobId: job.id,
        processId: job.processId,
        inputs: job.inputs,
        workDir,
        dataRoot: config.dataRoot,
        stateDir: config.stateDir,
        datasetsFile: config.datasets,
        tsCacheDir: config.tsCache === 'off' ? undefined : config.tsCacheDir,
        uploadDir: (await exists(uploadDir)) ? uploadDir : undefined,
        plugins: d.plugins,
      },
      (e) => {
        running.lastBeat = Date.now();
        if (e.t === 'beat') running.threadId = e.threadId;
        else if (e.t === 'progress') {
          running.progress = e.percent;
          pending = { percent: e.percent, message: e.message };
          jl.progress(e.percent, e.message);
          if (Date.now() - lastWrite >= 500) void renew();
        } else if (e.t === 'log') {
          jlog.info(e.extra ?? {}, e.msg);
          const level = e.extra?.level;
          jl.add(level === 'warn' || level === 'error' ? level : 'info', String(e.msg));
        }
      },
      ac.signal,
    );
    stopWorker = task.stop;
    let outcome: { ok: true; outputs: Record<string, unknown>; message?: string } | { ok: false; error: JobError };
    try {
      const r = await task.done;
      outcome = r.ok ? r : { ok: false, error: r.error };
    } catch (e) {
      outcome = { ok: false, error: crashError(e as Error & { code?: string }, config) };
    }
    if (reason) outcome = { ok: false, error: stopError(reason, config) };
    await settle(job, outcome, reason, d, jlog, jl);
  })()
    .catch((e) => jlog.error({ err: e }, 'job bookkeeping failed; the lease sweeper will recover it'))
    .finally(() => {
      void jl.flush();
      ended = true;
      clearInterval(lease);
      clearInterval(watchdog);
      clearTimeout(timeout);
    });
  return running;
}

async function settle(
  job: JobRecord,
  outcome: { ok: true; outputs: Record<string, unknown>; message?: string } | { ok: false; error: JobError },
  reason: StopReason | null,
  d: RunDeps,
  jlog: Logger,
  jl: JobLogWriter,
) {
  const { store, files, config, nodeId } = d;
  if (reason === 'shutdown') {
    await files.removeWork(job.id);
    // The log line first: once released, another node may start the job and log its own start.
    jl.add('warn', 're-queued: the node running it shut down');
    await jl.flush();
    await store.release(job.id, nodeId, 're-queued: the node running it shut down');
    jlog.info('job released for another run');
    return;
  }
  if (reason === 'dismissed' || reason === 'lost-lease') {
    // The store already records the new state; only our files are left to remove.
    await (reason === 'dismissed' ? files.removeAll(job.id) : files.removeWork(job.id));
    return;
  }
  if (outcome.ok) {
    for (const f of fileOutputs(outcome.outputs)) {
      if (!(await exists(join(files.workDir(job.id), f.file)))) {
        outcome = { ok: false, error: { message: `processor declared output file "${f.file}" but did not write it`, retryable: false, code: 'processing-error' } };
        break;
      }
    }
  }
  // The last line before the transition, so a client that sees the end finds it in the log.
  if (outcome.ok) jl.add('info', 'successful', { progress: 100 });
  else jl.add('error', `failed: ${outcome.error.message}`, { retryable: outcome.error.retryable });
  await jl.flush();
  if (outcome.ok) {
    await files.promote(job.id);
    const ok = await store.finish(job.id, nodeId, { status: 'successful', outputs: outcome.outputs, message: outcome.message }, config.resultTtl);
    if (!ok) await files.removeAll(job.id); // dismissed while we were finishing
    if (!ok) jl.add('warn', 'result discarded: the job was dismissed while it was being finished');
    jlog.info({ status: ok ? 'successful' : 'lost' }, 'job finished');
  } else {
    await files.removeWork(job.id);
    await store.finish(job.id, nodeId, { status: 'failed', error: outcome.error }, config.resultTtl);
    jlog.warn({ status: 'failed', error: outcome.error }, 'job failed');
  }
}

function stopError(reason: StopReason, config: Config): JobError {
  switch (reason) {
    case 'timeout':
      return { message: `timed out after ${fmt(config.jobTimeout)} (SUBSETD_JOB_TIMEOUT)`, retryable: false, code: 'timeout' };
    case 'stalled':
      return { message: `the worker sent no heartbeat for ${fmt(config.stallTimeout)} and was terminated`, retryable: true, code: 'worker-stalled' };
    default:
      return { message: reason, retryable: true, code: reason };
  }
}

function crashError(e: Error & { code?: string }, config: Config): JobError {
  if (e.code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory/i.test(e.message))
    return { message: `the worker ran out of memory (limit ${Math.round(config.workerMemory / 2 ** 20)} MB, SUBSETD_WORKER_MEMORY)`, retryable: false, code: 'out-of-memory' };
  return { message: `the worker thread died: ${e.message}`, retryable: true, code: 'worker-crashed' };
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}
