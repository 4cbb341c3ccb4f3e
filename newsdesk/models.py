"""Plain data objects that flow between the layers: raw documents, articles, feeds."""

from __future__ import annotations

import hashlib
import re
from copy import deepcopy
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import datetime
from typing import Any

__all__ = ["RawDocument", "Article", "Feed", "FeedEntry", "StorySummary", "article_key",
           "ROLES", "User", "Comment", "ApiToken", "EntitySummary", "EntityRole", "QuoteRecord"]


@dataclass
class RawDocument:
    """Bytes as they arrived from one INPUT, before extraction."""

    input: str  # the INPUT as the user gave it (path, URL, "-"), or the feed entry URL
    content: bytes
    content_type: str | None = None  # media type without parameters, e.g. "text/html"
    charset: str | None = None  # from the HTTP header when there was one
    url: str | None = None  # final URL after redirects, for fetched documents
    fetched_at: datetime | None = None  # aware datetime
    captured_at: datetime | None = None  # reference time for relative ages ("6 hours ago")
    # Hints from the feed entry the document came from, used when the page itself lacks them.
    hints: dict = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class Article:
    """One clean article: the article JSON of DESIGN.md, less the enrichment fields."""

    title: str
    text: str  # paragraphs separated by a blank line
    url: str | None = None
    outlet: str | None = None
    credit: str | None = None
    byline: str | None = None
    published_at: str | None = None  # ISO 8601 with offset
    language: str | None = None
    id: str | None = None
    input: str | None = None  # extract only
    story_id: str | None = None  # export only
    duplicate_of: str | None = None  # export only
    # Enrichment (issue-specific steps fill these; empty until then).
    entities: list = field(default_factory=list)
    quotes: list = field(default_factory=list)
    hashtags: list = field(default_factory=list)
    keywords: list = field(default_factory=list)
    summary: list = field(default_factory=list)
    # The embedding of the article (numpy float32, L2-normalised), set by the embeddings step
    # and kept beside the article by the store; never part of the article JSON.
    vector: Any = field(default=None, repr=False, compare=False)
    vector_model: str | None = field(default=None, repr=False, compare=False)
    # True when published_at was read from an age ("2 days ago" in a page capture): only as
    # exact as its unit, so it never outranks a printed time as a copy group's original
    # (issue 3). Not part of the article JSON.
    published_approximate: bool = field(default=False, repr=False, compare=False)

    def ensure_id(self) -> str:
        """Returns the article's id, deriving a stable one from its URL or content if unset."""
        if not self.id:
            self.id = article_key(self.url, self.outlet, self.title, self.text)
        return self.id

    def to_dict(self, fields: tuple[str, ...] | None = None) -> dict:
        """Returns the named fields (default: every JSON field) as plain data."""
        names = fields or tuple(f.name for f in dataclass_fields(self) if f.name not in _NOT_JSON)
        return {name: deepcopy(getattr(self, name)) for name in names}


_NOT_JSON = ("vector", "vector_model", "published_approximate")
# Field order of the article JSON printed by `extract` and `export` (DESIGN.md).
CORE_FIELDS = ("id", "title", "text", "url", "outlet", "credit", "byline", "published_at", "language")
ENRICH_FIELDS = ("entities", "quotes", "hashtags", "keywords", "summary")

_SPACE = re.compile(r"\s+")


def article_key(url: str | None, outlet: str | None, title: str, text: str) -> str:
    """Returns a stable 16-hex id: from the URL when there is one, else from outlet, title and text.

    Ingesting the same page or feed entry twice gives the same key, so it is stored once.
    """
    if url:
        basis = "url\n" + url.strip()
    else:
        norm = lambda s: _SPACE.sub(" ", (s or "").strip().lower())  # noqa: E731
        basis = "\n".join(("content", norm(outlet), norm(title), norm(text)))
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


@dataclass
class Feed:
    """A feed being followed, with its polling state."""

    url: str
    id: int | None = None
    title: str | None = None
    site_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    next_poll_at: str | None = None
    poll_interval: int | None = None  # seconds; None uses the crawl_interval setting
    error_count: int = 0
    last_error: str | None = None
    last_polled_at: str | None = None
    paused: bool = False


@dataclass
class FeedEntry:
    """One entry of a parsed feed."""

    guid: str
    url: str | None
    title: str | None = None
    summary: str | None = None  # plain text or HTML from the feed
    content_html: str | None = None  # full content when the feed carries it
    author: str | None = None
    published_at: str | None = None  # ISO 8601 with offset


@dataclass
class StorySummary:
    """A story as lists show it: title, times and counts."""

    id: str
    title: str
    first_seen: str | None
    last_seen: str | None
    articles: int  # every article in the story, copies included
    outlets: int  # distinct outlets
    reprints: int  # articles that are syndicated copies of another

    def to_dict(self) -> dict:
        return dict(self.__dict__)


# -- web accounts (issue 6) ------------------------------------------------------------------
ROLES = ("reader", "editor", "admin")


@dataclass
class User:
    """A web account: a reader, an editor (moderates comments) or an admin (runs the site)."""

    id: int
    username: str
    role: str = "reader"
    created_at: str | None = None
    failed_logins: int = 0
    locked_until: str | None = None
    disabled: bool = False

    def can(self, role: str) -> bool:
        """Tells whether this user holds ``role`` or a higher one."""
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass
class Comment:
    """One comment on an article; ``parent_id`` makes threads."""

    id: int
    article_id: str
    user_id: int
    username: str
    body: str
    status: str  # visible, pending, rejected or deleted
    created_at: str
    parent_id: int | None = None
    reason: str | None = None  # why automatic moderation held it, shown to moderators
    edited_at: str | None = None
    article_title: str | None = None  # filled by the moderation queue

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("fingerprint",)}


@dataclass
class ApiToken:
    """A user's API or personal-feed token; only its hash is stored."""

    id: int
    user_id: int
    name: str
    scope: str  # read, write or feed
    created_at: str
    last_used_at: str | None = None
    revoked_at: str | None = None


# -- entities (issue 4) ----------------------------------------------------------------------
@dataclass
class EntitySummary:
    """An entity as entity lists show it: its key, name, type and how often it appears."""

    key: str
    name: str
    type: str  # person, organization, place or other
    articles: int  # articles that mention it
    first_seen: str | None = None  # earliest article date (ISO 8601, UTC)
    last_seen: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class EntityRole:
    """A role (or an affiliation alone) an article gave an entity, as of that article's date."""

    role: str | None
    affiliation: str | None
    article_id: str
    published_at: str | None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class QuoteRecord:
    """A stored quote: its text, speaker and the article it came from."""

    article_id: str
    text: str
    speaker: str | None
    speaker_description: str | None
    anonymous: bool
    published_at: str | None

    def to_dict(self) -> dict:
        return dict(self.__dict__)
