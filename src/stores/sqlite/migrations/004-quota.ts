// Quotas and fair scheduling (src/stores/sqlite/quota.ts, fair-claim.ts). Append-only, like 001.
// Owners are keyed by token name, '' for jobs without an owner (they count as one owner).
export default `
-- Counting an owner's live jobs and taking its oldest accepted one.
CREATE INDEX jobs_owner_status ON jobs (status, owner, created);

-- Submissions in the sliding hour, kept apart from the jobs: a dismissed or purged job still counts.
CREATE TABLE quota_submissions (
  owner_key TEXT NOT NULL,
  at        INTEGER NOT NULL
);
CREATE INDEX quota_submissions_owner ON quota_submissions (owner_key, at);

-- When each owner was last served by a claim (a counter, not a time): the least recent goes first.
CREATE TABLE owner_turns (
  owner_key TEXT PRIMARY KEY NOT NULL,
  served    INTEGER NOT NULL DEFAULT 0
);
INSERT INTO owner_turns (owner_key) SELECT DISTINCT coalesce(owner, '') FROM jobs;
`;
