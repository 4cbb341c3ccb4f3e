"""Gathers what a reader follows into one list of articles: stories and outlets from the
store's own query, hashtags, people and saved searches from their lists, newest first."""

from __future__ import annotations

from urllib.parse import quote

from ..models import Article
from ..search import search
from ..store.base import Store
from .filters import outlet_page_path, story_path

__all__ = ["FOLLOW_KINDS", "follow_urls", "followed_articles", "search_articles"]

FOLLOW_KINDS = ("story", "outlet", "hashtag", "entity", "search")
PER_FOLLOW = 20  # enough of each followed list to fill a page of the newest


def search_articles(store: Store, query: str, limit: int) -> list[Article]:
    """Returns the articles of a search's hits, best first."""
    hits = search(store, query, limit=limit)
    found = [store.get_article(h["id"]) for h in hits]
    return [a for a in found if a is not None]


def followed_articles(store: Store, user_id: int, limit: int) -> list[Article]:
    """Returns the newest articles of everything the user follows, copies left out."""
    found = {a.id: a for a in store.followed_articles(user_id, limit)}
    for kind, target in store.follows(user_id):
        if kind == "hashtag":
            more = store.hashtag_articles(target, PER_FOLLOW)
        elif kind == "entity":
            more = store.entity_articles(target, PER_FOLLOW)
        elif kind == "search":
            more = search_articles(store, target, PER_FOLLOW)
        else:
            continue
        found.update((a.id, a) for a in more if not a.duplicate_of)
    ordered = sorted(found.values(), key=lambda a: (a.published_at or "", a.id or ""), reverse=True)
    return ordered[:limit]


def follow_urls(base: str, kind: str, target: str) -> str:
    """Returns the page of a followed thing."""
    if kind == "story":
        return base + story_path(target)
    if kind == "outlet":
        return base + outlet_page_path(target)
    if kind == "hashtag":
        return f"{base}/hashtags/{quote(target, safe='')}"
    if kind == "entity":
        return f"{base}/entities/{quote(target, safe='')}"
    return f"{base}/search?q={quote(target)}"
