/**
 * Live job updates: the server's event stream (GET /jobs/events, one `job` event per transition
 * or progress change) and, while it is not connected (an older server, a proxy that buffers),
 * polling once a second so a transition still shows within a second.
 */
import { useEffect, useRef } from 'preact/hooks';
import { api, type StatusInfo } from './api';

export interface LiveOptions {
  /** Each job update the stream delivers. */
  onJob: (job: StatusInfo) => void;
  /** Refetch what the view shows: on (re)connect, and every second while the stream is down. */
  refresh: () => void;
  processID?: string;
}

const POLL_MS = 1000;

export function useLiveJobs(opts: LiveOptions, deps: unknown[]) {
  const ref = useRef(opts);
  ref.current = opts;
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | null = null;
    const poll = (on: boolean) => {
      if (on && !timer) timer = setInterval(() => ref.current.refresh(), POLL_MS);
      if (!on && timer) {
        clearInterval(timer);
        timer = null;
      }
    };
    let es: EventSource | null = null;
    if (typeof EventSource === 'function') {
      es = new EventSource(api.eventsUrl({ processID: opts.processID }), { withCredentials: true });
      let opened = false;
      es.addEventListener('open', () => {
        poll(false);
        // A reconnect may have missed events; the first open follows the view's own load.
        if (opened) ref.current.refresh();
        opened = true;
      });
      es.addEventListener('job', (e) => {
        try {
          ref.current.onJob(JSON.parse((e as MessageEvent).data) as StatusInfo);
        } catch {
          /* a malformed event: the next refresh corrects the view */
        }
      });
      es.addEventListener('error', () => {
        // CLOSED: the server refused the stream (no such endpoint); CONNECTING: it reconnects.
        // Either way poll until it is open again.
        poll(true);
        if (es && es.readyState === EventSource.CLOSED) es = null;
      });
    } else poll(true);
    return () => {
      poll(false);
      es?.close();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
}
