"""Builds the daily wrap-up: the day's top stories with their cited summaries and hashtags.

A day is a UTC calendar day (as the web app's daily counts are), and an article belongs to the
day of its published time (its ingest time when undated). Stories rank by how many outlets
covered them that day, then by how many articles they got that day. ``daily_wrapup`` is what
``newsdesk wrapup`` prints and what a wrap-up page shows.

With ``llm_url`` configured, each story also gets an abstract: the LLM endpoint rewrites the
story summary's sentences, and each sentence it writes is kept only when the source sentence it
cites supports it (``search.llm.compose``); what is kept cites that sentence's article and
index. Without an endpoint, or when it fails, ``abstract`` is None and the extractive summary
stands alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from .errors import InputError
from .store import Store

__all__ = ["WrapupStory", "Wrapup", "daily_wrapup", "parse_day", "render_text", "abstract_summary"]

log = logging.getLogger(__name__)

TOP_STORIES = 10


@dataclass
class WrapupStory:
    """One story of the wrap-up with its counts that day and overall."""

    id: str
    title: str
    articles_today: int
    outlets_today: int
    articles: int
    outlets: int
    hashtags: list[str]
    summary: list[dict]  # {"text", "article_id", "source_sentence", "outlet"}
    abstract: list[dict] | None = None  # the same keys; None without an LLM endpoint

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Wrapup:
    """The wrap-up of one day."""

    date: str  # YYYY-MM-DD (UTC)
    articles: int  # articles of that day in the listed stories
    stories: list[WrapupStory] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"date": self.date, "articles": self.articles,
                "stories": [s.to_dict() for s in self.stories]}


def parse_day(value: str) -> date:
    """Returns the date of a YYYY-MM-DD string; raises InputError naming it otherwise."""
    try:
        return date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise InputError(f"wrapup: --date {value!r}: not a YYYY-MM-DD date") from None


def latest_day(store: Store) -> date | None:
    """Returns the UTC day of the newest article, or None for an empty archive."""
    newest = store.latest_articles(limit=1)
    if not newest:
        return None
    stamp = newest[0].published_at
    try:
        when = datetime.fromisoformat((stamp or "").replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(timezone.utc).date()
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).date()


def abstract_summary(settings: Any, summary: list[dict]) -> list[dict] | None:
    """Returns the LLM's summary of a story's summary sentences, each kept sentence citing the
    source sentence that supports it; None when the endpoint fails."""
    from .search.llm import LLMError, Passage, compose

    if not summary:
        return []
    passages = [Passage(text=item["text"], article=item) for item in summary]
    try:
        kept = compose(settings, "What happened in this story? Summarise it in two or three "
                       "sentences.", passages)
    except LLMError as exc:
        log.warning("wrapup: no abstract: %s", exc)
        return None
    return [{"text": text, "article_id": p.article["article_id"],
             "source_sentence": p.article["source_sentence"], "outlet": p.article["outlet"]}
            for text, p in kept]


def daily_wrapup(store: Store, day: date | str | None = None,
                 limit: int = TOP_STORIES, settings: Any = None) -> Wrapup:
    """Returns the wrap-up of ``day`` (default: the day of the newest article); with
    ``settings.llm_url`` set, each story gets a checked abstract too."""
    if isinstance(day, str):
        day = parse_day(day)
    if day is None:
        day = latest_day(store) or datetime.now(timezone.utc).date()
    start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    end = start + timedelta(days=1)
    found = store.top_stories_between(start.isoformat(), end.isoformat(), limit)
    wrap = Wrapup(date=day.isoformat(), articles=sum(n for _, n, _ in found))
    use_llm = bool(settings is not None and getattr(settings, "llm_url", ""))
    for story, articles_today, outlets_today in found:
        summary = store.story_summary(story.id)
        wrap.stories.append(WrapupStory(
            id=story.id, title=story.title, articles_today=articles_today,
            outlets_today=outlets_today, articles=story.articles, outlets=story.outlets,
            hashtags=store.story_hashtags(story.id), summary=summary,
            abstract=abstract_summary(settings, summary) if use_llm else None))
    return wrap


def render_text(wrap: Wrapup) -> str:
    """Returns the wrap-up as plain text: numbered stories, tags, cited summary sentences."""
    if not wrap.stories:
        return f"Daily wrap-up, {wrap.date} (UTC): no stories that day.\n"
    lines = [f"Daily wrap-up, {wrap.date} (UTC): {len(wrap.stories)} stories, "
             f"{wrap.articles} articles", ""]
    for n, story in enumerate(wrap.stories, 1):
        lines.append(f"{n}. {story.title}")
        counts = (f"{story.articles_today} articles from {story.outlets_today} outlets that day "
                  f"({story.articles} in all)")
        tags = " ".join("#" + t for t in story.hashtags)
        lines.append(f"   {counts}{'  ' + tags if tags else ''}")
        for mark, items in (("*", story.abstract or []), ("-", story.summary)):
            for item in items:
                lines.append(f"   {mark} {item['text']} [{item['outlet'] or '?'}, "
                             f"{item['article_id']} #{item['source_sentence']}]")
        lines.append("")
    return "\n".join(lines)
