/**
 * The node's Prometheus metrics (prom-client): one registry per service, so two services in one
 * process (tests) never share counters. Names follow Prometheus conventions (base units, _total
 * for counters); the library's own process metrics (RSS, event-loop lag, GC) are included.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  /** Transitions this node performed (each transition is counted once in a cluster: by the node whose store call made it). */
  readonly jobTransitions: Counter<'process' | 'status'>;
  /** From start (claim) to the end recorded by this node. */
  readonly jobDuration: Histogram<'process' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly storeDuration: Histogram<'op'>;
  /** Callback attempts (src/callbacks/deliver.ts) by kind and outcome. */
  readonly callbackAttempts: Counter<'kind' | 'outcome'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    jobTransitions: new Counter({
      name: 'subsetd_job_transitions_total',
      help: 'Job state transitions made by this node, by process and new status (accepted, running, successful, failed, dismissed, requeued)',
      labelNames: ['process', 'status'],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'subsetd_job_duration_seconds',
      help: 'Run time of jobs that ended on this node, from start to end, by process and final status',
      labelNames: ['process', 'status'],
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'subsetd_http_request_duration_seconds',
      help: 'HTTP requests by method, route template (e.g. /jobs/:id; "unmatched" when no route) and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers: [registry],
    }),
    storeDuration: new Histogram({
      name: 'subsetd_store_call_duration_seconds',
      help: 'Job store calls (SQLite or Redis) by operation',
      labelNames: ['op'],
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    }),
    callbackAttempts: new Counter({
      name: 'subsetd_callback_attempts_total',
      help: 'Job callback POSTs made by this node, by kind (success, failed, in-progress) and outcome (delivered; retry: failed and will be tried again; failed: a final refusal or error; expired: still failing when SUBSETD_CALLBACK_RETRY_FOR ran out)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
  };
}
