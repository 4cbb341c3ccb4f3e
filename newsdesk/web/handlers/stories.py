"""Handles the story page: all coverage of one story, copies folded under their original."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ...models import Article
from ...store.base import Store
from . import render, store_of

__all__ = ["story_show", "fold_copies"]


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


def _context(store: Store, story_id: str) -> dict | None:
    story = store.get_story(story_id)
    if story is None:
        return None
    return {"story": story, "groups": fold_copies(store.story_articles(story_id))}


async def story_show(request: Request) -> Response:
    """Shows a story's title, counts and coverage grouped by original."""
    context = await run_in_threadpool(_context, store_of(request),
                                      request.path_params["story_id"])
    if context is None:
        raise HTTPException(404, "no story with this id")
    return render(request, "story.html", context)
