/**
 * Keeps this node in the store's node registry every few seconds with what its worker slots are
 * doing, so GET /admin/stats on any node shows every live node's workers (Redis mode), and the
 * shared-results check finds its peers' markers. A node that stops announcing drops out after
 * the TTL.
 */
import type { Logger } from '../log.js';
import type { JobStore, NodeInfo, NodeWorker } from '../stores/job-store.js';
import type { WorkerState } from './scheduler.js';

export const ANNOUNCE_INTERVAL_MS = 3_000;
export const ANNOUNCE_TTL_MS = 15_000;

/** The registry's view of a slot: what the admin page shows, nothing thread-internal. */
export function nodeWorkers(slots: WorkerState[]): NodeWorker[] {
  return slots.map((w) => {
    const out: NodeWorker = { slot: w.slot, state: w.state };
    if (w.jobId) out.jobId = w.jobId;
    if (w.processId) out.processId = w.processId;
    if (w.lastHeartbeatMsAgo !== undefined) out.lastHeartbeatMsAgo = w.lastHeartbeatMsAgo;
    return out;
  });
}

export class NodeAnnouncer {
  /** Set by the shared-results check before its first announcement; '' when unused. */
  marker = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: JobStore,
    readonly nodeId: string,
    private readonly slots: () => WorkerState[],
    private readonly log: Logger,
    private readonly intervalMs = ANNOUNCE_INTERVAL_MS,
    /** The processes this node's workers run ([] without workers). */
    private readonly processes: string[] = [],
  ) {}

  /** Throws when the store cannot be written (callers that care about the outcome). */
  announce(): Promise<void> {
    return this.store.announce(this.nodeId, { marker: this.marker, workers: nodeWorkers(this.slots()), processes: this.processes }, Math.max(ANNOUNCE_TTL_MS, this.intervalMs * 3));
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.announce().catch((e) => this.log.debug({ err: e }, 'node announcement failed; will retry'));
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/**
 * Processes no live node runs (jobs for them are accepted and wait), from the node registry
 * (`store.nodes()`, which the admin view reads anyway): for /health, /ready and the admin view.
 */
export function unservedProcesses(nodes: Array<Pick<NodeInfo, 'workers' | 'processes'>>, ids: string[]): string[] {
  // A node from before the registry carried processes runs them all.
  if (nodes.some((n) => n.processes === undefined && n.workers.length)) return [];
  const served = new Set(nodes.flatMap((n) => n.processes ?? []));
  return ids.filter((id) => !served.has(id));
}
