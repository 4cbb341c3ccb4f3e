"""Shares what the JSON API handlers need: bearer-token auth with scopes, paging, JSON bodies.

The API never reads the session cookie, so a page on another site cannot drive it with a
reader's login (no CSRF surface); clients send ``Authorization: Bearer nd_...``.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from ..models import Article, User
from .auth import token_digest
from .filters import article_path, excerpt
from .handlers import query_int

__all__ = ["MAX_BODY", "MAX_PER_PAGE", "api_user", "article_json", "json_body", "page_params", "paged"]

MAX_PER_PAGE = 100
MAX_BODY = 64 * 1024  # a comment is at most 5000 characters; this leaves room for JSON escapes
_SCOPE_RANK = {"read": 0, "write": 1}


async def api_user(request: Request, scope: str, role: str = "reader") -> User:
    """Returns the user of the request's bearer token if it holds ``scope`` (write includes
    read) and ``role``; else 401 (no or bad token) or 403."""
    header = request.headers.get("authorization", "")
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer" or not token.strip() or len(token) > 200:
        raise HTTPException(401, "send an API token as 'Authorization: Bearer <token>'",
                            headers={"WWW-Authenticate": 'Bearer realm="newsdesk"'})
    found = await run_in_threadpool(request.app.state.store.token_user, token_digest(token.strip()))
    if found is None or found[1].scope not in _SCOPE_RANK:
        raise HTTPException(401, "the API token is unknown or revoked",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    user, row = found
    if _SCOPE_RANK[row.scope] < _SCOPE_RANK[scope]:
        raise HTTPException(403, f"the API token's scope is {row.scope}; this needs {scope}")
    if not user.can(role):
        raise HTTPException(403, f"this needs the {role} role")
    return user


def page_params(request: Request) -> tuple[int, int]:
    """Returns (page, per_page) from the query, 400 naming the bad one."""
    return (query_int(request, "page", 1),
            query_int(request, "per_page", 30, maximum=MAX_PER_PAGE))


def paged(request: Request, items: list[Any], page: int, per_page: int) -> JSONResponse:
    """Answers one page; ``items`` holds up to per_page + 1 rows (the extra one means more)."""
    more = len(items) > per_page
    url = request.url
    return JSONResponse({
        "items": items[:per_page], "page": page, "per_page": per_page,
        "next": str(url.include_query_params(page=page + 1)) if more else None,
        "prev": str(url.include_query_params(page=page - 1)) if page > 1 else None,
    })


def article_json(request: Request, article: Article, full: bool = False) -> dict:
    data = article.to_dict()
    base = str(request.base_url).rstrip("/")
    data["html_url"] = base + article_path(article.id)  # ids from archives may hold "?" or "#"
    if not full:
        data.pop("text")
        data["excerpt"] = excerpt(article.text)
    return data


async def json_body(request: Request) -> dict:
    """Returns the request's JSON object, or a 400 / 415 saying what is wrong with it."""
    if "json" not in request.headers.get("content-type", ""):
        raise HTTPException(415, "send a JSON body with Content-Type: application/json")
    # Read in pieces and stop at the cap: request.body() would first take in whatever a
    # client sends, gigabytes included, and any reader may hold a write token.
    declared = request.headers.get("content-length", "")
    too_big = HTTPException(413, f"the JSON body is over {MAX_BODY // 1024} KiB")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY:
        raise too_big
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise too_big
    try:
        body = json.loads(bytes(raw) or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"the body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "the body must be a JSON object")
    return body
