"""Drives one INPUT through the layers: read or fetch -> extract -> enrich -> store.

``extract`` uses the first two steps only (no database); ``ingest`` and ``crawl`` run them all.
A bad INPUT, entry or line is recorded in the outcome and never stops the others.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Iterator

from .config import Settings
from .enrich import Enricher, is_ordered, load_enrichers, run_enrichers
from .errors import InputError, NewsdeskError
from .extract import extract_document, finish_article
from .ingest import feeds, jsonl, opml
from .ingest.fetcher import Fetcher
from .ingest.sources import is_url, read_local
from .models import Article, FeedEntry, RawDocument, article_key
from .store import Store

if TYPE_CHECKING:
    from .crawl import Crawler, PollResult
    from .models import Feed

__all__ = ["Pipeline", "Outcome"]

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What became of one INPUT."""

    input: str
    articles: list[Article] = field(default_factory=list)  # extracted, in input order
    created: int = 0  # new articles stored
    existing: int = 0  # articles already in the store (idempotent ingest)
    feeds: list[str] = field(default_factory=list)  # feed URLs found in an OPML file
    errors: list[str] = field(default_factory=list)  # one line each


class Pipeline:
    """Holds what the stages share (settings, fetcher, store, enrichers) for a run."""

    def __init__(self, settings: Settings, store: Store | None = None,
                 fetcher: Fetcher | None = None, enrichers: list[Enricher] | None = None):
        self.settings = settings
        self.store = store
        self._fetcher = fetcher
        self._fetcher_lock = threading.Lock()
        self.enrichers = load_enrichers(settings) if enrichers is None else enrichers

    @property
    def fetcher(self) -> Fetcher:
        with self._fetcher_lock:  # feeds polled in threads (runners.ray) share one fetcher
            if self._fetcher is None:
                self._fetcher = Fetcher(self.settings)
            return self._fetcher

    def close(self) -> None:
        """Closes the fetcher's connections; a later fetch opens a new one."""
        if self._fetcher is not None:
            self._fetcher.close()
            self._fetcher = None

    # -- reading -----------------------------------------------------------------------------
    def read(self, value: str, captured_at: datetime | None = None) -> RawDocument:
        """Returns the raw document of a path, "-" or URL (fetched politely and safely)."""
        if is_url(value):
            return self.fetcher.fetch(value).to_document(value, captured_at=captured_at)
        return read_local(value, self.settings.fetch_max_bytes, captured_at)

    def extract(self, value: str, captured_at: datetime | None = None) -> Outcome:
        """Returns the articles of one INPUT without touching the database."""
        try:
            doc = self.read(value, captured_at)
        except NewsdeskError as exc:
            return Outcome(value, errors=[str(exc)])
        outcome = self.outcome_of(doc, remote=is_url(value))
        outcome.input = value
        return outcome

    def outcome_of(self, doc: RawDocument, *, remote: bool) -> Outcome:
        """Returns the articles of a document already read, errors recorded, not raised."""
        outcome = Outcome(doc.input)
        try:
            self.articles_of(doc, outcome, remote=remote)
        except NewsdeskError as exc:
            outcome.errors.append(str(exc))
        return outcome

    def articles_of(self, doc: RawDocument, outcome: Outcome, *, remote: bool) -> None:
        """Fills ``outcome`` with the articles of a document of any kind."""
        if jsonl.looks_like_jsonl(doc.input, doc.content):
            for item in jsonl.read_jsonl(doc.content, doc.input):
                if isinstance(item, InputError):
                    outcome.errors.append(str(item))
                else:
                    outcome.articles.append(finish_article(item, doc))
        elif opml.looks_like_opml(doc.content):
            outcome.feeds = [f.url for f in opml.parse_opml(doc.content, doc.input)]
            if not outcome.feeds:
                outcome.errors.append(f"opml: {doc.input}: lists no feed URLs")
        elif feeds.looks_like_feed(doc.content, doc.content_type):
            parsed = feeds.parse_feed(doc.content, doc.url, doc.content_type, doc.charset,
                                      source=doc.input)
            self.feed_articles(parsed, doc, outcome, fetch_pages=remote)
        else:
            outcome.articles.extend(extract_document(doc))

    def feed_articles(self, parsed: feeds.ParsedFeed, doc: RawDocument, outcome: Outcome, *,
                      fetch_pages: bool,
                      entries: list[FeedEntry] | None = None) -> dict[str, Article | str]:
        """Adds an article per feed entry; returns {entry guid: its Article, or the id of the
        article already stored for it}.

        Entries of a fetched feed get their page fetched and extracted, with the entry's own
        fields filling what the page lacks; when the page fails, or for a local feed file, the
        article is made from the entry's own content. Entries already stored are not fetched.
        """
        ids: dict[str, Article | str] = {}
        todo = []
        for entry in parsed.entries if entries is None else entries:
            known = self._known_id(entry.url)
            if known:
                ids[entry.guid] = known
                outcome.existing += 1
            else:
                todo.append(entry)
        ids.update(self.entry_articles(parsed, doc, todo, outcome, fetch_pages=fetch_pages))
        return ids

    def entry_articles(self, parsed: feeds.ParsedFeed, doc: RawDocument, entries: list[FeedEntry],
                       outcome: Outcome, *, fetch_pages: bool) -> dict[str, Article]:
        """Adds the article of each (not yet stored) entry to ``outcome``; returns them by guid."""
        ids: dict[str, Article] = {}
        for entry in entries:
            article, page_error = None, None
            if fetch_pages and entry.url and entry.url.startswith(("http://", "https://")):
                try:
                    article = self._entry_page(entry, parsed, doc)
                except NewsdeskError as exc:
                    page_error = str(exc)
                    log.info("%s; using the feed entry's own content", exc)
            if article is None:
                article = feeds.entry_to_article(entry, parsed)
                if article is not None:
                    article.input = entry.url or doc.input
                    finish_article(article, doc)
            if article is None:
                outcome.errors.append(page_error or f"feeds: {doc.input}: entry {entry.guid!r} "
                                      "has neither title nor text")
                continue
            ids[entry.guid] = article
            outcome.articles.append(article)
        return ids

    def _entry_page(self, entry: FeedEntry, parsed: feeds.ParsedFeed,
                    doc: RawDocument) -> Article:
        """Fetches and extracts an entry's page; the entry's fields fill what the page lacks."""
        hints = {"title": entry.title, "published_at": entry.published_at,
                 "byline": entry.author, "outlet": parsed.title, "url": entry.url}
        page = self.fetcher.fetch(entry.url or "").to_document(entry.url or "",
                                                               captured_at=doc.captured_at)
        page.hints = {k: v for k, v in hints.items() if v}
        return extract_document(page)[0]

    def _known_id(self, url: str | None) -> str | None:
        if self.store is None or not url:
            return None
        return self.store.existing_id(article_key(url, None, "", ""), url)

    # -- storing -----------------------------------------------------------------------------
    @property
    def stateless_steps(self) -> list[Enricher]:
        """The steps that see only their batch: run outside the lock, anywhere."""
        return [step for step in self.enrichers if not is_ordered(step)]

    @property
    def ordered_steps(self) -> list[Enricher]:
        """The steps that read or stage index state (copies, stories): run under the lock."""
        return [step for step in self.enrichers if is_ordered(step)]

    def fresh_articles(self, articles: list[Article]) -> tuple[list[Article], int]:
        """Returns the articles not stored yet (each id once) and how many others there are;
        an already-stored article takes the stored id."""
        assert self.store is not None, "ingest needs a store"
        fresh: dict[str, Article] = {}
        existing = 0
        for article in articles:
            known = self.store.existing_id(article.ensure_id(), article.url)
            if known is not None or article.id in fresh:
                article.id = known or article.id
                existing += 1
            else:
                fresh[article.ensure_id()] = article
        return list(fresh.values()), existing

    def enrich_stateless(self, articles: list[Article]) -> None:
        """Runs the stateless steps over a batch (``store`` None without a database)."""
        run_enrichers(self.stateless_steps, articles, self.store)

    def commit(self, articles: list[Article], document_id: int | None, outcome: Outcome) -> None:
        """Stores a batch whose new articles went through the stateless steps: under the
        store's lock, checks again which are stored (another worker may have stored them
        meanwhile), runs the ordered steps over the rest and saves them; counts both kinds."""
        assert self.store is not None, "ingest needs a store"
        with self.store.exclusive():
            batch, existing = self.fresh_articles(articles)
            outcome.existing += existing
            try:
                run_enrichers(self.ordered_steps, batch, self.store)
                # The copies and stories steps stage their index writes; they are stored in the
                # batch's one transaction, so a crash anywhere leaves indexes and articles agreeing.
                results = self.store.save_articles(batch, document_id)
            except BaseException:
                self.store.discard_pending()
                raise
        for article, result in zip(batch, results, strict=True):
            article.id = result.id
            if result.created:
                outcome.created += 1
            else:
                outcome.existing += 1

    def store_articles(self, articles: list[Article], document_id: int | None,
                       outcome: Outcome) -> None:
        """Enriches the new articles of a batch and stores them; counts new and already-stored
        ones. Articles already stored are not enriched again, so re-ingesting changes nothing.

        No stateless step reads what an ordered one sets (embeddings, entities, keywords and
        summaries read the article alone), so running them first, outside the lock, gives the
        same articles as the one order of ``BUILTIN_ENRICHERS``; ordered steps keep their order.
        """
        fresh, _ = self.fresh_articles(articles)
        self.enrich_stateless(fresh)
        self.commit(articles, document_id, outcome)

    def ingest(self, value: str, captured_at: datetime | None = None) -> Outcome:
        """Reads, extracts, enriches and stores one INPUT. An OPML file stores nothing: its feed
        URLs come back in ``outcome.feeds`` for the caller to follow and poll."""
        outcome = Outcome(value)
        try:
            doc = self.read(value, captured_at)
            self.articles_of(doc, outcome, remote=is_url(value))
            if outcome.articles:
                document_id = self.store.save_document(doc) if self.store else None
                self.store_articles(outcome.articles, document_id, outcome)
        except NewsdeskError as exc:
            outcome.errors.append(str(exc))
        return outcome

    def ingest_many(self, values: list[str], captured_at: datetime | None = None) -> Iterator[Outcome]:
        """Yields the outcome of each INPUT in order, as ``ingest`` gives it; a runner that
        spreads the work over processes (``newsdesk.runners``) keeps this order of commits."""
        for value in values:
            yield self.ingest(value, captured_at)

    def poll_feeds(self, crawler: "Crawler", due: "list[Feed]") -> "Iterator[PollResult]":
        """Yields the result of polling each feed (``Crawler.poll``), in order."""
        for feed in due:
            yield crawler.poll(feed)
