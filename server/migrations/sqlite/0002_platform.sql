-- The platform: ids scoped by app, message versions, collections,
-- companies, anonymous ids merged into users, and analytics indexes.

CREATE TABLE messages_v2 (
    app_id      TEXT NOT NULL REFERENCES apps(id),
    id          TEXT NOT NULL,
    name        TEXT,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'draft',
    priority    INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 1,
    message     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (app_id, id)
);
INSERT INTO messages_v2 (app_id, id, kind, status, priority, version, message, created_at, updated_at)
SELECT app_id, id, kind, status, priority, 1,
       json_object('id', id, 'kind', kind, 'priority', priority,
                   'content', json(content), 'targeting', json(targeting)),
       created_at, updated_at
FROM messages;
DROP TABLE messages;
ALTER TABLE messages_v2 RENAME TO messages;
CREATE INDEX messages_app_status ON messages(app_id, status);

-- Every save of a message, so an author can see and restore what was live.
CREATE TABLE message_versions (
    app_id      TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    version     INTEGER NOT NULL,
    status      TEXT NOT NULL,
    name        TEXT,
    message     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (app_id, message_id, version)
);
INSERT INTO message_versions (app_id, message_id, version, status, name, message, created_at)
SELECT app_id, id, 1, status, name, message, updated_at FROM messages;

CREATE TABLE collections (
    app_id      TEXT NOT NULL REFERENCES apps(id),
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (app_id, id)
);
INSERT INTO collections (app_id, id, name, updated_at)
SELECT DISTINCT app_id, lower(replace(trim(collection), ' ', '-')), trim(collection), updated_at
FROM articles WHERE collection IS NOT NULL AND trim(collection) <> ''
GROUP BY app_id, lower(replace(trim(collection), ' ', '-'));

CREATE TABLE articles_v2 (
    app_id        TEXT NOT NULL REFERENCES apps(id),
    id            TEXT NOT NULL,
    collection_id TEXT,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (app_id, id)
);
INSERT INTO articles_v2 (app_id, id, collection_id, title, body, created_at, updated_at)
SELECT app_id, id,
       CASE WHEN collection IS NULL OR trim(collection) = '' THEN NULL
            ELSE lower(replace(trim(collection), ' ', '-')) END,
       title, body, updated_at, updated_at
FROM articles;
DROP TABLE articles;
ALTER TABLE articles_v2 RENAME TO articles;

CREATE TABLE companies (
    app_id      TEXT NOT NULL REFERENCES apps(id),
    id          TEXT NOT NULL,
    name        TEXT,
    attributes  TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (app_id, id)
);
ALTER TABLE users ADD COLUMN company_id TEXT;

-- An anonymous id that has been merged into an identified user: events
-- still queued under it in a browser follow the user.
CREATE TABLE aliases (
    app_id       TEXT NOT NULL,
    anonymous_id TEXT NOT NULL,
    user_key     TEXT NOT NULL,
    merged_at    INTEGER NOT NULL,
    PRIMARY KEY (app_id, anonymous_id)
);

CREATE INDEX events_message ON events(app_id, message_id, name);
