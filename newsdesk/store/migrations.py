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
-- migration 3: owned by the entities work (issue 4); replace this line with its SQL
SELECT 1;
"""),
    (4, "keywords, hashtags and summaries", """
-- migration 4: owned by the hashtags and summaries work (issue 4); replace this line with its SQL
SELECT 1;
"""),
    (5, "accounts, sessions, comments, tokens and follows", """
-- migration 5: owned by the web accounts work (issue 6); replace this line with its SQL
SELECT 1;
"""),
]
