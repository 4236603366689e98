// Append-only: never edit a migration that has shipped; add the next number instead.
// The status CHECK must list exactly JOB_STATUSES (src/jobs/status.ts); a test compares them.
export default `
CREATE TABLE jobs (
  id           TEXT PRIMARY KEY,
  process_id   TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('accepted','running','successful','failed','dismissed')),
  inputs       TEXT NOT NULL,
  dedup_key    TEXT,
  meta         TEXT NOT NULL DEFAULT '{}',
  progress     INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  message      TEXT,
  attempts     INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
  created      INTEGER NOT NULL,
  started      INTEGER,
  finished     INTEGER,
  updated      INTEGER NOT NULL,
  worker_id    TEXT,
  locked_until INTEGER,
  outputs      TEXT,
  error        TEXT,
  expires_at   INTEGER,
  CHECK (status <> 'running' OR (worker_id IS NOT NULL AND locked_until IS NOT NULL))
);
CREATE INDEX jobs_queue ON jobs (status, created);
-- Identical requests share one live job; failed and dismissed jobs do not block a new one.
CREATE UNIQUE INDEX jobs_dedup_live ON jobs (dedup_key)
  WHERE dedup_key IS NOT NULL AND status IN ('accepted','running','successful');
CREATE INDEX jobs_lease ON jobs (locked_until) WHERE status = 'running';
CREATE INDEX jobs_expiry ON jobs (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX jobs_process ON jobs (process_id, created);

CREATE TABLE locks (
  name       TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
`;
