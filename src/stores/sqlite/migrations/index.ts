import m001 from './001-jobs.js';

/** Numbered, append-only. Each runs once, in its own transaction, at start-up. */
export const MIGRATIONS: Array<{ version: number; name: string; sql: string }> = [
  { version: 1, name: 'jobs', sql: m001 },
];
