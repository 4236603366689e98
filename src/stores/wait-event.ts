import type { EventEmitter } from 'node:events';

/** Resolves on the next `event`, after `ms`, or when `signal` aborts — whichever comes first. */
export function waitForEvent(events: EventEmitter, event: string, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      events.off(event, done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    events.once(event, done);
    signal?.addEventListener('abort', done, { once: true });
  });
}
