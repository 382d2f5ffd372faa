-- 2: a person's remembered kommun ("Vem kontaktar jag?"), and why a 👎 answer did not help.
CREATE TABLE user_settings (
    user_key TEXT PRIMARY KEY,
    municipality TEXT,
    updated_at TEXT NOT NULL
);
ALTER TABLE feedback ADD COLUMN ref TEXT;
ALTER TABLE feedback ADD COLUMN reason TEXT;
ALTER TABLE feedback ADD COLUMN comment TEXT;
CREATE INDEX feedback_ref ON feedback (ref);
