"""Handles /api/v1/articles and /api/v1/outlets."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...store.base import Store
from ..api import article_json, page_params, paged
from . import query_text, store_of

__all__ = ["article_get", "articles_list", "outlets_list"]


async def articles_list(request: Request) -> Response:
    """Lists articles newest first, optionally from one outlet."""
    page, per_page = page_params(request)
    outlet = query_text(request, "outlet")
    rows = await run_in_threadpool(store_of(request).latest_articles, per_page + 1,
                                   (page - 1) * per_page, outlet)
    return paged(request, [article_json(request, a) for a in rows], page, per_page)


def _article(store: Store, article_id: str):
    article = store.get_article(article_id)
    if article is None:
        return None
    return article, [c.id for c in store.copies_of(article_id)]


async def article_get(request: Request) -> Response:
    """Returns one article with its text, story and the ids of its reprints."""
    found = await run_in_threadpool(_article, store_of(request), request.path_params["article_id"])
    if found is None:
        raise HTTPException(404, "no article with this id")
    article, copies = found
    data = article_json(request, article, full=True)
    data["copies"] = copies
    return JSONResponse(data)


async def outlets_list(request: Request) -> Response:
    """Lists outlets with their article counts, most articles first."""
    rows = await run_in_threadpool(store_of(request).list_outlets)
    return JSONResponse({"items": [{"name": n, "articles": c} for n, c in rows]})
