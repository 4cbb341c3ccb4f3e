"""The one interface every storage engine implements; the layers above see only this."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Iterator

from ..models import Article, Feed, RawDocument, StorySummary

if TYPE_CHECKING:
    from ..enrich.copies import CopyIndex
    from ..enrich.stories import StoryIndex

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
