/**
 * A small Server-Sent Events client for tests over real HTTP: reads GET /jobs/events with fetch,
 * parses `event:`/`data:` blocks, and records when each event arrived.
 */
export interface SseEvent {
  event: string;
  data: any;
  at: number;
}

export interface SseClient {
  events: SseEvent[];
  comments: string[];
  /** Resolves with the first event (already seen or still to come) matching `pred`. */
  next(pred: (e: SseEvent) => boolean, ms?: number): Promise<SseEvent>;
  close(): void;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
}

export async function openEvents(url: string, init: RequestInit = {}): Promise<SseClient> {
  const ac = new AbortController();
  const res = await fetch(url, { ...init, signal: ac.signal });
  if (res.status !== 200) throw new Error(`events: HTTP ${res.status} ${await res.text()}`);
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const ended = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (data.length) events.push({ event, data: JSON.parse(data.join('\n')), at: Date.now() });
          for (const w of waiters) w();
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return {
    events,
    comments,
    ended,
    close: () => ac.abort(),
    next(pred, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(pred);
          if (!hit) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${ms} ms; got ${JSON.stringify(events.map((e) => [e.data.jobID, e.data.status, e.data.progress]))}`));
        }, ms);
        if (!check()) waiters.add(check);
      });
    },
  };
}
