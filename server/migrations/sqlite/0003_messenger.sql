-- The messenger: conversations, their messages, the per-user feed the
-- event stream and the polling fallback read, and the bot's snippets.

CREATE TABLE conversations (
    app_id           TEXT NOT NULL REFERENCES apps(id),
    id               TEXT NOT NULL,
    user_key         TEXT NOT NULL,
    status           TEXT NOT NULL,
    assignee         TEXT,
    rating           INTEGER,
    rating_comment   TEXT,
    unhappy          INTEGER NOT NULL DEFAULT 0,
    -- Names the conversation in reply-to addresses (reply+<token>@…).
    email_token      TEXT NOT NULL UNIQUE,
    -- The user's words the bot could not answer, for the learning loop.
    handoff_question TEXT,
    -- Message seqs: the last one the user has seen, the last the agents
    -- have seen, the last agent reply sent by email.
    user_read_seq    INTEGER NOT NULL DEFAULT 0,
    agent_read_seq   INTEGER NOT NULL DEFAULT 0,
    emailed_seq      INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (app_id, id)
);
CREATE INDEX conversations_user ON conversations(app_id, user_key, updated_at);
CREATE INDEX conversations_status ON conversations(app_id, status, updated_at);

CREATE TABLE conversation_messages (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id          TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    id              TEXT NOT NULL,
    client_id       TEXT,
    author          TEXT NOT NULL,
    author_name     TEXT,
    body            TEXT NOT NULL,
    ts              INTEGER NOT NULL,
    sources         TEXT NOT NULL DEFAULT '[]',
    asks_feedback   INTEGER NOT NULL DEFAULT 0,
    asks_email      INTEGER NOT NULL DEFAULT 0,
    feedback        INTEGER,
    UNIQUE (app_id, id),
    UNIQUE (app_id, conversation_id, client_id)
);
CREATE INDEX conversation_messages_conv ON conversation_messages(app_id, conversation_id, seq);

-- What each user's stream delivers, in commit order per user (writers
-- hold the user's row lock), so a cursor never skips a late commit.
CREATE TABLE conversation_feed (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id          TEXT NOT NULL,
    user_key        TEXT NOT NULL,
    event           TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX conversation_feed_user ON conversation_feed(app_id, user_key, seq);

CREATE TABLE snippets (
    app_id          TEXT NOT NULL REFERENCES apps(id),
    id              TEXT NOT NULL,
    question        TEXT NOT NULL,
    answer          TEXT NOT NULL,
    status          TEXT NOT NULL,
    conversation_id TEXT,
    created_by      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (app_id, id)
);

ALTER TABLE users ADD COLUMN unhappy_at REAL;
