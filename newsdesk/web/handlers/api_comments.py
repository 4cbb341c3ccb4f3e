"""Handles /api/v1/articles/{id}/comments and /api/v1/comments/{id}."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...models import Comment
from ..api import api_user, json_body
from ..commenting import delete_comment, edit_comment, post_comment
from . import settings_of, store_of

__all__ = ["comment_delete", "comment_patch", "comments_list", "comment_post"]

_PUBLIC = ("id", "article_id", "parent_id", "username", "body", "status", "created_at",
           "edited_at")


def comment_json(c: Comment) -> dict:
    return {k: getattr(c, k) for k in _PUBLIC}


async def comments_list(request: Request) -> Response:
    """Lists an article's visible comments (deleted ones keep their place, without text)."""
    store, article_id = store_of(request), request.path_params["article_id"]
    if await run_in_threadpool(store.get_article, article_id) is None:
        raise HTTPException(404, "no article with this id")
    rows = await run_in_threadpool(store.article_comments, article_id)
    return JSONResponse({"items": [comment_json(c) for c in rows]})


async def comment_post(request: Request) -> Response:
    """Posts a comment or reply: {"body": "...", "parent_id": 12}; 201, status says whether
    it shows at once or waits for a moderator."""
    user = await api_user(request, "write")
    body = await json_body(request)
    store = store_of(request)
    posted = await run_in_threadpool(post_comment, store, settings_of(request), user,
                                     request.path_params["article_id"], body.get("body"),
                                     body.get("parent_id"))
    comment = await run_in_threadpool(store.get_comment, posted.id)
    assert comment is not None
    return JSONResponse(comment_json(comment), status_code=201)


def _comment_id(request: Request) -> int:
    raw = request.path_params["comment_id"]
    if not (raw.isascii() and raw.isdigit() and len(raw) < 13):
        raise HTTPException(404, "no comment with this id")
    return int(raw)


async def comment_patch(request: Request) -> Response:
    """Edits one's own comment: {"body": "..."}."""
    user = await api_user(request, "write")
    body = await json_body(request)
    store, comment_id = store_of(request), _comment_id(request)
    await run_in_threadpool(edit_comment, store, settings_of(request), user, comment_id,
                            body.get("body"))
    comment = await run_in_threadpool(store.get_comment, comment_id)
    assert comment is not None
    return JSONResponse(comment_json(comment))


async def comment_delete(request: Request) -> Response:
    """Deletes one's own comment (or any, for editors); 204."""
    user = await api_user(request, "write")
    await run_in_threadpool(delete_comment, store_of(request), user, _comment_id(request))
    return Response(status_code=204)
