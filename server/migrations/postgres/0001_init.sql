-- The whole schema as SQLite has it after its migrations, in Postgres types.
-- Times are milliseconds since the epoch (BIGINT); JSON is kept as TEXT so
-- both databases store and return the same bytes.
CREATE TABLE apps (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    secret      TEXT NOT NULL,
    settings    TEXT NOT NULL DEFAULT '{}',
    created_at  BIGINT NOT NULL
);

CREATE TABLE messages (
    app_id      TEXT NOT NULL REFERENCES apps(id),
    id          TEXT NOT NULL,
    name        TEXT,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'draft',
    priority    BIGINT NOT NULL DEFAULT 0,
    version     BIGINT NOT NULL DEFAULT 1,
    message     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);
CREATE INDEX messages_app_status ON messages(app_id, status);

CREATE TABLE message_versions (
    app_id      TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    version     BIGINT NOT NULL,
    status      TEXT NOT NULL,
    name        TEXT,
    message     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (app_id, message_id, version)
);

CREATE TABLE collections (
    app_id      TEXT NOT NULL REFERENCES apps(id),
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    BIGINT NOT NULL DEFAULT 0,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);

CREATE TABLE articles (
    app_id        TEXT NOT NULL REFERENCES apps(id),
    id            TEXT NOT NULL,
    collection_id TEXT,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);

CREATE TABLE companies (
    app_id      TEXT NOT NULL REFERENCES apps(id),
    id          TEXT NOT NULL,
    name        TEXT,
    attributes  TEXT NOT NULL DEFAULT '{}',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);

CREATE TABLE users (
    app_id      TEXT NOT NULL REFERENCES apps(id),
    user_key    TEXT NOT NULL,
    user_id     TEXT,
    email       TEXT,
    attributes  TEXT NOT NULL DEFAULT '{}',
    first_seen  BIGINT NOT NULL,
    last_seen   BIGINT NOT NULL,
    company_id  TEXT,
    PRIMARY KEY (app_id, user_key)
);

CREATE TABLE aliases (
    app_id       TEXT NOT NULL,
    anonymous_id TEXT NOT NULL,
    user_key     TEXT NOT NULL,
    merged_at    BIGINT NOT NULL,
    PRIMARY KEY (app_id, anonymous_id)
);

CREATE TABLE events (
    app_id      TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    user_key    TEXT NOT NULL,
    name        TEXT NOT NULL,
    message_id  TEXT,
    ts          DOUBLE PRECISION NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    received_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, event_id)
);
CREATE INDEX events_user_message ON events(app_id, user_key, message_id);
CREATE INDEX events_message ON events(app_id, message_id, name);
