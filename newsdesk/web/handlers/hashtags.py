"""Handles the hashtag pages: the tags in use, and one tag's articles and stories."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ...store.base import Store
from ..filters import parse_time
from . import query_int, render, settings_of, store_of

__all__ = ["hashtag_show", "hashtags_list", "clean_tag"]

RECENT = timedelta(days=7)


def clean_tag(raw: str) -> str:
    """Returns a tag from a path or a form, "#" dropped; a 404 when nothing usable is left."""
    tag = raw.strip().lstrip("#")
    if not tag or len(tag) > 100 or any(ch.isspace() or ord(ch) < 32 for ch in tag):
        raise HTTPException(404, "no such hashtag")
    return tag


def _list_context(store: Store) -> dict:
    newest = parse_time(store.newest_article_time())
    recent = store.list_hashtags(40, (newest - RECENT).isoformat()) if newest else []
    return {"recent": recent, "all_time": store.list_hashtags(80)}


async def hashtags_list(request: Request) -> Response:
    """Lists the hashtags of the last week of news and of all time, with article counts."""
    return render(request, "hashtags.html", await run_in_threadpool(_list_context, store_of(request)))


def _tag_context(store: Store, tag: str, page: int, size: int, user_id: int | None) -> dict:
    rows = store.hashtag_articles(tag, size + 1, (page - 1) * size)
    by_story = Counter(a.story_id for a in rows if a.story_id)
    stories = [s for s in (store.get_story(sid) for sid, _ in by_story.most_common(6)) if s]
    following = user_id is not None and ("hashtag", tag) in store.follows(user_id)
    return {"rows": rows, "stories": stories, "following": following}


async def hashtag_show(request: Request) -> Response:
    """Shows a hashtag's articles, newest first, and the stories they belong to."""
    tag = clean_tag(request.path_params["tag"])
    page, size = query_int(request, "page", 1), settings_of(request).page_size
    user = request.state.user
    context = await run_in_threadpool(_tag_context, store_of(request), tag, page, size,
                                      user.id if user else None)
    rows = context.pop("rows")
    if not rows and page == 1:
        raise HTTPException(404, f"no articles carry #{tag}")
    if not rows:
        raise HTTPException(404, f"page {page} is past the last page")
    return render(request, "hashtag.html", {
        **context, "tag": tag, "articles": rows[:size], "page": page,
        "newer_link": f"?page={page - 1}" if page > 1 else None,
        "older_link": f"?page={page + 1}" if len(rows) > size else None})
