import pino from 'pino';
import { isoTime } from './server/iso-time.js';

export type Logger = pino.Logger;

/**
 * JSON lines to stdout (journald and log shippers take them as they are). Written
 * asynchronously: lines logged while a write is under way go out together in the next one
 * (one syscall instead of one per request line under load), nothing waits for a minimum size,
 * and pino flushes what is left synchronously when the process exits.
 */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino(
    { level, base: { svc: 'subsetd', ...bindings }, timestamp: () => `,"time":"${isoTime(Date.now())}"` },
    // A reader that stops reading (a full pipe) costs lines past 16 MiB, never the service's memory.
    pino.destination({ dest: 1, sync: false, maxLength: 16 * 1024 * 1024 }),
  );
}
