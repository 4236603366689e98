// The job list at a million jobs (issue 14). Append-only, like 001.
// numberMatched comes from these counters instead of count(*) over the table: one row per
// (status, process, owner), kept by triggers in the same transaction as every change of a job.
// Owner '' stands for jobs without one, as in 004.
export default `
CREATE TABLE job_counts (
  status     TEXT NOT NULL,
  process_id TEXT NOT NULL,
  owner_key  TEXT NOT NULL,
  n          INTEGER NOT NULL,
  PRIMARY KEY (status, process_id, owner_key)
) WITHOUT ROWID;
INSERT INTO job_counts SELECT status, process_id, coalesce(owner, ''), count(*) FROM jobs GROUP BY 1, 2, 3;

CREATE TRIGGER job_counts_insert AFTER INSERT ON jobs BEGIN
  INSERT INTO job_counts VALUES (new.status, new.process_id, coalesce(new.owner, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER job_counts_delete AFTER DELETE ON jobs BEGIN
  UPDATE job_counts SET n = n - 1
    WHERE status = old.status AND process_id = old.process_id AND owner_key = coalesce(old.owner, '');
END;
CREATE TRIGGER job_counts_update AFTER UPDATE OF status, process_id, owner ON jobs
  WHEN old.status IS NOT new.status OR old.process_id IS NOT new.process_id OR old.owner IS NOT new.owner
BEGIN
  UPDATE job_counts SET n = n - 1
    WHERE status = old.status AND process_id = old.process_id AND owner_key = coalesce(old.owner, '');
  INSERT INTO job_counts VALUES (new.status, new.process_id, coalesce(new.owner, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- Every combination of the list's equality filters walks one index in (created, rowid) order
-- (src/stores/sqlite/job-list.ts): status+process, and owner with a process (and any status).
CREATE INDEX jobs_process_status ON jobs (process_id, status, created);
CREATE INDEX jobs_owner_process ON jobs (owner, process_id, status, created);
`;
