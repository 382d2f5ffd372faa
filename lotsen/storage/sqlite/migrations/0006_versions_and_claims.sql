-- 6: row versions on drafts (a stale submit cannot overwrite a newer step, also across
-- instances) and claims for work that must run once (weekly digest, hourly purge).
ALTER TABLE drafts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE TABLE job_claims (
    job TEXT NOT NULL,
    slot TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (job, slot)
);
INSERT INTO job_claims (job, slot, claimed_at)
    SELECT DISTINCT 'digest', target, MIN(at) FROM audit
    WHERE event = 'digest_sent' AND target IS NOT NULL AND target <> 'hand' GROUP BY target;
