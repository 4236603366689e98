// Console (issue 10): each job's own log, per-minute end counters, and the indexes the job list's
// created-time filter and the admin page's failure list read. Append-only, like 001.
// The log rows go with their job (ON DELETE CASCADE: purge deletes both); a dismissed job keeps
// its log until it is purged, like its record.
export default `
CREATE TABLE job_log (
  job_id    TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  n         INTEGER NOT NULL,
  time      INTEGER NOT NULL,
  level     TEXT NOT NULL CHECK (level IN ('info','warn','error')),
  message   TEXT NOT NULL,
  progress  INTEGER,
  retryable INTEGER,
  PRIMARY KEY (job_id, n)
) WITHOUT ROWID;

-- Jobs that ended successful / failed, counted when they end (a later dismissal or purge does
-- not change the past). minute = floor(ms / 60000).
CREATE TABLE job_minutes (
  minute     INTEGER PRIMARY KEY,
  successful INTEGER NOT NULL DEFAULT 0,
  failed     INTEGER NOT NULL DEFAULT 0
);

-- The unfiltered and datetime-filtered job list: ORDER BY created DESC, rowid DESC.
CREATE INDEX jobs_created ON jobs (created);
CREATE INDEX jobs_failed ON jobs (finished) WHERE status = 'failed';
`;
