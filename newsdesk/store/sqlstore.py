"""Implements the Store interface once over SQL that SQLite and PostgreSQL share.

Each method runs a function of the store's SQL modules (one per table or aggregate) on a
reader connection, or inside ``_write()``, one write transaction. An engine subclass
(``SQLiteStore``, ``PostgresStore``) brings its connections, its migrations, its lock and
what only it can do; the shared modules pick the few engine-specific statements themselves
(``pgconn.is_postgres``).
"""

from __future__ import annotations

import logging
import threading
from abc import abstractmethod
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterator

from ..errors import StoreError
from ..models import ApiToken, Article, Comment, Feed, RawDocument, StorySummary, User
from . import articles, documents, entities, feeds, outlets, stories
from . import hashtags as tagindex  # hashtags (issue 4)
from . import web_tables as web  # accounts, comments, tokens, follows (issue 6)
from .base import SaveResult, Store

if TYPE_CHECKING:
    from ..models import EntityRole, EntitySummary, QuoteRecord  # entities (issue 4)
    from .copies import StoredCopyIndex
    from .storyindex import StoredStoryIndex

__all__ = ["SQLStore", "pending_migrations"]

log = logging.getLogger(__name__)


def pending_migrations(migrations: list[tuple[int, str, str]], applied: set[int],
                       where: object) -> Iterator[tuple[int, str, str]]:
    """Yields the migrations a database at ``where`` still needs, in order, logging each;
    refuses a database that a newer newsdesk has migrated further."""
    known = {v for v, _, _ in migrations}
    if applied - known:
        raise StoreError(f"store: {where} has schema version {max(applied)}, newer than this "
                         f"newsdesk ({max(known)}); upgrade newsdesk")
    for version, description, sql in migrations:
        if version not in applied:
            log.info("store: applying migration %d (%s)", version, description)
            yield version, description, sql


