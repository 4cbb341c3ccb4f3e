"""Handles /api/v1/me (the token's user and follows) and /api/v1/feeds (admins)."""

from __future__ import annotations

import dataclasses

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..api import api_user, json_body
from . import store_of
from .admin import add_feed
from .follows import FOLLOW_KINDS, follow_target_exists

__all__ = ["feeds_add", "feeds_list", "follows_change", "me_show"]


async def me_show(request: Request) -> Response:
    """Returns the token's user and what they follow."""
    user = await api_user(request, "read")
    follows = await run_in_threadpool(store_of(request).follows, user.id)
    return JSONResponse({"id": user.id, "username": user.username, "role": user.role,
                         "follows": [{"kind": k, "target": t} for k, t in follows]})


async def follows_change(request: Request) -> Response:
    """Follows (POST) or unfollows (DELETE) {"kind": "story"|"outlet"|"hashtag"|"entity"|
    "search", "target": "..."}."""
    user = await api_user(request, "write")
    body = await json_body(request)
    kind, target = body.get("kind"), body.get("target")
    if kind not in FOLLOW_KINDS or not isinstance(target, str) or not target:
        raise HTTPException(400, f"follow: 'kind' must be one of {', '.join(FOLLOW_KINDS)} and "
                                 "'target' a non-empty string")
    store, on = store_of(request), request.method == "POST"
    if on and not await run_in_threadpool(follow_target_exists, store, kind, target):
        raise HTTPException(404, f"follow: no {kind} {target!r}")
    await run_in_threadpool(store.follow, user.id, kind, target, on)
    return await me_show(request)


async def feeds_list(request: Request) -> Response:
    """Lists followed feeds with their polling state and errors (admins)."""
    await api_user(request, "read", "admin")
    feeds = await run_in_threadpool(store_of(request).list_feeds)
    return JSONResponse({"items": [dataclasses.asdict(f) for f in feeds]})


async def feeds_add(request: Request) -> Response:
    """Follows a feed: {"url": "https://..."} (admins); 201."""
    await api_user(request, "write", "admin")
    body = await json_body(request)
    if not isinstance(body.get("url"), str):
        raise HTTPException(400, "feed: 'url' must be a string")
    feed = await run_in_threadpool(add_feed, store_of(request), body["url"])
    return JSONResponse(dataclasses.asdict(feed), status_code=201)
