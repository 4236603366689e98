import pino from 'pino';

export type Logger = pino.Logger;

/** JSON lines to stdout (journald and log shippers take them as they are). */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { svc: 'subsetd', ...bindings }, timestamp: pino.stdTimeFunctions.isoTime });
}
