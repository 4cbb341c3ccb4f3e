"""Handles the home page (top stories now, then the latest articles, by outlet or hashtag,
paged; what a signed-in reader follows first) and the health check."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...store.base import Store
from ..filters import parse_time
from ..following import followed_articles
from ..ranking import WINDOW, top_stories
from . import query_int, query_text, render, root_of, settings_of, store_of

__all__ = ["health_show", "home_show"]

TOP_STORIES = 8
FOLLOWED_ARTICLES = 6
HASHTAGS = 12
TAG_SCAN = 500  # a hashtag's articles read for the filtered front page


def _page_link(root: str, page: int, outlet: str | None, tag: str | None = None) -> str:
    params: dict[str, str | int] = {}
    if outlet:
        params["outlet"] = outlet
    if tag:
        params["hashtag"] = tag
    if page > 1:
        params["page"] = page
    return f"{root}/" + (f"?{urlencode(params)}" if params else "")


def _recent_hashtags(store: Store) -> list[tuple[str, int]]:
    """Returns the hashtags of the top stories' window (the three days before the newest article)."""
    newest = parse_time(store.newest_article_time())
    return store.list_hashtags(HASHTAGS, (newest - WINDOW).isoformat()) if newest else []


def _context(store: Store, size: int, page: int, outlet: str | None, tag: str | None,
             user_id: int | None) -> dict:
    follows = store.follows(user_id) if user_id is not None else []
    followed_stories = {t for k, t in follows if k == "story"}
    top = []
    if tag:
        tagged = [a for a in store.hashtag_articles(tag, TAG_SCAN)
                  if not outlet or (a.outlet or "").casefold() == outlet.casefold()]
        rows = tagged[(page - 1) * size:page * size + 1]
        if page == 1:
            stories = {a.story_id for a in tagged}
            top = [s for s in top_stories(store, TAG_SCAN, outlet, followed_stories)
                   if s.id in stories][:TOP_STORIES]
    else:
        # One extra row tells whether an older page exists without a second count query.
        rows = store.latest_articles(size + 1, (page - 1) * size, outlet)
        if page == 1:
            top = top_stories(store, TOP_STORIES, outlet, followed_stories)
    return {
        "rows": rows,
        "outlets": store.list_outlets(),
        "hashtags": _recent_hashtags(store),
        "top": top,
        "story_summaries": {s.id: store.story_summary(s.id)[:1] for s in top},
        "followed_stories": followed_stories,
        "followed": (followed_articles(store, user_id, FOLLOWED_ARTICLES)
                     if follows and page == 1 and not outlet and not tag else []),
    }


async def home_show(request: Request) -> Response:
    """Shows the top stories now and the latest articles, newest first, one page at a time,
    optionally from one outlet; a signed-in reader sees what they follow first."""
    store, size = store_of(request), settings_of(request).page_size
    page = query_int(request, "page", 1)
    outlet, tag = query_text(request, "outlet"), query_text(request, "hashtag")
    tag = tag.lstrip("#") or None if tag else None
    user = request.state.user
    context = await run_in_threadpool(_context, store, size, page, outlet, tag,
                                      user.id if user else None)
    rows = context.pop("rows")
    if page > 1 and not rows:
        raise HTTPException(404, f"page {page} is past the last page")
    root = root_of(request)
    return render(request, "home.html", {
        **context,
        "articles": rows[:size],
        "outlet": outlet,
        "tag": tag,
        "page": page,
        "newer_link": _page_link(root, page - 1, outlet, tag) if page > 1 else None,
        "older_link": _page_link(root, page + 1, outlet, tag) if len(rows) > size else None,
    })


async def health_show(request: Request) -> Response:
    """Reports that the app is up and can read its database."""
    count = await run_in_threadpool(store_of(request).count_articles)
    return JSONResponse({"status": "ok", "articles": count})
