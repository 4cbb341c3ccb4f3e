"""Handles the article page."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..filters import paragraphs, web_url
from . import render, store_of

__all__ = ["article_show"]


async def article_show(request: Request) -> Response:
    """Shows one article: headline, outlet, credit, byline, time, body and original link."""
    article_id = request.path_params["article_id"]
    article = await run_in_threadpool(store_of(request).get_article, article_id)
    if article is None:
        raise HTTPException(404, "no article with this id")
    return render(request, "article.html", {
        "article": article,
        "paragraphs": paragraphs(article.text),
        "original_url": web_url(article.url),
    })
