"""Handles the story page: coverage grouped by original with reprints folded, a timeline, each
outlet's headlines side by side, and the story's volume over time."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ...models import Article
from ...store.base import Store
from ..charts import bar_chart, buckets
from ..filters import parse_time
from . import render, store_of

__all__ = ["story_show", "fold_copies", "perspectives"]


def fold_copies(articles: list[Article]) -> list[tuple[Article, list[Article]]]:
    """Groups a story's articles as (original, its copies), originals newest first; a copy
    whose original lies outside the list stands as its own entry."""
    ids = {a.id for a in articles}
    copies: dict[str, list[Article]] = {}
    for a in articles:
        if a.duplicate_of in ids:
            copies.setdefault(a.duplicate_of or "", []).append(a)
    originals = [a for a in articles if a.duplicate_of not in ids]
    originals.sort(key=lambda a: a.published_at or "", reverse=True)
    return [(a, copies.get(a.id or "", [])) for a in originals]


def perspectives(articles: list[Article]) -> list[tuple[str, list[Article]]]:
    """Returns each outlet with the articles it ran on the story, outlets with more of their
    own (non-reprint) coverage first, so their framings can be read side by side."""
    by_outlet: dict[str, list[Article]] = {}
    for a in articles:
        by_outlet.setdefault(a.outlet or "Unknown outlet", []).append(a)
    return sorted(by_outlet.items(),
                  key=lambda kv: (-sum(a.duplicate_of is None for a in kv[1]), kv[0].casefold()))


def _context(store: Store, story_id: str, user_id: int | None) -> dict | None:
    story = store.get_story(story_id)
    if story is None:
        return None
    articles = store.story_articles(story_id)
    times = [t for t in (parse_time(a.published_at) for a in articles) if t is not None]
    return {
        "story": story,
        "groups": fold_copies(articles),
        "timeline": articles,
        "by_id": {a.id: a for a in articles},
        "perspectives": perspectives(articles),
        "chart": bar_chart(buckets(times), f"Articles over time on {story.title}"),
        "following": user_id is not None and ("story", story_id) in store.follows(user_id),
        "summary": store.story_summary(story_id),
        "hashtags": store.story_hashtags(story_id),
    }


async def story_show(request: Request) -> Response:
    """Shows a story's title, counts, volume chart, coverage grouped by original, timeline and
    perspectives."""
    user = request.state.user
    context = await run_in_threadpool(_context, store_of(request), request.path_params["story_id"],
                                      user.id if user else None)
    if context is None:
        raise HTTPException(404, "no story with this id")
    return render(request, "story.html", context)
