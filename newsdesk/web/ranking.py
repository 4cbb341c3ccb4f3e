"""Ranks the stories of the moment for the home page: wide coverage first, fading with age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..models import StorySummary
from ..store.base import Store
from .filters import parse_time

__all__ = ["WINDOW", "score", "top_stories"]

# "Now" is the newest article in the database, not the wall clock, so an archive or the demo
# still has a front page. Judgement calls, not tuned: three days of news; a story's weight
# halves every 24 hours since its latest article; outlets count double because independent
# coverage says more than one outlet's follow-ups, and reprints add nothing new.
WINDOW = timedelta(hours=72)
HALF_LIFE_HOURS = 24.0


def score(story: StorySummary, now: datetime) -> float:
    latest = parse_time(story.last_seen) or now
    hours = max(0.0, (now - latest).total_seconds() / 3600)
    originals = story.articles - story.reprints
    return (2 * story.outlets + originals) * 0.5 ** (hours / HALF_LIFE_HOURS)


def top_stories(store: Store, limit: int, outlet: str | None = None,
                first: set[str] | None = None) -> list[StorySummary]:
    """Returns the top stories of the last three days of news (with coverage from ``outlet``
    when given), stories in ``first`` (followed ones) ahead of the rest."""
    newest = parse_time(store.newest_article_time())
    if newest is None:
        return []
    since = (newest - WINDOW).astimezone(UTC).isoformat()
    stories = store.recent_stories(since, outlet, 500)
    first = first or set()
    stories.sort(key=lambda s: (s.id not in first, -score(s, newest), s.id))
    return stories[:limit]
