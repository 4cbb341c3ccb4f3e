"""Handles the feeds out: latest, story, outlet and personal lists as RSS, Atom and JSON Feed,
and the reader's follows as OPML."""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ...ingest.opml import write_opml
from ...store.base import Store
from ..auth import require_user, token_digest
from ..feedsout import FORMATS, FeedInfo, feed_response
from ..filters import outlet_page_path, story_path
from ..following import follow_urls, followed_articles, search_articles
from . import query_text, store_of
from .hashtags import clean_tag

__all__ = ["entity_feed", "hashtag_feed", "latest_feed", "outlet_feed", "personal_feed",
           "search_feed", "story_feed", "following_opml"]

FEED_SIZE = 50


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _fmt(request: Request) -> str:
    fmt = request.path_params["fmt"]
    if fmt not in FORMATS:
        raise HTTPException(404, f"feeds are .rss, .atom or .json, not .{fmt[:20]}")
    return fmt


async def latest_feed(request: Request) -> Response:
    """The latest articles (optionally of one outlet) as a feed."""
    fmt, base = _fmt(request), _base(request)
    outlet = query_text(request, "outlet")
    rows = await run_in_threadpool(store_of(request).latest_articles, FEED_SIZE, 0, outlet)
    title = f"newsdesk: latest from {outlet}" if outlet else "newsdesk: latest news"
    return feed_response(fmt, FeedInfo(title, base + "/", base + "/feed"), rows, base)


async def story_feed(request: Request) -> Response:
    """A story's coverage, newest first, as a feed."""
    fmt, base, store = _fmt(request), _base(request), store_of(request)
    story_id = request.path_params["story_id"]
    story = await run_in_threadpool(store.get_story, story_id)
    if story is None:
        raise HTTPException(404, "no story with this id")
    rows = list(reversed(await run_in_threadpool(store.story_articles, story_id)))[:FEED_SIZE]
    page = base + story_path(story_id)
    return feed_response(fmt, FeedInfo(f"newsdesk story: {story.title}", page, page + "/feed"),
                         rows, base)


async def outlet_feed(request: Request) -> Response:
    """An outlet's latest articles as a feed."""
    fmt, base, store = _fmt(request), _base(request), store_of(request)
    name = request.path_params["name"]
    if await run_in_threadpool(store.outlet_facts, name) is None:
        raise HTTPException(404, "no outlet with this name")
    rows = await run_in_threadpool(store.latest_articles, FEED_SIZE, 0, name)
    page = base + outlet_page_path(name)
    return feed_response(fmt, FeedInfo(f"newsdesk: {name}", page, page + "/feed"), rows, base)


async def hashtag_feed(request: Request) -> Response:
    """A hashtag's articles as a feed."""
    fmt, base, store = _fmt(request), _base(request), store_of(request)
    tag = clean_tag(request.path_params["tag"])
    rows = await run_in_threadpool(store.hashtag_articles, tag, FEED_SIZE)
    page = f"{base}/hashtags/{quote(tag, safe='')}"
    return feed_response(fmt, FeedInfo(f"newsdesk: #{tag}", page, page + "/feed"), rows, base)


async def entity_feed(request: Request) -> Response:
    """The articles naming a person, organisation or place as a feed."""
    fmt, base, store = _fmt(request), _base(request), store_of(request)
    key = request.path_params["key"]
    entity = await run_in_threadpool(store.get_entity, key)
    if entity is None:
        raise HTTPException(404, "no entity with this key")
    rows = await run_in_threadpool(store.entity_articles, key, FEED_SIZE)
    page = f"{base}/entities/{quote(key, safe='')}"
    return feed_response(fmt, FeedInfo(f"newsdesk: {entity.name}", page, page + "/feed"), rows,
                         base)


async def search_feed(request: Request) -> Response:
    """A saved search's results as a feed (?q= as on the search page)."""
    fmt, base, store = _fmt(request), _base(request), store_of(request)
    query = query_text(request, "q", max_length=300)
    if query is None:
        raise HTTPException(400, "query parameter 'q' is required")
    rows = await run_in_threadpool(search_articles, store, query, FEED_SIZE)
    info = FeedInfo(f"newsdesk search: {query}", f"{base}/search?q={quote(query)}",
                    f"{base}/search/feed")
    return feed_response(fmt, info, rows, base)


def _personal(store: Store, token: str):
    found = store.token_user(token_digest(token))
    if found is None or found[1].scope != "feed":
        return None
    return found[0], followed_articles(store, found[0].id, FEED_SIZE)


async def personal_feed(request: Request) -> Response:
    """A reader's followed stories and outlets as a feed, reached by a private token (feed
    readers cannot log in); resetting the token on the account page cuts off the old URL."""
    fmt, base = _fmt(request), _base(request)
    token = request.path_params["token"]
    found = await run_in_threadpool(_personal, store_of(request), token) if len(token) < 100 else None
    if found is None:
        raise HTTPException(404, "no personal feed with this token")
    user, rows = found
    response = feed_response(fmt, FeedInfo(f"newsdesk: followed by {user.username}",
                                           base + "/", f"{base}/me/feed/{token}"), rows, base)
    response.headers["Cache-Control"] = "private, no-store"
    return response


async def following_opml(request: Request) -> Response:
    """Exports the reader's follows as OPML: one newsdesk RSS feed per followed thing."""
    user = require_user(request)
    store, base = store_of(request), _base(request)
    follows = await run_in_threadpool(store.follows, user.id)
    feeds = []
    for kind, target in follows:
        page, title = follow_urls(base, kind, target), target
        feed = (f"{base}/search/feed.rss?q={quote(target)}" if kind == "search"
                else page + "/feed.rss")
        if kind == "story":
            story = await run_in_threadpool(store.get_story, target)
            title = story.title if story else target
        feeds.append((feed, f"{kind}: {title}", page))
    return Response(write_opml(feeds, f"newsdesk: followed by {user.username}"),
                    media_type="text/x-opml; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="{quote(user.username)}-follows.opml"'})
