"""The one interface every storage engine implements; the layers above see only this."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Iterator

from ..models import Article, Feed, RawDocument, StorySummary

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from pathlib import Path  # search (issue 5)

    import numpy as np  # search (issue 5)

    from ..enrich.copies import CopyIndex
    from ..enrich.stories import StoryIndex
    from ..models import ApiToken, Comment, EntityRole, EntitySummary, QuoteRecord, User
    from .search import SearchFilters, VectorState  # search (issue 5)

__all__ = ["Store", "SaveResult"]


@dataclass
class SaveResult:
    """What happened to one article handed to ``Store.save_article``."""

    id: str
    created: bool  # False when an article with the same key was already stored (idempotent ingest)


class Store(ABC):
    """A newsdesk database: outlets, feeds, raw documents and articles.

    Writes go through one writer; reads may come from any thread. Every method takes and returns
    the plain objects of ``newsdesk.models``; no SQL leaves the store package.
    """

    url: str

    # -- lifecycle -------------------------------------------------------------------------
    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- raw documents ---------------------------------------------------------------------
    @abstractmethod
    def save_document(self, doc: RawDocument) -> int:
        """Stores the compressed bytes once per content hash and returns the document id."""

    @abstractmethod
    def get_document(self, document_id: int) -> RawDocument | None: ...

    # -- articles --------------------------------------------------------------------------
    @abstractmethod
    def save_article(self, article: Article, document_id: int | None = None) -> SaveResult:
        """Stores an article once per key (its id); a second save of the same key updates
        nothing and reports ``created=False``. The outlet is recorded in the outlets table."""

    @abstractmethod
    def get_article(self, article_id: str) -> Article | None: ...

    @abstractmethod
    def existing_id(self, article_id: str, url: str | None) -> str | None:
        """Returns the id of the stored article with this id or URL, or None."""

    @abstractmethod
    def latest_articles(self, limit: int = 30, offset: int = 0,
                        outlet: str | None = None) -> list[Article]:
        """Returns articles newest first (published time, else ingest time)."""

    @abstractmethod
    def count_articles(self) -> int: ...

    @abstractmethod
    def iter_articles(self, since: datetime | None = None) -> Iterator[Article]:
        """Yields every article ingested at or after ``since`` (all when None), oldest first."""

    @abstractmethod
    def search_text(self, query: str, limit: int = 20) -> list[Article]:
        """Full-text search over title and text, best first; any user string is safe."""

    @abstractmethod
    def list_outlets(self) -> list[tuple[str, int]]:
        """Returns (outlet name, article count), most articles first."""

    # -- state of the enrichment steps -------------------------------------------------------
    @abstractmethod
    def copy_index(self) -> "CopyIndex":
        """Returns the persisted index of the copies step."""

    @abstractmethod
    def story_index(self) -> "StoryIndex":
        """Returns the persisted state of the stories step."""

    # -- batches: articles saved with the index state of their enrichment (issue 3) ----------
    @abstractmethod
    def save_articles(self, batch: list[Article], document_id: int | None = None) -> list[SaveResult]:
        """Stores a batch as ``save_article`` does each article, together with the index writes
        the copies and stories steps staged for it, in one transaction: after a crash at any
        point the indexes count exactly the stored articles, and a re-run counts none twice."""

    @abstractmethod
    def discard_pending(self) -> None:
        """Drops the staged index writes of a batch that will not be saved (it failed)."""

    @abstractmethod
    def exclusive(self) -> "AbstractContextManager[None]":
        """Holds the store's one ordered-steps lock, across threads, processes and machines:
        the steps that read and stage index state (copies, stories) and ``save_articles`` run
        inside it, so two workers never cluster against each other's stale state. Not
        re-entrant. Indexes see every commit made before the lock was taken."""

    # -- stories ---------------------------------------------------------------------------
    @abstractmethod
    def list_stories(self, limit: int = 30, offset: int = 0) -> list[StorySummary]:
        """Returns stories with their counts, most recently updated first."""

    @abstractmethod
    def get_story(self, story_id: str) -> StorySummary | None: ...

    @abstractmethod
    def story_articles(self, story_id: str) -> list[Article]:
        """Returns a story's articles, copies included, oldest first."""

    @abstractmethod
    def copies_of(self, article_id: str) -> list[Article]:
        """Returns the syndicated copies of an original, oldest first."""

    @abstractmethod
    def related_articles(self, article_id: str, limit: int = 8) -> list[Article]:
        """Returns the rest of the article's story (copies folded), then the closest articles
        of other stories."""

    # -- feeds -----------------------------------------------------------------------------
    @abstractmethod
    def add_feed(self, url: str, title: str | None = None, site_url: str | None = None) -> Feed:
        """Adds a feed (or returns the existing one with this URL); it is due at once."""

    @abstractmethod
    def get_feed(self, url: str) -> Feed | None: ...

    @abstractmethod
    def list_feeds(self) -> list[Feed]: ...

    @abstractmethod
    def due_feeds(self, now: datetime) -> list[Feed]:
        """Returns unpaused feeds whose next poll time has come, most overdue first."""

    @abstractmethod
    def update_feed(self, feed: Feed) -> None:
        """Writes a feed's polling state (etag, last_modified, next poll, errors, title)."""

    @abstractmethod
    def seen_entries(self, feed_id: int, guids: list[str]) -> set[str]:
        """Returns which of these entry guids were already stored for this feed."""

    @abstractmethod
    def mark_entry(self, feed_id: int, guid: str, article_id: str | None) -> None:
        """Records that a feed entry was processed (so a later poll skips it)."""

    # -- web: accounts, sessions, comments, tokens, follows, page aggregates (issue 6) ----------
    @abstractmethod
    def add_user(self, username: str, password_hash: str, role: str = "reader") -> "User | None":
        """Adds an account; None when the name is taken (names compare case-insensitively)."""

    @abstractmethod
    def get_user(self, user_id: int) -> "User | None": ...

    @abstractmethod
    def user_by_name(self, username: str) -> "User | None": ...

    @abstractmethod
    def password_hash(self, user_id: int) -> str | None: ...

    @abstractmethod
    def set_password(self, user_id: int, password_hash: str) -> None: ...

    @abstractmethod
    def list_users(self) -> "list[User]": ...

    @abstractmethod
    def set_user_role(self, user_id: int, role: str) -> bool: ...

    @abstractmethod
    def set_user_disabled(self, user_id: int, disabled: bool) -> bool:
        """Disables (or enables) an account; disabling ends its sessions."""

    @abstractmethod
    def record_login(self, user_id: int, ok: bool, max_failures: int = 5,
                     lock_until: str = "") -> None:
        """Resets the failure count on success; counts a failure and locks the account until
        ``lock_until`` when failures in a row reach ``max_failures``."""

    @abstractmethod
    def add_session(self, token_hash: str, user_id: int, expires_at: str) -> None: ...

    @abstractmethod
    def session_user(self, token_hash: str) -> "User | None": ...

    @abstractmethod
    def delete_session(self, token_hash: str) -> None: ...

    @abstractmethod
    def web_secret(self, name: str, new_value: str) -> str:
        """Returns the stored secret ``name``, storing ``new_value`` when there is none yet."""

    @abstractmethod
    def add_comment(self, article_id: str, user_id: int, parent_id: int | None, body: str,
                    status: str, reason: str | None, fingerprint: str) -> int: ...

    @abstractmethod
    def get_comment(self, comment_id: int) -> "Comment | None": ...

    @abstractmethod
    def article_comments(self, article_id: str, viewer_id: int | None = None,
                         moderator: bool = False) -> "list[Comment]":
        """Returns visible and deleted comments, plus held ones to their author and moderators."""

    @abstractmethod
    def user_comments(self, user_id: int, limit: int = 50) -> "list[Comment]": ...

    @abstractmethod
    def edit_comment(self, comment_id: int, body: str, status: str, reason: str | None,
                     fingerprint: str) -> None: ...

    @abstractmethod
    def set_comment_status(self, comment_id: int, status: str, reason: str | None = None) -> None:
        """Moves a comment to visible, pending, rejected or deleted (deleting drops its text)."""

    @abstractmethod
    def moderation_queue(self, limit: int = 100) -> "list[Comment]": ...

    @abstractmethod
    def recent_comment_count(self, user_id: int, since: str) -> int: ...

    @abstractmethod
    def duplicate_comment(self, fingerprint: str, since: str,
                          exclude_id: int | None = None) -> tuple[int, int] | None:
        """Returns (comment id, user id) of an earlier comment with the same fingerprint."""

    @abstractmethod
    def add_token(self, user_id: int, name: str, token_hash: str, scope: str) -> int: ...

    @abstractmethod
    def list_tokens(self, user_id: int) -> "list[ApiToken]": ...

    @abstractmethod
    def revoke_token(self, user_id: int, token_id: int) -> bool: ...

    @abstractmethod
    def token_user(self, token_hash: str) -> "tuple[User, ApiToken] | None":
        """Returns the user and live token with this hash (and notes its use), or None."""

    @abstractmethod
    def follow(self, user_id: int, kind: str, target: str, on: bool = True) -> None: ...

    @abstractmethod
    def follows(self, user_id: int) -> list[tuple[str, str]]: ...

    @abstractmethod
    def followed_articles(self, user_id: int, limit: int = 30) -> list[Article]: ...

    @abstractmethod
    def newest_article_time(self) -> str | None: ...

    @abstractmethod
    def recent_stories(self, since: str, outlet: str | None = None,
                       limit: int = 200) -> list[StorySummary]: ...

    @abstractmethod
    def daily_volume(self, since: str, outlet: str | None = None) -> list[tuple[str, int]]: ...

    @abstractmethod
    def outlet_facts(self, name: str) -> dict | None: ...

    # -- entities (issue 4) ----------------------------------------------------------------
    @abstractmethod
    def list_entities(self, type: str | None = None, limit: int = 50,
                      offset: int = 0) -> "list[EntitySummary]":
        """Returns entities (of one type, or all), the most written about first."""

    @abstractmethod
    def get_entity(self, key: str) -> "EntitySummary | None": ...

    @abstractmethod
    def find_entity(self, name: str, type: str) -> "EntitySummary | None":
        """Returns the stored entity an article's entity (its name and type) belongs to."""

    @abstractmethod
    def entity_roles(self, key: str) -> "list[EntityRole]":
        """Returns each role and affiliation articles gave the entity, oldest first."""

    @abstractmethod
    def entity_articles(self, key: str, limit: int = 30, offset: int = 0) -> list[Article]:
        """Returns the articles that mention the entity, newest first."""

    @abstractmethod
    def entity_quotes(self, key: str, limit: int = 30) -> "list[QuoteRecord]":
        """Returns the quotes attributed to the entity, newest first."""

    @abstractmethod
    def co_mentioned(self, key: str, limit: int = 10) -> "list[tuple[EntitySummary, int]]":
        """Returns the entities most often named in the same articles, with the shared count."""

    # -- hashtags and story summaries (issue 4) ----------------------------------------------
    @abstractmethod
    def list_hashtags(self, limit: int = 50,
                      since: "datetime | str | None" = None) -> list[tuple[str, int]]:
        """Returns (hashtag without "#", article count), most used first, over articles dated
        at or after ``since`` (all when None)."""

    @abstractmethod
    def hashtag_articles(self, tag: str, limit: int = 30, offset: int = 0) -> list[Article]:
        """Returns the articles carrying a hashtag (any case, "#" optional), newest first."""

    @abstractmethod
    def story_hashtags(self, story_id: str, limit: int = 5) -> list[str]:
        """Returns the hashtags most of a story's articles carry."""

    @abstractmethod
    def story_summary(self, story_id: str) -> list[dict]:
        """Returns a story's extractive summary drawn from several outlets: a list of
        ``{"text", "article_id", "source_sentence", "outlet"}``, the sentence index counted in
        ``enrich.sentences.split_sentences(article.text)``; [] for an unknown story."""

    @abstractmethod
    def top_stories_between(self, start: str, end: str,
                            limit: int = 10) -> list[tuple[StorySummary, int, int]]:
        """Returns the stories with articles dated in [start, end) (UTC ISO 8601), each with
        its article and outlet counts in that span, most outlets first, then most articles."""

    # -- search (issue 5): filtered full-text reads, vectors by rowid, the vector index file -----
    @abstractmethod
    def vector_index_path(self) -> "Path | None":
        """Returns where the ANN index file of article vectors lives (beside the database),
        or None for an engine that searches vectors itself."""

    def nearest_vectors(self, vector: "np.ndarray", model: str, k: int) -> list[tuple[int, float]]:
        """Returns up to ``k`` (rowid, cosine) of the model's vectors nearest to ``vector``
        (engines whose ``vector_index_path`` is None only)."""
        raise NotImplementedError(f"{type(self).__name__} keeps no vector index of its own")

    @abstractmethod
    def search_fts(self, match: str, filters: "SearchFilters", limit: int) -> list[tuple[int, float]]:
        """Returns (rowid, bm25) of articles matching an FTS5 MATCH expression and the filters,
        best first."""

    @abstractmethod
    def search_filter(self, rowids: list[int], filters: "SearchFilters", require: str | None = None,
                      exclude: str | None = None) -> set[int]:
        """Returns which rowids pass the filters, match ``require`` and miss ``exclude``."""

    @abstractmethod
    def search_count(self, filters: "SearchFilters", cap: int) -> int:
        """Returns how many articles pass the filters, counting no further than ``cap``."""

    @abstractmethod
    def search_rowids(self, filters: "SearchFilters", model: str, limit: int) -> list[int]:
        """Returns rowids of articles that pass the filters and hold a vector of ``model``."""

    @abstractmethod
    def search_fingerprint(self) -> tuple[int, int]:
        """Returns (article count, highest article rowid)."""

    @abstractmethod
    def search_count_after(self, rowid: int) -> int:
        """Returns how many articles have a rowid above ``rowid``."""

    @abstractmethod
    def search_vector_state(self) -> "VectorState":
        """Returns the dominant vector model, its vector count, highest rowid and dimension."""

    @abstractmethod
    def search_iter_vectors(self, model: str, after_rowid: int = 0
                            ) -> Iterator[tuple["np.ndarray", "np.ndarray"]]:
        """Yields (rowids, vectors) of one model past ``after_rowid``, in rowid order, in batches."""

    @abstractmethod
    def search_vectors(self, rowids: list[int], model: str) -> tuple[list[int], "np.ndarray"]:
        """Returns the rowids holding a vector of ``model`` and those vectors."""

    @abstractmethod
    def search_hits(self, rowids: list[int]) -> dict[int, dict]:
        """Returns id, title, text, outlet, published_at, story_id, duplicate_of by rowid."""

    @abstractmethod
    def search_rowids_of(self, ids: list[str]) -> dict[str, int]:
        """Returns the rowids of articles by id."""
