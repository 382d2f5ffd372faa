-- 4: the navigator's anonymous counts (no text, nothing linking facts to each other or to a person)
CREATE TABLE navigator_counts (
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, kind, key)
);
