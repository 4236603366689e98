/**
 * What the HTTP front-ends (OGC routes, the ISIMIP adapter) do with jobs: submit (validate,
 * deduplicate, store), dismiss (record, stop wherever it runs, remove files) and wait for an end.
 */
import type { Config } from '../config/table.js';
import { dedupKey } from '../processes/canonical.js';
import type { ProcessRegistry } from '../processes/registry.js';
import type { JobRecord, JobStore } from '../stores/job-store.js';
import type { Logger } from '../log.js';
import type { JobFiles } from './job-files.js';
import type { Scheduler } from './scheduler.js';
import { isTerminal } from './status.js';
import { logLine } from './job-log.js';
import { countDataFiles } from '../quota/count-files.js';
import type { SubmitLimits } from '../quota/limits.js';
import { QuotaExceededError } from '../stores/job-store.js';

export interface SubmitOptions {
  /** Caller-chosen job id (ISIMIP: SHA-1 of the request). */
  id?: string;
  meta?: Record<string, unknown>;
  /** Directory of files uploaded with the request; validated against, then owned by the job. */
  uploadDir?: string;
  /** Extra identity for dedup, e.g. digests of uploaded files. */
  dedupExtra?: unknown;
  /** Token name of the caller (src/auth); null/absent with access control off. */
  owner?: string | null;
  /** The caller's limits (src/quota/limits.ts); absent: none. */
  limits?: SubmitLimits;
}

export class JobService {
  constructor(
    private readonly store: JobStore,
    readonly registry: ProcessRegistry,
    private readonly files: JobFiles,
    private readonly config: Config,
    private readonly scheduler: Scheduler | null,
    private readonly log: Logger,
  ) {}

  /** Throws InputError (-> 400) for bad inputs; the caller checks the process exists. */
  async submit(processId: string, rawInputs: unknown, opts: SubmitOptions = {}): Promise<{ job: JobRecord; created: boolean }> {
    const process = this.registry.get(processId)!;
    const inputs = await this.registry.validate(processId, rawInputs, { dataRoot: this.config.dataRoot, uploadDir: opts.uploadDir, datasetsFile: this.config.datasets });
    // The owner is part of the identity: two owners never share a job, so neither learns that
    // the other asked the same (the key without an owner is the one used before access control).
    const owner = opts.owner ?? null;
    const maxFiles = opts.limits?.maxFiles ?? null;
    if (maxFiles !== null && countDataFiles(inputs, this.config.dataRoot) > maxFiles) throw new QuotaExceededError('max-files-per-job', maxFiles, null);
    const key = dedupKey(processId, process.description.version, { inputs, extra: opts.dedupExtra ?? null, ...(owner === null ? {} : { owner }) });
    const r = await this.store.create({ id: opts.id, processId, inputs, dedupKey: key, meta: opts.meta, maxAttempts: this.config.maxAttempts, owner, limits: opts.limits?.owner });
    if (r.created) this.log.info({ job: r.job.id, process: processId, status: 'accepted' }, 'job accepted');
    else this.log.info({ job: r.job.id, process: processId, status: r.job.status }, 'identical request joins existing job');
    return r;
  }

  async dismiss(id: string): Promise<JobRecord | null> {
    const job = await this.store.dismiss(id, this.config.resultTtl);
    if (!job) return null;
    this.log.info({ job: id, status: job.status }, 'job dismissed');
    await logLine(this.store, this.log, id, 'info', 'dismissed');
    // Running here: stop it now (elsewhere, its node sees the dismissal at the next lease renewal).
    if (!this.scheduler?.dismissLocal(id)) await this.files.removeAll(id);
    return job;
  }

  /** Resolves with the job once it is terminal, or with its current state after `ms`. */
  async waitFor(id: string, ms: number): Promise<JobRecord | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const job = await this.store.get(id);
      if (!job || isTerminal(job.status) || Date.now() >= deadline) return job;
      // Local completion wakes us at once; a poll covers jobs run by other nodes.
      await new Promise<void>((resolve) => {
        const done = (jid: string) => jid === id && finish();
        const timer = setTimeout(finish, Math.min(250, Math.max(0, deadline - Date.now())));
        function finish() {
          clearTimeout(timer);
          sched?.events.off('finished', done);
          resolve();
        }
        const sched = this.scheduler;
        sched?.events.on('finished', done);
      });
    }
  }
}
