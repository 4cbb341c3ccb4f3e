"""Lists the schema migrations: append-only, numbered, each applied once in its own transaction.

Never edit or reorder a migration that has shipped; add a new one at the end.
"""

from __future__ import annotations

__all__ = ["SQLITE_MIGRATIONS"]

# (version, description, SQL). Versions are consecutive from 1.
SQLITE_MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "outlets, feeds, documents, articles, feed entries, full-text index", """
CREATE TABLE outlets (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    domain      TEXT,
    created_at  TEXT NOT NULL
);

CREATE TABLE feeds (
    id             INTEGER PRIMARY KEY,
    url            TEXT NOT NULL UNIQUE,
    title          TEXT,
    site_url       TEXT,
    etag           TEXT,
    last_modified  TEXT,
    poll_interval  INTEGER,
    next_poll_at   TEXT NOT NULL,
    last_polled_at TEXT,
    error_count    INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    paused         INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);
CREATE INDEX feeds_due ON feeds(paused, next_poll_at);

CREATE TABLE documents (
    id           INTEGER PRIMARY KEY,
    sha256       TEXT NOT NULL UNIQUE,
    input        TEXT NOT NULL,
    url          TEXT,
    content_type TEXT,
    charset      TEXT,
    fetched_at   TEXT,
    captured_at  TEXT,
    size         INTEGER NOT NULL,
    compression  TEXT NOT NULL,
    content      BLOB NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE articles (
    rowid         INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    url           TEXT,
    title         TEXT NOT NULL,
    text          TEXT NOT NULL,
    outlet_id     INTEGER REFERENCES outlets(id),
    credit        TEXT,
    byline        TEXT,
    published_at  TEXT,
    language      TEXT,
    story_id      TEXT,
    duplicate_of  TEXT,
    enrichment    TEXT NOT NULL DEFAULT '{}',
    document_id   INTEGER REFERENCES documents(id),
    sort_at       TEXT NOT NULL,
    ingested_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX articles_url ON articles(url) WHERE url IS NOT NULL;
CREATE INDEX articles_sort ON articles(sort_at DESC);
CREATE INDEX articles_outlet ON articles(outlet_id, sort_at DESC);
CREATE INDEX articles_ingested ON articles(ingested_at);

CREATE TABLE feed_entries (
    feed_id     INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    guid        TEXT NOT NULL,
    article_id  TEXT,
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (feed_id, guid)
);

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.rowid, old.title, old.text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.rowid, old.title, old.text);
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
"""),
    (2, "copies, vectors and stories", """
CREATE INDEX articles_story ON articles(story_id);
CREATE INDEX articles_duplicate ON articles(duplicate_of);

CREATE TABLE article_vectors (
    article_id  TEXT PRIMARY KEY,
    model       TEXT NOT NULL,
    vector      BLOB NOT NULL
);

CREATE TABLE copy_signatures (
    article_id    TEXT PRIMARY KEY,
    exact         TEXT NOT NULL,
    signature     BLOB NOT NULL,
    published_at  TEXT,
    credit        TEXT,
    outlet        TEXT,
    duplicate_of  TEXT
);
CREATE INDEX copy_signatures_exact ON copy_signatures(exact);
CREATE INDEX copy_signatures_original ON copy_signatures(duplicate_of);
CREATE TABLE copy_bands (
    band        TEXT NOT NULL,
    article_id  TEXT NOT NULL,
    PRIMARY KEY (band, article_id)
) WITHOUT ROWID;

CREATE TABLE stories (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    first_seen  TEXT,
    last_seen   TEXT,
    size        INTEGER NOT NULL,
    state       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX stories_last_seen ON stories(last_seen);

CREATE TABLE story_terms (
    term        TEXT PRIMARY KEY,
    df          INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE counters (
    name        TEXT PRIMARY KEY,
    value       INTEGER NOT NULL
) WITHOUT ROWID;
"""),
    (3, "entities, roles and mentions", """
CREATE TABLE entities (
    key         TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    articles    INTEGER NOT NULL DEFAULT 0,
    first_seen  TEXT,
    last_seen   TEXT
) WITHOUT ROWID;
CREATE INDEX entities_type ON entities(type, articles DESC);

CREATE TABLE entity_mentions (
    entity_key    TEXT NOT NULL,
    article_id    TEXT NOT NULL,
    name          TEXT NOT NULL,
    mentions      INTEGER NOT NULL,
    published_at  TEXT,
    sort_at       TEXT NOT NULL,
    PRIMARY KEY (entity_key, article_id)
) WITHOUT ROWID;
CREATE INDEX entity_mentions_article ON entity_mentions(article_id);
CREATE INDEX entity_mentions_sort ON entity_mentions(entity_key, sort_at DESC);

CREATE TABLE entity_roles (
    id            INTEGER PRIMARY KEY,
    entity_key    TEXT NOT NULL,
    article_id    TEXT NOT NULL,
    role          TEXT,
    affiliation   TEXT,
    published_at  TEXT,
    sort_at       TEXT NOT NULL
);
CREATE INDEX entity_roles_entity ON entity_roles(entity_key, sort_at);

CREATE TABLE quotes (
    id                   INTEGER PRIMARY KEY,
    article_id           TEXT NOT NULL,
    position             INTEGER NOT NULL,
    text                 TEXT NOT NULL,
    speaker              TEXT,
    speaker_key          TEXT,
    speaker_description  TEXT,
    anonymous            INTEGER NOT NULL DEFAULT 0,
    published_at         TEXT,
    sort_at              TEXT NOT NULL
);
CREATE INDEX quotes_article ON quotes(article_id, position);
CREATE INDEX quotes_speaker ON quotes(speaker_key, sort_at DESC);
"""),
    (4, "keywords, hashtags and summaries", """
CREATE TABLE article_hashtags (
    tag         TEXT NOT NULL COLLATE NOCASE,
    article_id  TEXT NOT NULL,
    sort_at     TEXT NOT NULL,
    rank        INTEGER NOT NULL,
    PRIMARY KEY (tag, article_id)
) WITHOUT ROWID;
CREATE INDEX article_hashtags_sort ON article_hashtags(tag, sort_at DESC);
CREATE INDEX article_hashtags_recent ON article_hashtags(sort_at);
CREATE INDEX article_hashtags_article ON article_hashtags(article_id);
-- Articles stored before this migration keep their hashtags in the enrichment JSON.
INSERT OR IGNORE INTO article_hashtags(tag, article_id, sort_at, rank)
SELECT ltrim(trim(j.value), '#'), a.id, a.sort_at, j.key
FROM articles a, json_each(a.enrichment, '$.hashtags') j
WHERE json_valid(a.enrichment) AND j.type = 'text' AND ltrim(trim(j.value), '#') != '';

CREATE TABLE story_summaries (
    story_id     TEXT PRIMARY KEY,
    signature    TEXT NOT NULL,
    summary      TEXT NOT NULL,
    computed_at  TEXT NOT NULL
) WITHOUT ROWID;
"""),
    (5, "accounts, sessions, comments, tokens and follows", """
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL DEFAULT 'reader' CHECK (role IN ('reader', 'editor', 'admin')),
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   TEXT,
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE comments (
    id           INTEGER PRIMARY KEY,
    article_id   TEXT NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    parent_id    INTEGER REFERENCES comments(id) ON DELETE CASCADE,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('visible', 'pending', 'rejected', 'deleted')),
    reason       TEXT,
    fingerprint  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    edited_at    TEXT
);
CREATE INDEX comments_article ON comments(article_id, id);
CREATE INDEX comments_queue ON comments(status, id);
CREATE INDEX comments_user ON comments(user_id, created_at);
CREATE INDEX comments_fingerprint ON comments(fingerprint, created_at);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    scope         TEXT NOT NULL CHECK (scope IN ('read', 'write', 'feed')),
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE follows (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('story', 'outlet', 'hashtag', 'entity', 'search')),
    target      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, kind, target)
) WITHOUT ROWID;

CREATE TABLE web_secrets (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;
"""),
]
