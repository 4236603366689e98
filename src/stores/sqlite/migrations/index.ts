import m001 from './001-jobs.js';
import m002 from './002-auth.js';
import m003 from './003-job-log.js';
import m004 from './004-quota.js';
import m005 from './005-job-counts.js';

/** Numbered, append-only. Each runs once, in its own transaction, at start-up. */
export const MIGRATIONS: Array<{ version: number; name: string; sql: string }> = [
  { version: 1, name: 'jobs', sql: m001 },
  { version: 2, name: 'auth', sql: m002 },
  { version: 3, name: 'job-log', sql: m003 },
  { version: 4, name: 'quota', sql: m004 },
  { version: 5, name: 'job-counts', sql: m005 },
];
