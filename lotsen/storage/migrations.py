"""Ordered schema migrations. Append new steps; never edit a released one."""

MIGRATIONS: list[str] = [
    # 1: everything the first release needs
    """
    CREATE TABLE drafts (
        key TEXT PRIMARY KEY,
        flow TEXT NOT NULL,
        data TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE sequences (
        prefix TEXT NOT NULL,
        year INTEGER NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (prefix, year)
    );
    -- Deviation reports (kind 'avvikelse') and Arena/SIP requests (kind 'arena' / 'sip').
    CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        form_id TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        municipality TEXT,
        status TEXT NOT NULL,
        reporter_aad TEXT,
        reporter_name TEXT,
        reporter_ref TEXT,
        wants_feedback INTEGER NOT NULL DEFAULT 0,
        data TEXT NOT NULL,
        routed_to TEXT,
        channel_ref TEXT,
        channel_activity_id TEXT
    );
    CREATE INDEX cases_kind_created ON cases (kind, created_at);
    CREATE TABLE case_events (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases (id),
        at TEXT NOT NULL,
        actor_aad TEXT,
        status TEXT,
        comment TEXT
    );
    CREATE TABLE channel_links (
        kind TEXT NOT NULL,
        target TEXT NOT NULL,
        conversation_ref TEXT NOT NULL,
        linked_by TEXT,
        linked_at TEXT NOT NULL,
        PRIMARY KEY (kind, target)
    );
    CREATE TABLE conversation_refs (
        user_key TEXT PRIMARY KEY,
        ref TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        vote TEXT NOT NULL,
        question TEXT,
        question_norm TEXT
    );
    CREATE TABLE unanswered (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        ref TEXT,
        kind TEXT NOT NULL,
        question TEXT NOT NULL,
        question_norm TEXT NOT NULL,
        offered TEXT,
        resolved INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX unanswered_norm ON unanswered (question_norm);
    CREATE TABLE answered (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        entry_id TEXT NOT NULL
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        event TEXT NOT NULL,
        actor TEXT,
        target TEXT,
        outcome TEXT
    );
    """,
    # 2: a person's remembered kommun ("Vem kontaktar jag?"), and why a 👎 answer did not help.
    """
    CREATE TABLE user_settings (
        user_key TEXT PRIMARY KEY,
        municipality TEXT,
        updated_at TEXT NOT NULL
    );
    ALTER TABLE feedback ADD COLUMN ref TEXT;
    ALTER TABLE feedback ADD COLUMN reason TEXT;
    ALTER TABLE feedback ADD COLUMN comment TEXT;
    CREATE INDEX feedback_ref ON feedback (ref);
    """,
    # 3: activities whose side effect is recorded, so a replayed or retried activity is not
    #    applied twice (kept for SEEN_WINDOW, longer than a Bot Framework token lives)
    """
    CREATE TABLE seen_activities (
        key TEXT PRIMARY KEY,
        at TEXT NOT NULL
    );
    CREATE INDEX seen_activities_at ON seen_activities (at);
    """,
    # 4: the navigator's anonymous counts (no text, nothing linking facts to each other or to a person)
    """
    CREATE TABLE navigator_counts (
        day TEXT NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (day, kind, key)
    );
    """,
    # 5: the outbox: every proactive message (channel post, reporter notification, digest)
    #    until Teams has it; delivered by lotsen.outbox's worker with retries and dead letters
    """
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
    """,
]