class SQLStore(Store):
    """The engine-neutral part of a SQL store; subclasses give connections and migrations."""

    _local: threading.local
    _copy_index: "StoredCopyIndex | None"
    _story_index: "StoredStoryIndex | None"

    # -- what an engine provides -----------------------------------------------------------
    @abstractmethod
    def _reader(self) -> Any:
        """Returns this thread's read connection."""

    @abstractmethod
    def _write(self) -> AbstractContextManager[Any]:
        """Runs a block as one write transaction; yields its connection."""

    @abstractmethod
    def _data_version(self) -> int:
        """Returns a number that changes when another connection or worker commits."""

    @abstractmethod
    def schema_version(self) -> int: ...

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
            result = articles.save(conn, article, outlet_id, document_id)
            entities.save_created(conn, [article], [result])  # entities (issue 4)
            tagindex.save_created(conn, [article], [result])  # hashtags (issue 4)
            self._saved(conn, [article], [result], story_writes=False)
            return result

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

    # -- copies and stories: staged index state, saved with its batch (issue 3) ---------------
    def copy_index(self) -> "StoredCopyIndex":
        """Returns the persisted index of copy detection (``enrich.copies.CopyIndex``); one per
        store, its writes staged until ``save_articles``."""
        if self._copy_index is None:
            from .copies import StoredCopyIndex

            self._copy_index = StoredCopyIndex(self._reader)
        return self._copy_index

    def story_index(self) -> "StoredStoryIndex":
        """Returns the persisted state of story clustering (``enrich.stories.StoryIndex``);
        one per store, so its in-memory mirror is built once; writes staged likewise."""
        if self._story_index is None:
            from .storyindex import StoredStoryIndex

            self._story_index = StoredStoryIndex(self._data_version, self._reader)
        return self._story_index

    def save_articles(self, batch: list[Article], document_id: int | None = None) -> list[SaveResult]:
        from .batches import save_batch

        staged = [i for i in (self._copy_index, self._story_index) if i is not None]
        story_writes = self._story_index is not None and self._story_index.pending > 0
        try:
            with self._write() as conn:
                results = save_batch(conn, batch, document_id, staged)
                entities.save_created(conn, batch, results)  # entities (issue 4)
                tagindex.save_created(conn, batch, results)  # hashtags (issue 4)
                self._saved(conn, batch, results, story_writes)
        except BaseException:
            self.discard_pending()  # rolled back: the staged state must not outlive it
            raise
        self._committed(story_writes)
        return results

    def _saved(self, conn: Any, batch: list[Article], results: list[SaveResult],
               story_writes: bool) -> None:
        """Adds an engine's own writes to a batch's transaction (SQLite has none)."""

    def _committed(self, story_writes: bool) -> None:
        """Learns that a batch's transaction committed (SQLite needs nothing)."""

    def discard_pending(self) -> None:
        for index in (self._copy_index, self._story_index):
            if index is not None:
                index.discard()

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

    # -- web: accounts, sessions, comments, tokens, follows, page aggregates (issue 6) ----------
    def add_user(self, username: str, password_hash: str, role: str = "reader") -> User | None:
        with self._write() as conn:
            user_id = web.users.add(conn, username, password_hash, role)
            return web.users.get(conn, user_id) if user_id is not None else None

    def get_user(self, user_id: int) -> User | None:
        return web.users.get(self._reader(), user_id)

    def user_by_name(self, username: str) -> User | None:
        return web.users.by_name(self._reader(), username)

    def password_hash(self, user_id: int) -> str | None:
        return web.users.password_hash(self._reader(), user_id)

    def set_password(self, user_id: int, password_hash: str) -> None:
        with self._write() as conn:
            web.users.set_password(conn, user_id, password_hash)

    def list_users(self) -> list[User]:
        return web.users.list_all(self._reader())

    def set_user_role(self, user_id: int, role: str) -> bool:
        with self._write() as conn:
            return web.users.set_role(conn, user_id, role)

    def set_user_disabled(self, user_id: int, disabled: bool) -> bool:
        with self._write() as conn:
            return web.users.set_disabled(conn, user_id, disabled)

    def record_login(self, user_id: int, ok: bool, max_failures: int = 5,
                     lock_until: str = "") -> None:
        with self._write() as conn:
            if ok:
                web.users.login_ok(conn, user_id)
            else:
                web.users.login_failed(conn, user_id, max_failures, lock_until)

    def add_session(self, token_hash: str, user_id: int, expires_at: str) -> None:
        with self._write() as conn:
            web.users.add_session(conn, token_hash, user_id, expires_at)

    def session_user(self, token_hash: str) -> User | None:
        return web.users.session_user(self._reader(), token_hash)

    def delete_session(self, token_hash: str) -> None:
        with self._write() as conn:
            web.users.delete_session(conn, token_hash)

    def web_secret(self, name: str, new_value: str) -> str:
        with self._write() as conn:
            return web.users.secret(conn, name, new_value)

    def add_comment(self, article_id: str, user_id: int, parent_id: int | None, body: str,
                    status: str, reason: str | None, fingerprint: str) -> int:
        with self._write() as conn:
            return web.comments.add(conn, article_id, user_id, parent_id, body, status, reason,
                                fingerprint)

    def get_comment(self, comment_id: int) -> Comment | None:
        return web.comments.get(self._reader(), comment_id)

    def article_comments(self, article_id: str, viewer_id: int | None = None,
                         moderator: bool = False) -> list[Comment]:
        return web.comments.for_article(self._reader(), article_id, viewer_id, moderator)

    def user_comments(self, user_id: int, limit: int = 50) -> list[Comment]:
        return web.comments.by_user(self._reader(), user_id, limit)

    def edit_comment(self, comment_id: int, body: str, status: str, reason: str | None,
                     fingerprint: str) -> None:
        with self._write() as conn:
            web.comments.edit(conn, comment_id, body, status, reason, fingerprint)

    def set_comment_status(self, comment_id: int, status: str, reason: str | None = None) -> None:
        with self._write() as conn:
            web.comments.set_status(conn, comment_id, status, reason)

    def moderation_queue(self, limit: int = 100) -> list[Comment]:
        return web.comments.queue(self._reader(), limit)

    def recent_comment_count(self, user_id: int, since: str) -> int:
        return web.comments.recent_count(self._reader(), user_id, since)

    def duplicate_comment(self, fingerprint: str, since: str,
                          exclude_id: int | None = None) -> tuple[int, int] | None:
        return web.comments.duplicate_of(self._reader(), fingerprint, since, exclude_id)

    def add_token(self, user_id: int, name: str, token_hash: str, scope: str) -> int:
        with self._write() as conn:
            return web.tokens.add(conn, user_id, name, token_hash, scope)

    def list_tokens(self, user_id: int) -> list[ApiToken]:
        return web.tokens.list_for(self._reader(), user_id)

    def revoke_token(self, user_id: int, token_id: int) -> bool:
        with self._write() as conn:
            return web.tokens.revoke(conn, user_id, token_id)

    def token_user(self, token_hash: str) -> tuple[User, ApiToken] | None:
        found = web.tokens.user_for(self._reader(), token_hash)
        if found is not None:
            with self._write() as conn:
                web.tokens.touch(conn, found[1].id)
        return found

    def follow(self, user_id: int, kind: str, target: str, on: bool = True) -> None:
        with self._write() as conn:
            (web.follows.add if on else web.follows.remove)(conn, user_id, kind, target)

    def follows(self, user_id: int) -> list[tuple[str, str]]:
        return web.follows.list_for(self._reader(), user_id)

    def followed_articles(self, user_id: int, limit: int = 30) -> list[Article]:
        return web.follows.articles_for(self._reader(), user_id, limit)

    def newest_article_time(self) -> str | None:
        return web.coverage.newest_time(self._reader())

    def recent_stories(self, since: str, outlet: str | None = None,
                       limit: int = 200) -> list[StorySummary]:
        return web.coverage.recent_stories(self._reader(), since, outlet, limit)

    def daily_volume(self, since: str, outlet: str | None = None) -> list[tuple[str, int]]:
        return web.coverage.daily_volume(self._reader(), since, outlet)

    def outlet_facts(self, name: str) -> dict | None:
        return web.coverage.outlet_facts(self._reader(), name)

    # -- entities (issue 4) ------------------------------------------------------------------
    def list_entities(self, type: str | None = None, limit: int = 50,
                      offset: int = 0) -> "list[EntitySummary]":
        return entities.list_entities(self._reader(), type, limit, offset)

    def get_entity(self, key: str) -> "EntitySummary | None":
        return entities.get(self._reader(), key)

    def find_entity(self, name: str, type: str) -> "EntitySummary | None":
        return entities.find(self._reader(), name, type)

    def entity_roles(self, key: str) -> "list[EntityRole]":
        return entities.roles(self._reader(), key)

    def entity_articles(self, key: str, limit: int = 30, offset: int = 0) -> list[Article]:
        return entities.articles_of(self._reader(), key, limit, offset)

    def entity_quotes(self, key: str, limit: int = 30) -> "list[QuoteRecord]":
        return entities.quotes_of(self._reader(), key, limit)

    def co_mentioned(self, key: str, limit: int = 10) -> "list[tuple[EntitySummary, int]]":
        return entities.co_mentioned(self._reader(), key, limit)

    # -- hashtags and story summaries (issue 4) ----------------------------------------------
    def list_hashtags(self, limit: int = 50,
                      since: "datetime | str | None" = None) -> list[tuple[str, int]]:
        return tagindex.list_tags(self._reader(), limit, since)

    def hashtag_articles(self, tag: str, limit: int = 30, offset: int = 0) -> list[Article]:
        return tagindex.articles_with(self._reader(), tag, limit, offset)

    def story_hashtags(self, story_id: str, limit: int = 5) -> list[str]:
        from . import storysummaries

        return storysummaries.tags(self._reader(), story_id, limit)

    def story_summary(self, story_id: str) -> list[dict]:
        from . import storysummaries

        return storysummaries.get(self._reader(), self._write, story_id)

    def top_stories_between(self, start: str, end: str,
                            limit: int = 10) -> list[tuple[StorySummary, int, int]]:
        from . import storysummaries

        return storysummaries.top_between(self._reader(), start, end, limit)

    # -- search (issue 5) ------------------------------------------------------------------------
    def search_fts(self, match, filters, limit):
        from . import search

        return search.fts_candidates(self._reader(), match, filters, limit)

    def search_filter(self, rowids, filters, require=None, exclude=None):
        from . import search

        return search.filtered_rowids(self._reader(), rowids, filters, require, exclude)

    def search_count(self, filters, cap):
        from . import search

        return search.count_filtered(self._reader(), filters, cap)

    def search_rowids(self, filters, model, limit):
        from . import search

        return search.rowids_matching(self._reader(), filters, model, limit)

    def search_fingerprint(self):
        from . import search

        conn = self._reader()  # first: it creates the thread-local that holds the memo
        return search.fingerprint(conn, self._local)

    def search_count_after(self, rowid):
        from . import search

        return search.count_after(self._reader(), rowid)

    def search_vector_state(self):
        from . import search

        return search.vector_state(self._reader())

    def search_iter_vectors(self, model, after_rowid=0):
        from . import search

        return search.iter_vectors(self._reader(), model, after_rowid)

    def search_vectors(self, rowids, model):
        from . import search

        return search.vectors_for(self._reader(), rowids, model)

    def search_hits(self, rowids):
        from . import search

        return search.hit_rows(self._reader(), rowids)

    def search_rowids_of(self, ids):
        from . import search

        return search.rowids_of(self._reader(), ids)
