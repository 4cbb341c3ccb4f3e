"""Handles the moderation queue: held comments with the rules they broke; approve or reject."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..auth import require_user
from . import checked_form, redirect, render, store_of

__all__ = ["queue_show", "queue_decide"]

ACTIONS = {"approve": "visible", "reject": "rejected"}


async def queue_show(request: Request) -> Response:
    """Lists held comments, oldest first, each with why it was held (editors and admins)."""
    require_user(request, "editor")
    held = await run_in_threadpool(store_of(request).moderation_queue, 200)
    return render(request, "moderation.html", {"held": held})


async def queue_decide(request: Request) -> Response:
    """Approves (shows) or rejects (hides for good) one held comment."""
    require_user(request, "editor")
    form = await checked_form(request)
    action = str(form.get("action") or "")
    if action not in ACTIONS:
        raise HTTPException(400, "moderation: 'action' must be approve or reject")
    raw = request.path_params["comment_id"]
    comment = (await run_in_threadpool(store_of(request).get_comment, int(raw))
               if raw.isascii() and raw.isdigit() and len(raw) < 13 else None)
    if comment is None or comment.status != "pending":
        raise HTTPException(404, "moderation: no held comment with this number")
    await run_in_threadpool(store_of(request).set_comment_status, comment.id, ACTIONS[action])
    return redirect(request, "/moderation")
