"""Polls followed feeds: conditional GET, new entries only, backoff on errors."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from .errors import FetchError, NewsdeskError
from .ingest import feeds
from .models import Feed
from .pipeline import Outcome, Pipeline
from .store.timestamps import utc_iso

__all__ = ["Crawler", "PollResult"]

log = logging.getLogger(__name__)


@dataclass
class PollResult:
    """What one poll of one feed did."""

    feed: Feed
    status: str  # "fetched", "not-modified" or "error"
    created: int = 0
    existing: int = 0
    error: str | None = None


class Crawler:
    """Polls due feeds through a pipeline that has a store."""

    def __init__(self, pipeline: Pipeline,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)):
        if pipeline.store is None:
            raise ValueError("Crawler needs a pipeline with a store")
        self.pipeline = pipeline
        self.store = pipeline.store
        self.settings = pipeline.settings
        self.clock = clock

    def due(self) -> list[Feed]:
        return self.store.due_feeds(self.clock())

    def seconds_until_next(self, cap: float = 60.0) -> float:
        """Returns how long to sleep before a feed is due (at most ``cap``)."""
        upcoming = [f.next_poll_at for f in self.store.list_feeds() if not f.paused and f.next_poll_at]
        if not upcoming:
            return cap
        wait = (datetime.fromisoformat(min(upcoming)) - self.clock()).total_seconds()
        return max(0.0, min(cap, wait))

    def poll(self, feed: Feed) -> PollResult:
        """Fetches one feed (If-None-Match / If-Modified-Since), stores its new entries, and
        schedules the next poll; an error is recorded on the feed and backs it off."""
        now = self.clock()
        feed.last_polled_at = utc_iso(now)
        interval = feed.poll_interval or self.settings.crawl_interval
        try:
            result = self._fetch_and_store(feed)
        except NewsdeskError as exc:
            feed.error_count += 1
            feed.last_error = str(exc)
            delay = min(interval * 2 ** (feed.error_count - 1), self.settings.crawl_error_backoff_max)
            if isinstance(exc, FetchError) and exc.retry_after:
                delay = max(delay, exc.retry_after)
            feed.next_poll_at = utc_iso(now + timedelta(seconds=delay))
            self.store.update_feed(feed)
            log.warning("%s", exc)
            return PollResult(feed, "error", error=str(exc))
        feed.error_count, feed.last_error = 0, None
        feed.next_poll_at = utc_iso(now + timedelta(seconds=interval))
        self.store.update_feed(feed)
        return result

    def _fetch_and_store(self, feed: Feed) -> PollResult:
        fetched = self.pipeline.fetcher.fetch(feed.url, etag=feed.etag,
                                              last_modified=feed.last_modified)
        if fetched.not_modified:
            return PollResult(feed, "not-modified")
        doc = fetched.to_document(feed.url)
        parsed = feeds.parse_feed(doc.content, fetched.url, fetched.content_type, fetched.charset)
        feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
        feed.title = feed.title or parsed.title
        feed.site_url = feed.site_url or parsed.site_url
        assert feed.id is not None
        seen = self.store.seen_entries(feed.id, [e.guid for e in parsed.entries])
        new = [e for e in parsed.entries if e.guid not in seen][: self.settings.crawl_max_entries]
        outcome = Outcome(feed.url)
        ids = self.pipeline.feed_articles(parsed, doc, outcome, fetch_pages=True, entries=new)
        if outcome.articles:
            self.pipeline.store_articles(outcome.articles, self.store.save_document(doc), outcome)
        for entry in new:  # marked after storing: a crash in between re-stores idempotently
            found = ids.get(entry.guid)
            self.store.mark_entry(feed.id, entry.guid,
                                  found if isinstance(found, str) or found is None else found.id)
        for error in outcome.errors:
            log.warning("%s", error)
        return PollResult(feed, "fetched", outcome.created, outcome.existing)
