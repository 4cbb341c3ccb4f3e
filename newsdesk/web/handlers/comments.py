"""Handles posting, replying to, editing and deleting comments from the article page."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..auth import require_user
from ..commenting import MAX_BODY, delete_comment, edit_comment, post_comment
from ..filters import article_path
from . import checked_form, redirect, render, settings_of, store_of

__all__ = ["comment_create", "comment_delete", "comment_edit_form", "comment_edit_submit"]


def _comment_id(request: Request) -> int:
    raw = request.path_params["comment_id"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        raise HTTPException(404, "no such comment")
    return int(raw)


async def comment_create(request: Request) -> Response:
    """Posts a comment or a reply, then shows it in place (held ones say so to their author)."""
    user = require_user(request)
    form = await checked_form(request)
    article_id = request.path_params["article_id"]
    posted = await run_in_threadpool(post_comment, store_of(request), settings_of(request), user,
                                     article_id, form.get("body"), form.get("parent_id"))
    return redirect(request, f"{article_path(article_id)}#c{posted.id}")


async def comment_edit_form(request: Request) -> Response:
    """Shows the edit form of one's own comment."""
    user = require_user(request)
    comment = await run_in_threadpool(store_of(request).get_comment, _comment_id(request))
    if comment is None or comment.status in ("deleted", "rejected"):
        raise HTTPException(404, "no such comment")
    if comment.user_id != user.id:
        raise HTTPException(403, "only its author can edit this comment")
    return render(request, "comment_edit.html", {"comment": comment, "max_body": MAX_BODY})


async def comment_edit_submit(request: Request) -> Response:
    """Saves an edit; the new text goes through moderation again."""
    user = require_user(request)
    form = await checked_form(request)
    comment_id = _comment_id(request)
    await run_in_threadpool(edit_comment, store_of(request), settings_of(request), user, comment_id,
                            form.get("body"))
    comment = await run_in_threadpool(store_of(request).get_comment, comment_id)
    assert comment is not None
    return redirect(request, f"{article_path(comment.article_id)}#c{comment_id}")


async def comment_delete(request: Request) -> Response:
    """Deletes a comment (its author, or a moderator); replies stay in their thread."""
    user = require_user(request)
    await checked_form(request)
    comment = await run_in_threadpool(delete_comment, store_of(request), user, _comment_id(request))
    return redirect(request, f"{article_path(comment.article_id)}#comments")
