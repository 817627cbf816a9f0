-- The first schema: apps, their content, their users and the event stream.
CREATE TABLE apps (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    secret      TEXT NOT NULL,
    settings    TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
);

CREATE TABLE messages (
    id          TEXT PRIMARY KEY,
    app_id      TEXT NOT NULL REFERENCES apps(id),
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'draft',
    priority    INTEGER NOT NULL DEFAULT 0,
    content     TEXT NOT NULL,
    targeting   TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX messages_app_status ON messages(app_id, status);

CREATE TABLE articles (
    id          TEXT PRIMARY KEY,
    app_id      TEXT NOT NULL REFERENCES apps(id),
    collection  TEXT,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE users (
    app_id      TEXT NOT NULL REFERENCES apps(id),
    user_key    TEXT NOT NULL,
    user_id     TEXT,
    email       TEXT,
    attributes  TEXT NOT NULL DEFAULT '{}',
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    PRIMARY KEY (app_id, user_key)
);

-- Every event keeps the client's id; the primary key is what drops a retry.
CREATE TABLE events (
    app_id      TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    user_key    TEXT NOT NULL,
    name        TEXT NOT NULL,
    message_id  TEXT,
    ts          REAL NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    received_at INTEGER NOT NULL,
    PRIMARY KEY (app_id, event_id)
);
CREATE INDEX events_user_message ON events(app_id, user_key, message_id);
