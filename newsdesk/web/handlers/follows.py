"""Handles following and unfollowing stories, outlets, hashtags, people and saved searches."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ...store.base import Store
from ..auth import require_user, safe_next
from ..following import FOLLOW_KINDS
from . import checked_form, redirect, store_of

__all__ = ["FOLLOW_KINDS", "follow_submit", "follow_target_exists"]

def follow_target_exists(store: Store, kind: str, target: str) -> bool:
    if kind == "story":
        return store.get_story(target) is not None
    if kind == "outlet":
        return store.outlet_facts(target) is not None
    if kind == "hashtag":
        return bool(store.hashtag_articles(target, 1))
    if kind == "entity":
        return store.get_entity(target) is not None
    return kind == "search" and bool(target.strip())


async def follow_submit(request: Request) -> Response:
    """Follows (on=1) or unfollows (on=0) a story, outlet, hashtag, entity or saved search,
    then goes back to the page."""
    user = require_user(request)
    form = await checked_form(request)
    kind, target = str(form.get("kind") or ""), str(form.get("target") or "")[:300]
    on = str(form.get("on") or "1") != "0"
    if kind not in FOLLOW_KINDS:
        raise HTTPException(400, f"follow: 'kind' must be one of {', '.join(FOLLOW_KINDS)}")
    store = store_of(request)
    if on and not await run_in_threadpool(follow_target_exists, store, kind, target):
        raise HTTPException(404, f"follow: no {kind} {target!r}")
    await run_in_threadpool(store.follow, user.id, kind, target, on)
    return redirect(request, safe_next(str(form.get("next") or ""), "/account"))
