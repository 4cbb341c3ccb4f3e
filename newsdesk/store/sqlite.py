"""Runs the SQLite engine: one file, WAL, one writer connection, a reader connection per thread."""

from __future__ import annotations

import logging
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Iterator
from urllib.parse import unquote, urlsplit

from ..errors import StoreError
from ..models import Article, Feed, RawDocument, StorySummary
from . import articles, documents, feeds, outlets, stories
from .base import SaveResult, Store
from .migrations import SQLITE_MIGRATIONS

if TYPE_CHECKING:
    from .copies import SQLiteCopyIndex
    from .storyindex import SQLiteStoryIndex

__all__ = ["SQLiteStore", "sqlite_path"]

log = logging.getLogger(__name__)


def sqlite_path(url: str) -> Path:
    """Returns the file path of a ``sqlite:///path.db`` URL (``sqlite:////abs`` is absolute)."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite" or parts.netloc not in ("", "localhost"):
        raise StoreError(f"store: {url!r} is not a sqlite:///path URL")
    path = unquote(parts.path)
    if path.startswith("/") and not url.startswith("sqlite:////"):
        path = path[1:]  # sqlite:///rel.db is relative, as in SQLAlchemy
    if not path or path == ":memory:":
        raise StoreError(f"store: {url!r} names no database file")
    return Path(path)


class SQLiteStore(Store):
    """A newsdesk database in one SQLite file.

    Writes are serialised through one connection and a lock (SQLite allows one writer; doing it
    here gives clean errors instead of "database is locked"). Readers get a connection per
    thread, so the web app reads while ingest writes (WAL).
    """

    def __init__(self, url: str):
        self.url = url
        self.path = sqlite_path(url)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"store: cannot create folder for {self.path}: {exc.strerror}") from None
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._writer = self._connect()
        self._story_index: SQLiteStoryIndex | None = None
        self._migrate()

    # -- connections -----------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"store: cannot open {self.path}: {exc}") from None
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """Runs a block as one write transaction on the writer connection."""
        with self._write_lock:
            conn = self._writer
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        self._writer.close()

    # -- migrations --------------------------------------------------------------------------
    def _migrate(self) -> None:
        conn = self._writer
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                         "version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                         "applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)")
            applied = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"store: {self.path} is not a newsdesk database: {exc}") from None
        known = {v for v, _, _ in SQLITE_MIGRATIONS}
        if applied - known:
            raise StoreError(f"store: {self.path} has schema version {max(applied)}, newer than "
                             f"this newsdesk ({max(known)}); upgrade newsdesk")
        for version, description, sql in SQLITE_MIGRATIONS:
            if version in applied:
                continue
            log.info("store: applying migration %d (%s)", version, description)
            try:
                # executescript runs statements as given: BEGIN/COMMIT make it one transaction.
                conn.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\n"
                    f"INSERT INTO schema_migrations(version, description) "
                    f"VALUES ({int(version)}, '{description.replace(chr(39), '')}');\nCOMMIT;")
            except sqlite3.DatabaseError as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise StoreError(f"store: migration {version} failed on {self.path}: {exc}") from None

    def schema_version(self) -> int:
        row = self._reader().execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    # -- documents ---------------------------------------------------------------------------
    def save_document(self, doc: RawDocument) -> int:
        with self._write() as conn:
            return documents.save(conn, doc)

    def get_document(self, document_id: int) -> RawDocument | None:
        return documents.get(self._reader(), document_id)

    # -- articles ----------------------------------------------------------------------------
    def save_article(self, article: Article, document_id: int | None = None) -> SaveResult:
        with self._write() as conn:
            outlet_id = outlets.ensure(conn, article.outlet, article.url)
            return articles.save(conn, article, outlet_id, document_id)

    def get_article(self, article_id: str) -> Article | None:
        return articles.get(self._reader(), article_id)

    def existing_id(self, article_id: str, url: str | None) -> str | None:
        return articles.existing_id(self._reader(), article_id, url)

    def latest_articles(self, limit: int = 30, offset: int = 0,
                        outlet: str | None = None) -> list[Article]:
        return articles.latest(self._reader(), limit, offset, outlet)

    def count_articles(self, outlet: str | None = None) -> int:
        return articles.count(self._reader(), outlet)

    def iter_articles(self, since: datetime | None = None) -> Iterator[Article]:
        return articles.iterate(self._reader(), since)

    def search_text(self, query: str, limit: int = 20) -> list[Article]:
        return articles.search(self._reader(), query, limit)

    def list_outlets(self) -> list[tuple[str, int]]:
        return outlets.with_counts(self._reader())

    def copy_index(self) -> "SQLiteCopyIndex":
        """Returns the persisted index of copy detection (``enrich.copies.CopyIndex``)."""
        from .copies import SQLiteCopyIndex

        return SQLiteCopyIndex(self._reader, self._write)

    def story_index(self) -> "SQLiteStoryIndex":
        """Returns the persisted state of story clustering (``enrich.stories.StoryIndex``);
        one per store, so its in-memory mirror is built once."""
        if self._story_index is None:
            from .storyindex import SQLiteStoryIndex

            self._story_index = SQLiteStoryIndex(self._writer, self._reader, self._write)
        return self._story_index

    # -- stories -----------------------------------------------------------------------------
    def list_stories(self, limit: int = 30, offset: int = 0) -> list[StorySummary]:
        return stories.summaries(self._reader(), limit, offset)

    def get_story(self, story_id: str) -> StorySummary | None:
        return stories.get_summary(self._reader(), story_id)

    def story_articles(self, story_id: str) -> list[Article]:
        return stories.members(self._reader(), story_id)

    def copies_of(self, article_id: str) -> list[Article]:
        return stories.copies_of(self._reader(), article_id)

    def related_articles(self, article_id: str, limit: int = 8) -> list[Article]:
        return stories.related(self._reader(), article_id, limit)

    # -- feeds -------------------------------------------------------------------------------
    def add_feed(self, url: str, title: str | None = None, site_url: str | None = None) -> Feed:
        with self._write() as conn:
            feeds.add(conn, url, title, site_url)
        feed = self.get_feed(url)
        assert feed is not None
        return feed

    def get_feed(self, url: str) -> Feed | None:
        return feeds.get(self._reader(), url)

    def list_feeds(self) -> list[Feed]:
        return feeds.list_all(self._reader())

    def due_feeds(self, now: datetime) -> list[Feed]:
        return feeds.due(self._reader(), now)

    def update_feed(self, feed: Feed) -> None:
        with self._write() as conn:
            feeds.update(conn, feed)

    def seen_entries(self, feed_id: int, guids: list[str]) -> set[str]:
        return feeds.seen(self._reader(), feed_id, guids)

    def mark_entry(self, feed_id: int, guid: str, article_id: str | None) -> None:
        with self._write() as conn:
            feeds.mark(conn, feed_id, guid, article_id)
