/**
 * Fair claim for the SQLite store: the owner with accepted work that was served least recently
 * goes first (a round-robin over owners), then that owner's oldest job. One owner's thousand
 * queued jobs therefore delay another owner's job by at most one claim per owner ahead of it.
 * A node that serves only some processes claims only their jobs: the same order over the jobs
 * it can run (an owner whose queued jobs are all of other processes is skipped, not served).
 */
import type { DB } from './db.js';
import type { JobRow } from './rows.js';

export class FairClaim {
  private readonly q;

  constructor(private readonly db: DB) {
    this.q = {
      // One index seek per known owner (jobs_owner_status); owners are tokens, not many.
      pick: db.prepare<[], { id: string; owner_key: string }>(
        `SELECT j.id, t.owner_key FROM owner_turns t
         JOIN jobs j ON j.id = (SELECT id FROM jobs WHERE status = 'accepted' AND owner IS nullif(t.owner_key, '')
                                ORDER BY created, rowid LIMIT 1)
         ORDER BY t.served, j.created, j.rowid LIMIT 1`,
      ),
      // The same over the given processes (a JSON array): the owner's queue is walked in order
      // until a job of one of them.
      pickOf: db.prepare<[string], { id: string; owner_key: string }>(
        `SELECT j.id, t.owner_key FROM owner_turns t
         JOIN jobs j ON j.id = (SELECT id FROM jobs WHERE status = 'accepted' AND owner IS nullif(t.owner_key, '')
                                  AND process_id IN (SELECT value FROM json_each(?))
                                ORDER BY created, rowid LIMIT 1)
         ORDER BY t.served, j.created, j.rowid LIMIT 1`,
      ),
      take: db.prepare<[{ id: string; worker: string; until: number; now: number }], JobRow>(
        `UPDATE jobs SET status = 'running', attempts = attempts + 1, worker_id = @worker, locked_until = @until,
           started = coalesce(started, @now), updated = @now, message = NULL
         WHERE id = @id AND status = 'accepted'
         RETURNING *`,
      ),
      served: db.prepare('UPDATE owner_turns SET served = (SELECT max(served) FROM owner_turns) + 1 WHERE owner_key = ?'),
    };
  }

  /** Takes the next job in fair order (of `processes` when given), or undefined when none is accepted. One IMMEDIATE transaction. */
  claim(worker: string, until: number, now: number, processes?: readonly string[]): JobRow | undefined {
    if (processes && !processes.length) return undefined;
    return this.db.transaction(() => {
      const next = processes ? this.q.pickOf.get(JSON.stringify(processes)) : this.q.pick.get();
      if (!next) return undefined;
      this.q.served.run(next.owner_key);
      return this.q.take.get({ id: next.id, worker, until, now });
    }).immediate();
  }
}
