-- 7: conversations Teams refused for good (403/404 on a proactive message: the bot was removed
--    from the team, the channel or the chat). Nothing more is sent there until a coordinator
--    connects the channel again ("koppla kanal") or retries ("leveranser").
CREATE TABLE inactive_conversations (
    conversation_id TEXT PRIMARY KEY,
    since TEXT NOT NULL,
    last_status INTEGER,
    kind TEXT NOT NULL DEFAULT ''
);
