/**
 * The listeners of JobStore.subscribe, shared by both drivers. A listener that throws must not
 * break the store call that emitted (the transition is already committed), so errors stop here.
 */
import type { JobEvent, JobLogLine, JobRecord } from './job-store.js';
import { LOG_MAX_MESSAGE } from './job-store.js';

export class JobListeners {
  private readonly listeners = new Set<(e: JobEvent) => void>();

  add(fn: (e: JobEvent) => void): () => void {
    // A wrapper per call, so the same function subscribed twice is removed once per unsubscribe.
    const own = (e: JobEvent) => fn(e);
    this.listeners.add(own);
    return () => void this.listeners.delete(own);
  }

  get size(): number {
    return this.listeners.size;
  }

  emit(e: JobEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch {
        /* a subscriber's bug is its own */
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

export function toEvent(j: JobRecord): JobEvent {
  return {
    id: j.id,
    processId: j.processId,
    status: j.status,
    message: j.message,
    progress: j.progress,
    created: j.created,
    started: j.started,
    finished: j.finished,
    updated: j.updated,
    owner: j.owner,
  };
}

/** A log line as stored: message cut to LOG_MAX_MESSAGE, optional fields only when set. */
export function cleanLine(l: JobLogLine): JobLogLine {
  const out: JobLogLine = { time: l.time, level: l.level, message: l.message.length > LOG_MAX_MESSAGE ? `${l.message.slice(0, LOG_MAX_MESSAGE)}…` : l.message };
  if (typeof l.progress === 'number') out.progress = l.progress;
  if (typeof l.retryable === 'boolean') out.retryable = l.retryable;
  return out;
}
