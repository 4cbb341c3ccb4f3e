"""Handles the article page."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ...models import User
from ...store.base import Store
from ..articleview import article_view
from ..commenting import MAX_BODY, thread
from ..filters import paragraphs, web_url
from . import render, store_of

__all__ = ["article_show"]

RELATED_LIMIT = 8


def _context(store: Store, article_id: str, viewer: User | None) -> dict | None:
    """Reads everything the article page shows, in one worker-thread call."""
    article = store.get_article(article_id)
    if article is None:
        return None
    original = store.get_article(article.duplicate_of) if article.duplicate_of else None
    return {
        "article": article,
        "paragraphs": paragraphs(article.text),
        "view": article_view(article, store),
        "original_url": web_url(article.url),
        "original": original,
        "copies": store.copies_of(article.id or ""),
        "story": store.get_story(article.story_id) if article.story_id else None,
        "related": store.related_articles(article.id or "", RELATED_LIMIT),
        "comments": thread(store.article_comments(article.id or "", viewer.id if viewer else None,
                                                  bool(viewer and viewer.can("editor")))),
        "max_body": MAX_BODY,
    }


async def article_show(request: Request) -> Response:
    """Shows one article: headline, outlet, credit, byline, time, body, original link, the
    outlets that reprinted it, related articles (its story first, then similar stories) and
    the comment threads."""
    context = await run_in_threadpool(_context, store_of(request),
                                      request.path_params["article_id"], request.state.user)
    if context is None:
        raise HTTPException(404, "no article with this id")
    return render(request, "article.html", context)
