-- 3: activities whose side effect is recorded, so a replayed or retried activity is not
--    applied twice (kept for SEEN_WINDOW, longer than a Bot Framework token lives)
CREATE TABLE seen_activities (
    key TEXT PRIMARY KEY,
    at TEXT NOT NULL
);
CREATE INDEX seen_activities_at ON seen_activities (at);
