"""Handles /api/v1/stories."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...store.base import Store
from ..api import article_json, page_params, paged
from . import store_of

__all__ = ["stories_list", "story_get"]


async def stories_list(request: Request) -> Response:
    """Lists stories with their counts, most recently updated first."""
    page, per_page = page_params(request)
    rows = await run_in_threadpool(store_of(request).list_stories, per_page + 1,
                                   (page - 1) * per_page)
    return paged(request, [s.to_dict() for s in rows], page, per_page)


def _story(store: Store, story_id: str):
    story = store.get_story(story_id)
    return (story, store.story_articles(story_id)) if story else None


async def story_get(request: Request) -> Response:
    """Returns a story with its articles, oldest first (copies name their original)."""
    found = await run_in_threadpool(_story, store_of(request), request.path_params["story_id"])
    if found is None:
        raise HTTPException(404, "no story with this id")
    story, articles = found
    data = story.to_dict()
    data["articles"] = [article_json(request, a) for a in articles]
    return JSONResponse(data)
