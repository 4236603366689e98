/**
 * GET /jobs/events: Server-Sent Events of job transitions and progress, for the console and any
 * other client. Each event is `event: job` with the job's statusInfo as data (the document GET
 * /jobs/{id} returns); a comment line every 15 s keeps proxies from closing an idle stream.
 * Filters: `processID`, `status` (lists, as on GET /jobs). A caller only hears of jobs it may
 * see. The stream ends when the client goes away or the service closes; a client that reads
 * too slowly is dropped rather than buffered without bound (EventSource reconnects by itself).
 */
import { Hono } from 'hono';
import { canSee } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import { isJobStatus } from '../../jobs/status.js';
import type { JobEvent } from '../../stores/job-store.js';
import type { AppEnv } from '../context.js';
import { baseUrl } from '../links.js';
import { badParameter } from '../problem.js';
import { statusInfo } from '../status-info.js';
import { listParam } from './job-list.js';

export const PING_MS = 15_000;
/** Chunks queued for one client before it counts as stalled and is dropped. */
const MAX_QUEUED = 1000;

/** The one visibility check of this stream (src/auth/access.ts decides). */
function mayWatch(principal: Principal | undefined, job: JobEvent): boolean {
  return principal === undefined || canSee(principal, job);
}

export const jobEvents = new Hono<AppEnv>().get('/jobs/events', (c) => {
  const { deps } = c.var;
  const principal = c.var.principal;
  const status = listParam(c.req.queries('status'));
  for (const s of status) if (!isJobStatus(s)) throw badParameter('status', `"${s}" is not one of accepted, running, successful, failed, dismissed`);
  const processId = listParam(c.req.queries('processID'));
  const base = baseUrl(c, deps.config);
  const enc = new TextEncoder();
  let end = () => {};

  const body = new ReadableStream<Uint8Array>({
    start(ctrl) {
      let ended = false;
      const send = (text: string) => {
        if (ended) return;
        if ((ctrl.desiredSize ?? 0) < -MAX_QUEUED) return end();
        ctrl.enqueue(enc.encode(text));
      };
      const off = deps.store.subscribe((e) => {
        if (status.length && !status.includes(e.status)) return;
        if (processId.length && !processId.includes(e.processId)) return;
        if (!mayWatch(principal, e)) return;
        send(`event: job\ndata: ${JSON.stringify(statusInfo(e, base))}\n\n`);
      });
      const ping = setInterval(() => send(': ping\n\n'), PING_MS);
      ping.unref();
      let forget = () => {};
      end = () => {
        if (ended) return;
        ended = true;
        off();
        clearInterval(ping);
        forget();
        try {
          ctrl.close();
        } catch {
          /* already closed or errored */
        }
      };
      forget = deps.eventStreams.add(end);
      // Reconnect after 2 s if the stream breaks; the comment flushes the headers at once.
      send('retry: 2000\n: subsetd job events\n\n');
    },
    cancel() {
      end(); // the client went away
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      // nginx would otherwise buffer the stream and deliver events in bursts.
      'X-Accel-Buffering': 'no',
      // Not reused after the stream: when the service ends the stream, the socket closes with
      // it instead of idling in keep-alive while the server waits for its connections.
      Connection: 'close',
    },
  });
});
