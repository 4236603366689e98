import type { Config } from '../config/table.js';
import type { JobFiles } from '../jobs/job-files.js';
import type { JobService } from '../jobs/job-service.js';
import type { Scheduler } from '../jobs/scheduler.js';
import type { Logger } from '../log.js';
import type { WorkerPool } from '../pool/pool.js';
import type { ProcessRegistry } from '../processes/registry.js';
import type { JobStore } from '../stores/job-store.js';
import type { Principal } from '../auth/principal.js';
import type { LinkSigner } from '../auth/signed-links.js';
import type { DiskUsage } from './disk-usage.js';
import type { EventStreams } from './event-streams.js';
import type { Metrics } from '../metrics/registry.js';

/** Everything a route may use, passed in once: no route imports a store driver or global config. */
export interface AppDeps {
  config: Config;
  store: JobStore;
  registry: ProcessRegistry;
  jobs: JobService;
  files: JobFiles;
  scheduler: Scheduler | null;
  pool: WorkerPool | null;
  log: Logger;
  version: string;
  /** This node's id in the node registry (GET /admin/stats). */
  nodeId: string;
  /** Open GET /jobs/events streams, ended when the service closes. */
  eventStreams: EventStreams;
  /** Bytes used and free in the state and results folders, cached (GET /admin/stats). */
  disk: DiskUsage;
  /** Prometheus metrics of this node (GET /metrics). */
  metrics: Metrics;
  /** Redis mode: whether SUBSETD_RESULTS_DIR is shared with the other live nodes. */
  sharedResults?: { status: { ok: boolean; detail?: string } };
}

export type AppEnv = {
  Variables: {
    deps: AppDeps;
    jobId?: string;
    /** Who is calling (src/auth/middleware.ts); set on every request. */
    principal: Principal;
    /** Signs result links when access control is on; null when it is off. */
    links: LinkSigner | null;
  };
};
