/**
 * Dispatch on BullMQ: every time a job becomes `accepted` (created, released, re-queued), one
 * BullMQ job - a "ticket" - is queued for it. Claiming takes the next ticket with manual
 * processing (`worker.getNextJob`), lets the store's CLAIM script turn the record into
 * `running`, and completes the ticket. BullMQ gives FIFO order across nodes, the blocking
 * wake-up of idle nodes (QueueEvents), and stalled-ticket recovery: a ticket taken by a node
 * that died before completing it goes back to the queue when its BullMQ lock expires.
 *
 * Why the running job itself is not a BullMQ active job holding a BullMQ lock: the JobStore
 * lease is per call (leaseMs), sweepStalled takes an arbitrary cutoff (a restart passes one
 * beyond every lease), release must not count an attempt, and a dismissal must reach the
 * running node through its next heartbeat. BullMQ's lock/stall model fixes the lock duration
 * per Worker and only reclaims after two stalled-check passes, so the lease lives in the job
 * hash (lua-jobs.ts) and BullMQ only carries the "go" signal.
 */
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { withDeadline } from './connection.js';

export interface Ticket {
  id: string;
  dispatch: string;
  job: Job;
  token: string;
}

/** BullMQ ids may not contain ':' and must not look like integers. */
export const ticketId = (id: string, dispatch: string) => `t-${id.replace(/:/g, '_')}-${dispatch}`;

export class Dispatch {
  private readonly queue: Queue;
  private readonly worker: Worker;
  private readonly events: QueueEvents;
  /** Where BullMQ keeps a ticket: this + ticketId(). */
  readonly ticketKeyPrefix: string;

  /**
   * `client` is the store's fail-fast client (the queue shares it); `workerConn` a fail-fast
   * duplicate (BullMQ derives the worker's blocking connection from it, unused with manual
   * processing); `eventsConn` a patient one for QueueEvents' blocking XREAD.
   */
  constructor(client: Redis, workerConn: Redis, eventsConn: Redis, prefix: string) {
    this.queue = new Queue('jobs', { prefix, connection: client });
    this.ticketKeyPrefix = `${prefix}:jobs:`;
    this.worker = new Worker('jobs', null, {
      prefix,
      connection: workerConn,
      autorun: false,
      // A ticket is completed within milliseconds of being taken; 5 s without that means the
      // node died (or lost Redis) in between, and BullMQ puts the ticket back within 5-10 s.
      lockDuration: 5_000,
      stalledInterval: 5_000,
      maxStalledCount: 1000,
    });
    this.events = new QueueEvents('jobs', { prefix, connection: eventsConn });
    // Connection errors reach callers through failing calls; unhandled 'error' events would crash.
    this.queue.on('error', () => {});
    this.worker.on('error', () => {});
    this.events.on('error', () => {});
    void this.worker.startStalledCheckTimer().catch(() => {});
  }

  /** Resolves when BullMQ's connections are up (a close racing their handshake would log noise). */
  async ready(): Promise<void> {
    await withDeadline(Promise.all([this.queue.waitUntilReady(), this.worker.waitUntilReady(), this.events.waitUntilReady()]), 5000);
  }

  /** Queues a ticket. `front`: a re-queued job runs before newer ones (as SQLite orders by creation). */
  async enqueue(id: string, dispatch: string, front = false): Promise<void> {
    await withDeadline(
      this.queue.add('run', { id, dispatch }, { jobId: ticketId(id, dispatch), lifo: front, removeOnComplete: true, removeOnFail: true }),
    );
  }

  /** The next ticket in FIFO order, or null when none is waiting. */
  async next(): Promise<Ticket | null> {
    const token = randomUUID();
    const taking = this.worker.getNextJob(token, { block: false });
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
    return { id: job.data.id, dispatch: String(job.data.dispatch), job, token };
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
  async drop(id: string, dispatch: string): Promise<void> {
    await withDeadline(this.queue.remove(ticketId(id, dispatch))).catch(() => {});
  }

  /** Calls `fn` whenever any node queues a ticket. Returns the unsubscribe function. */
  onTicket(fn: () => void): () => void {
    this.events.on('waiting', fn);
    return () => void this.events.off('waiting', fn);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.worker.close(true), this.events.close(), this.queue.close()]);
  }
}
