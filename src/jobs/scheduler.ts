/**
 * The worker loop of one node: claims jobs while it has free workers and runs them. It knows
 * the store only through the JobStore interface.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { runJob, type RunDeps, type RunningJob } from './run-job.js';

export interface WorkerState {
  slot: number;
  state: 'busy' | 'idle';
  jobId?: string;
  processId?: string;
  threadId?: number | null;
  progress?: number;
  runningForMs?: number;
  lastHeartbeatMsAgo?: number;
}

export class Scheduler {
  readonly events = new EventEmitter();
  private readonly running = new Map<string, RunningJob>();
  private readonly ac = new AbortController();
  private loop: Promise<void> | null = null;
  private wake: () => void = () => {};

  /**
   * `processes`: what this node's workers run; `limits`: per process, how many slots it may
   * take at once (SUBSETD_CONCURRENCY), so a heavy process never fills every slot while others wait.
   */
  constructor(
    private readonly d: RunDeps,
    private readonly capacity: number,
    readonly processes: readonly string[],
    private readonly limits: Readonly<Record<string, number>> = {},
  ) {
    this.events.setMaxListeners(0);
  }

  /** The processes a free slot may take now: this node's, minus those at their limit. */
  private claimable(): string[] {
    const running: Record<string, number> = {};
    for (const r of this.running.values()) running[r.job.processId] = (running[r.job.processId] ?? 0) + 1;
    return this.processes.filter((p) => (running[p] ?? 0) < (this.limits[p] ?? Infinity));
  }

  start(): void {
    if (this.capacity > 0) this.loop ??= this.claimLoop();
  }

  private async claimLoop(): Promise<void> {
    const { store, config, log, nodeId } = this.d;
    let backoff = 100;
    while (!this.ac.signal.aborted) {
      const claimable = this.running.size < this.capacity ? this.claimable() : [];
      if (!claimable.length) {
        // Full, or every process this node runs is at its limit: a job ending here frees a slot.
        await new Promise<void>((r) => (this.wake = r));
        continue;
      }
      let job;
      try {
        job = await store.claim(nodeId, config.leaseTime, claimable);
        backoff = 100;
      } catch (e) {
        log.warn({ err: e }, 'cannot claim jobs; retrying');
        await delay(backoff, undefined, { signal: this.ac.signal }).catch(() => {});
        backoff = Math.min(backoff * 2, 5000);
        continue;
      }
      if (!job) {
        await store.waitForWork(1000, this.ac.signal);
        continue;
      }
      log.info({ job: job.id, process: job.processId, attempt: job.attempts, status: 'running' }, 'job started');
      const r = runJob(job, this.d);
      this.running.set(job.id, r);
      void r.done.finally(() => {
        this.running.delete(job.id);
        this.events.emit('finished', job.id);
        this.wake();
      });
    }
  }

  /** Stops a job running here now (the store has already recorded the dismissal). */
  dismissLocal(id: string): boolean {
    const r = this.running.get(id);
    r?.stop('dismissed');
    return !!r;
  }

  /** One entry per worker slot of this node, busy or idle. */
  workers(): WorkerState[] {
    const now = Date.now();
    const busy: WorkerState[] = [...this.running.values()].map((r, i) => ({
      slot: i,
      state: 'busy',
      jobId: r.job.id,
      processId: r.job.processId,
      threadId: r.threadId,
      progress: r.progress,
      runningForMs: now - (r.job.started ?? now),
      lastHeartbeatMsAgo: now - r.lastBeat,
    }));
    for (let i = busy.length; i < this.capacity; i++) busy.push({ slot: i, state: 'idle' });
    return busy;
  }

  get capacityTotal(): number {
    return this.capacity;
  }

  /** Stops claiming; running jobs may finish until the deadline, the rest are released. */
  async stop(deadlineMs: number): Promise<void> {
    if (this.ac.signal.aborted) return this.loop ?? undefined;
    this.ac.abort();
    this.wake();
    await this.loop;
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    const timer = delay(deadlineMs).then(() => 'late' as const);
    if ((await Promise.race([all.then(() => 'ok' as const), timer])) === 'late') {
      for (const r of this.running.values()) r.stop('shutdown');
      await all;
    }
  }
}
