/**
 * Registers the Lua scripts on the ioredis client (EVALSHA, re-sent with EVAL after a Redis
 * restart flushed the script cache) and checks at load time that every transition they hard-code
 * is one src/jobs/status.ts allows, so the two cannot drift apart silently.
 */
import type { Redis } from 'ioredis';
import { canTransition, type JobStatus } from '../../jobs/status.js';
import { CLAIM, NEXT_PROCESS, CREATE, DISMISS, FINISH, HEARTBEAT, LUA_PRELUDE, RELEASE } from './lua-jobs.js';
import { ACTIVITY, APPEND_LOG, BACKFILL_CREATED } from './lua-console.js';
import { LOCK, MISSING_TICKETS, PURGE, SWEEP, UNLOCK } from './lua-maintenance.js';
import { BACKFILL_COUNTS, LIST } from './lua-list.js';
import { QUOTA_PRELUDE } from './lua-quota.js';
import { TOKEN_CREATE, TOKEN_FIND, TOKEN_LIST, TOKEN_REVOKE, TOKEN_TOUCH } from './lua-tokens.js';

const JOB_SCRIPTS = {
  create: CREATE,
  claim: CLAIM,
  nextProcess: NEXT_PROCESS,
  heartbeat: HEARTBEAT,
  finish: FINISH,
  release: RELEASE,
  dismiss: DISMISS,
  sweep: SWEEP,
  purge: PURGE,
  list: LIST,
  missingTickets: MISSING_TICKETS,
  appendLog: APPEND_LOG,
  activity: ACTIVITY,
  backfillCreated: BACKFILL_CREATED,
  backfillCounts: BACKFILL_COUNTS,
  tokenCreate: TOKEN_CREATE,
  tokenFind: TOKEN_FIND,
  tokenRevoke: TOKEN_REVOKE,
  tokenTouch: TOKEN_TOUCH,
  tokenList: TOKEN_LIST,
} as const;

export type ScriptName = keyof typeof JOB_SCRIPTS;

/** The transitions the scripts write without consulting sourcesOf() (dismiss does consult it). */
const HARD_CODED: Array<[JobStatus, JobStatus]> = [
  ['accepted', 'running'], // CLAIM
  ['running', 'successful'], // FINISH
  ['running', 'failed'], // FINISH, SWEEP
  ['running', 'accepted'], // RELEASE, SWEEP
];
for (const [from, to] of HARD_CODED) {
  if (!canTransition(from, to)) throw new Error(`redis store scripts write ${from} -> ${to}, which src/jobs/status.ts forbids`);
}

type Cmd = (...args: string[]) => Promise<unknown>;

export class Scripts {
  constructor(private readonly redis: Redis) {
    for (const [name, body] of Object.entries(JOB_SCRIPTS)) {
      redis.defineCommand(`subsetd_${name}`, { numberOfKeys: 0, lua: LUA_PRELUDE + QUOTA_PRELUDE + body });
    }
    redis.defineCommand('subsetd_lock', { numberOfKeys: 1, lua: LOCK });
    redis.defineCommand('subsetd_unlock', { numberOfKeys: 1, lua: UNLOCK });
  }

  private cmd(name: string): Cmd {
    return (this.redis as unknown as Record<string, Cmd>)[`subsetd_${name}`].bind(this.redis);
  }

  run(name: ScriptName, argv: string[]): Promise<unknown> {
    return this.cmd(name)(...argv);
  }

  lock(key: string, owner: string, ttlMs: number): Promise<unknown> {
    return this.cmd('lock')(key, owner, String(ttlMs));
  }

  unlock(key: string, owner: string): Promise<unknown> {
    return this.cmd('unlock')(key, owner);
  }
}
