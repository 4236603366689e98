/**
 * Dispatch on BullMQ: every time a job becomes `accepted` (created, released, re-queued), one
 * BullMQ job - a "ticket" - is queued for it, in the BullMQ queue of its process
 * (`jobs-<processId>`): a node that serves only some processes takes tickets from their queues
 * alone and never sees, let alone takes, a job it cannot run. Claiming takes the next ticket
 * with manual processing (`worker.getNextJob`), lets the store's CLAIM script turn the record
 * into `running`, and completes the ticket. BullMQ gives FIFO order across nodes and
 * stalled-ticket recovery: a ticket taken by a node that died before completing it goes back to
 * the queue when its BullMQ lock expires. Idle nodes are woken by a PUBLISH on `<prefix>:work`
 * naming the process (one subscriber connection per node, not one blocking reader per queue).
 *
 * Why the running job itself is not a BullMQ active job holding a BullMQ lock: the JobStore
 * lease is per call (leaseMs), sweepStalled takes an arbitrary cutoff (a restart passes one
 * beyond every lease), release must not count an attempt, and a dismissal must reach the
 * running node through its next heartbeat. BullMQ's lock/stall model fixes the lock duration
 * per Worker and only reclaims after two stalled-check passes, so the lease lives in the job
 * hash (lua-jobs.ts) and BullMQ only carries the "go" signal.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { withDeadline } from './connection.js';

export interface Ticket {
  id: string;
  dispatch: string;
  processId: string;
  job: Job;
  token: string;
}

/** BullMQ ids may not contain ':' and must not look like integers. */
export const ticketId = (id: string, dispatch: string) => `t-${id.replace(/:/g, '_')}-${dispatch}`;
/** The BullMQ queue of a process (BullMQ queue names may not contain ':'; process ids cannot). */
export const queueName = (processId: string) => `jobs-${processId}`;

export class Dispatch {
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, Worker>();
  /** Where BullMQ keeps a ticket: this + processId + ':' + ticketId(). */
  readonly ticketKeyPrefix: string;
  /** Where enqueue() announces new tickets: `<store prefix>:work`, message = process id. */
  readonly workChannel: string;
  /** Rotates the first process tried, so one busy process cannot starve the others on a node. */
  private turn = 0;
  private closed = false;

  /**
   * `client` is the store's fail-fast client (the queues share it); `workerConn` a fail-fast
   * duplicate (BullMQ derives each worker's blocking connection from it, unused with manual
   * processing). `prefix` is BullMQ's key prefix; `workChannel` the wake-up channel.
   */
  constructor(
    private readonly client: Redis,
    private readonly workerConn: Redis,
    private readonly prefix: string,
    workChannel: string,
  ) {
    this.ticketKeyPrefix = `${prefix}:jobs-`;
    this.workChannel = workChannel;
  }

  private queue(processId: string): Queue {
    let q = this.queues.get(processId);
    if (!q) {
      q = new Queue(queueName(processId), { prefix: this.prefix, connection: this.client });
      // Connection errors reach callers through failing calls; unhandled 'error' events would crash.
      q.on('error', () => {});
      this.queues.set(processId, q);
    }
    return q;
  }

  /** The worker of a process this node claims for, made on its first claim. */
  private worker(processId: string): Worker {
    let w = this.workers.get(processId);
    if (!w) {
      w = new Worker(queueName(processId), null, {
        prefix: this.prefix,
        connection: this.workerConn,
        autorun: false,
        // A ticket is completed within milliseconds of being taken; 5 s without that means the
        // node died (or lost Redis) in between, and BullMQ puts the ticket back within 5-10 s.
        lockDuration: 5_000,
        stalledInterval: 5_000,
        maxStalledCount: 1000,
      });
      w.on('error', () => {});
      void w.startStalledCheckTimer().catch(() => {});
      this.workers.set(processId, w);
    }
    return w;
  }

  /** Resolves when Redis answers (queues and workers connect on first use). */
  async ready(): Promise<void> {
    await withDeadline(this.client.ping(), 5000);
  }

  /** Queues a ticket and wakes idle nodes. `front`: a re-queued job runs before newer ones (as SQLite orders by creation). */
  async enqueue(id: string, dispatch: string, processId: string, front = false): Promise<void> {
    await withDeadline(
      this.queue(processId).add('run', { id, dispatch }, { jobId: ticketId(id, dispatch), lifo: front, removeOnComplete: true, removeOnFail: true }),
    );
    await withDeadline(this.client.publish(this.workChannel, processId)).catch(() => {}); // idle nodes also poll
  }

  /**
   * The next ticket of one of `processIds` (FIFO within a process), or null when none of them
   * has one waiting. `first` (the process of the fair next job) is tried first; then the others,
   * the first of them rotating, for tickets whose jobs the fair queues do not hold yet.
   */
  async next(processIds: readonly string[], first?: string): Promise<Ticket | null> {
    if (!processIds.length || this.closed) return null;
    if (first) {
      const t = await this.nextOf(first);
      if (t) return t;
    }
    const start = this.turn++ % processIds.length;
    for (let i = 0; i < processIds.length; i++) {
      const processId = processIds[(start + i) % processIds.length];
      if (processId === first) continue;
      const t = await this.nextOf(processId);
      if (t) return t;
    }
    return null;
  }

  private async nextOf(processId: string): Promise<Ticket | null> {
    const token = randomUUID();
    const taking = this.worker(processId).getNextJob(token, { block: false });
    let job: Job | undefined;
    try {
      job = await withDeadline(taking);
    } catch (e) {
      // BullMQ may still take the ticket once Redis answers again; hand it back then rather
      // than leave it locked until the stalled check (the job would sit idle that long).
      void taking.then((late) => late?.moveToWait(token)).catch(() => {});
      throw e;
    }
    if (!job) return null;
    return { id: job.data.id, dispatch: String(job.data.dispatch), processId, job, token };
  }

  /** Puts a ticket back at the head of the queue (the claim for it failed). */
  async giveBack(t: Ticket): Promise<void> {
    await withDeadline(t.job.moveToWait(t.token)).catch(() => {});
  }

  /** Completes a ticket; if this fails, BullMQ's stalled check re-queues it and CLAIM ignores it. */
  async done(t: Ticket): Promise<void> {
    await withDeadline(t.job.moveToCompleted(null, t.token, false));
  }

  /** Drops the ticket of a dismissed job early; a ticket left behind is ignored by CLAIM anyway. */
  async drop(id: string, dispatch: string, processId: string): Promise<void> {
    await withDeadline(this.queue(processId).remove(ticketId(id, dispatch))).catch(() => {});
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...[...this.workers.values()].map((w) => w.close(true)), ...[...this.queues.values()].map((q) => q.close())]);
  }
}
