"""Handles the search page (hybrid search over the archive) and the ask page (an answer built
from cited sentences of the articles)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ...search import SearchFilters, ask, search
from . import query_text, render, settings_of, store_of

__all__ = ["ask_show", "search_show", "SEARCH_LIMIT"]

SEARCH_LIMIT = 30
MAX_QUERY = 300


def filters_of(request: Request) -> SearchFilters:
    """Returns the search filters the query string names (outlet, hashtag, story)."""
    return SearchFilters(outlet=query_text(request, "outlet"),
                         hashtag=query_text(request, "hashtag"),
                         story=query_text(request, "story"))


async def search_show(request: Request) -> Response:
    """Shows the search form and, for a query, the best articles with snippets."""
    query = query_text(request, "q", max_length=MAX_QUERY)
    hits = []
    if query:
        hits = await run_in_threadpool(lambda: search(store_of(request), query,
                                                      filters=filters_of(request),
                                                      limit=SEARCH_LIMIT,
                                                      settings=settings_of(request)))
    user = request.state.user
    following = False
    if user and query:
        follows = await run_in_threadpool(store_of(request).follows, user.id)
        following = ("search", query) in follows
    return render(request, "search.html", {"q": query or "", "hits": hits,
                                           "following": following})


async def ask_show(request: Request) -> Response:
    """Answers a question from the archive with the sentences it rests on (optionally within
    one story), or says that the archive holds no answer."""
    question = query_text(request, "q", max_length=MAX_QUERY)
    if question is None:
        return render(request, "ask.html", {"q": "", "result": None, "story": None})
    story = query_text(request, "story")
    if story and await run_in_threadpool(store_of(request).get_story, story) is None:
        raise HTTPException(404, "no story with this id")
    result = await run_in_threadpool(lambda: ask(store_of(request), question,
                                                 settings_of(request),
                                                 filters=SearchFilters(story=story)))
    return render(request, "ask.html", {"q": question, "result": result, "story": story})
