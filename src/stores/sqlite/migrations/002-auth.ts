// Access control (src/auth): who owns a job, and the API tokens. Append-only, like 001.
// A token's secret is never stored: only its lookup prefix and a SHA-256 of the secret part.
export default `
ALTER TABLE jobs ADD COLUMN owner TEXT;
CREATE INDEX jobs_owner ON jobs (owner, created);

CREATE TABLE tokens (
  name              TEXT PRIMARY KEY,
  prefix            TEXT NOT NULL UNIQUE,
  hash              TEXT NOT NULL,
  scope             TEXT NOT NULL CHECK (scope IN ('read','submit','admin')),
  created           INTEGER NOT NULL,
  last_used         INTEGER,
  expires           INTEGER,
  max_queued        INTEGER,
  max_jobs_per_hour INTEGER,
  revoked           INTEGER
);
`;
