/**
 * Periodic housekeeping, safe to run on every node at once: re-queues jobs whose lease expired
 * (their node died) and deletes jobs, with their files, whose retention ended.
 */
import type { Config } from '../config/table.js';
import type { Logger } from '../log.js';
import type { JobStore } from '../stores/job-store.js';
import type { JobFiles } from './job-files.js';
import { logLine } from './job-log.js';

export class Sweeper {
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;

  constructor(private readonly store: JobStore, private readonly files: JobFiles, private readonly config: Config, private readonly log: Logger) {}

  start(): void {
    this.timer ??= setInterval(() => void this.sweep(), this.config.sweepInterval);
  }

  /** One pass; `now` beyond every lease reclaims all running jobs (single-node recovery at start). */
  sweep(now = Date.now()): Promise<void> {
    this.busy ??= (async () => {
      try {
        const { requeued, failed } = await this.store.sweepStalled(now, this.config.resultTtl);
        for (const j of requeued) {
          this.log.warn({ job: j.id, attempt: j.attempts, status: 'accepted' }, j.message ?? 're-queued');
          await logLine(this.store, this.log, j.id, 'warn', j.message ?? 're-queued');
        }
        for (const j of failed) {
          this.log.error({ job: j.id, status: 'failed' }, j.message ?? 'failed');
          await logLine(this.store, this.log, j.id, 'error', j.message ?? 'failed', { retryable: j.error?.retryable ?? false });
          await this.files.removeWork(j.id);
        }
        const expired = await this.store.purgeExpired(Date.now());
        for (const id of expired) await this.files.removeAll(id);
        if (expired.length) this.log.info({ count: expired.length }, 'expired jobs deleted');
      } catch (e) {
        this.log.warn({ err: e }, 'sweep failed; will retry');
      } finally {
        this.busy = null;
      }
    })();
    return this.busy;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.busy;
  }
}
