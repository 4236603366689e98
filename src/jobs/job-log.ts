/**
 * Writes a job's own log (JobStore.appendLog; read by GET /jobs/{id}/log). Lines of a running
 * job are buffered and written a few times a second, so a chatty processor costs few store
 * writes; progress becomes a line only per 5 % step or when its message changes. Writing the
 * log is best effort: a failed write is logged to stdout and never fails or delays the job.
 */
import type { Logger } from '../log.js';
import type { JobLogLine, JobStore } from '../stores/job-store.js';

const FLUSH_MS = 250;
const PROGRESS_STEP = 5;
/** A new progress message within the same 5 % step is logged at most this often. */
const MESSAGE_EVERY_MS = 2000;

type Extra = { progress?: number; retryable?: boolean };

/** One line written at once (a transition seen outside a running job: accepted, dismissed, re-queued). */
export async function logLine(store: JobStore, log: Logger, id: string, level: JobLogLine['level'], message: string, extra: Extra = {}): Promise<void> {
  try {
    await store.appendLog(id, [{ time: Date.now(), level, message, ...extra }]);
  } catch (e) {
    log.warn({ err: e, job: id }, 'cannot write the job log');
  }
}

export class JobLogWriter {
  private buf: JobLogLine[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private lastStep = -1;
  private lastMessage: string | undefined;
  private lastAt = 0;

  constructor(
    private readonly store: JobStore,
    private readonly id: string,
    private readonly log: Logger,
  ) {}

  add(level: JobLogLine['level'], message: string, extra: Extra = {}): void {
    this.buf.push({ time: Date.now(), level, message, ...extra });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** A progress report; logged when it enters a new 5 % step, or its message changes (at most every 2 s). */
  progress(percent: number, message?: string): void {
    const pct = Math.max(0, Math.min(100, Math.round(percent)));
    const step = Math.floor(pct / PROGRESS_STEP);
    const now = Date.now();
    const changed = message !== undefined && message !== this.lastMessage && now - this.lastAt >= MESSAGE_EVERY_MS;
    if (step === this.lastStep && !changed) return;
    this.lastStep = step;
    this.lastAt = now;
    if (message !== undefined) this.lastMessage = message;
    this.add('info', message ? `${pct} %: ${message}` : `${pct} %`, { progress: pct });
  }

  /** Writes what is buffered; the writes of one job stay in order. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const lines = this.buf;
    this.buf = [];
    if (!lines.length) return this.writing;
    this.writing = this.writing.then(() =>
      this.store.appendLog(this.id, lines).catch((e) => this.log.warn({ err: e, job: this.id }, 'cannot write the job log')),
    );
    return this.writing;
  }
}
