/**
 * In Redis mode every node must see the same SUBSETD_RESULTS_DIR (results written by one node
 * are downloaded through any other). Each node writes a marker file there and announces the
 * marker in the store; a node that finds a live peer's marker missing or different knows the
 * directory is not shared, says so in the log and fails /ready.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import type { JobStore } from '../stores/job-store.js';
import type { NodeAnnouncer } from './node-announcer.js';

export class SharedResultsCheck {
  status: { ok: boolean; detail?: string } = { ok: true };
  private readonly marker = randomBytes(12).toString('hex');
  private readonly dir: string;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: JobStore,
    resultsDir: string,
    private readonly announcer: NodeAnnouncer,
    private readonly log: Logger,
    private readonly intervalMs = 15_000,
  ) {
    this.dir = join(resultsDir, '.nodes');
    this.nodeId = announcer.nodeId;
    announcer.marker = this.marker;
  }

  private readonly nodeId: string;

  async run(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(join(this.dir, this.nodeId), this.marker);
      await this.announcer.announce();
      const missing: string[] = [];
      for (const peer of await this.store.nodes()) {
        if (peer.nodeId === this.nodeId) continue;
        const seen = await readFile(join(this.dir, peer.nodeId), 'utf8').catch(() => null);
        if (seen !== peer.marker) missing.push(peer.nodeId);
      }
      const was = this.status.ok;
      this.status = missing.length
        ? {
            ok: false,
            detail: `SUBSETD_RESULTS_DIR (${join(this.dir, '..')}) is not shared with node(s) ${missing.join(', ')}: their marker files are not visible here, so results they write cannot be downloaded from this node. Mount the same shared storage (e.g. NFS) at SUBSETD_RESULTS_DIR on every node.`,
          }
        : { ok: true };
      if (was && !this.status.ok) this.log.error({ check: 'results-shared' }, this.status.detail!);
      if (!was && this.status.ok) this.log.info({ check: 'results-shared' }, 'SUBSETD_RESULTS_DIR is shared with every live node');
    } catch (e) {
      // A store outage is reported by the store check; keep the last verdict.
      this.log.warn({ err: e, check: 'results-shared' }, 'cannot check whether SUBSETD_RESULTS_DIR is shared');
    }
  }

  start(): void {
    this.timer ??= setInterval(() => void this.run(), this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await rm(join(this.dir, this.nodeId), { force: true });
  }
}
