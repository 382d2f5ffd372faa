-- 5: the outbox: every proactive message (channel post, reporter notification, digest)
--    until Teams has it; delivered by lotsen.outbox's worker with retries and dead letters
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    conversation_ref TEXT NOT NULL,
    card TEXT,
    text TEXT,
    meta TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    activity_id TEXT,
    last_status INTEGER,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_at);
