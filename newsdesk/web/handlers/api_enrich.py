"""Handles the API of the enrichment and search layers: /api/v1/entities, /hashtags, /search,
/ask and /wrapup."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...search import SearchFilters, ask, search
from ...store.base import Store
from ..api import MAX_PER_PAGE, article_json, page_params, paged
from . import query_int, query_text, settings_of, store_of
from .entities import ENTITY_TYPES
from .hashtags import clean_tag
from .search import MAX_QUERY, filters_of
from .wrapup import wrapup_of

__all__ = ["ask_get", "entities_list", "entity_get", "hashtag_articles", "hashtags_list",
           "search_get", "wrapup_get"]


async def entities_list(request: Request) -> Response:
    """Lists entities, the most written about first (?type=person|organization|place|other)."""
    page, per_page = page_params(request)
    kind = query_text(request, "type")
    if kind is not None and kind not in ENTITY_TYPES:
        raise HTTPException(400, f"query parameter 'type' must be one of {', '.join(ENTITY_TYPES)}")
    rows = await run_in_threadpool(store_of(request).list_entities, kind, per_page + 1,
                                   (page - 1) * per_page)
    return paged(request, [e.to_dict() for e in rows], page, per_page)


def _entity(store: Store, key: str) -> dict | None:
    entity = store.get_entity(key)
    if entity is None:
        return None
    data = entity.to_dict()
    data["roles"] = [r.to_dict() for r in store.entity_roles(key)]
    data["quotes"] = [q.to_dict() for q in store.entity_quotes(key, 30)]
    data["co_mentioned"] = [{"key": e.key, "name": e.name, "type": e.type, "shared": n}
                            for e, n in store.co_mentioned(key, 10)]
    data["article_ids"] = [a.id for a in store.entity_articles(key, 30)]
    return data


async def entity_get(request: Request) -> Response:
    """Returns an entity with its roles over time, quotes, co-mentions and latest article ids."""
    data = await run_in_threadpool(_entity, store_of(request), request.path_params["key"])
    if data is None:
        raise HTTPException(404, "no entity with this key")
    return JSONResponse(data)


async def hashtags_list(request: Request) -> Response:
    """Lists hashtags with their article counts, most used first (?limit=, default 50)."""
    limit = query_int(request, "limit", 50, maximum=MAX_PER_PAGE * 5)
    rows = await run_in_threadpool(store_of(request).list_hashtags, limit)
    return JSONResponse({"items": [{"tag": t, "articles": n} for t, n in rows]})


async def hashtag_articles(request: Request) -> Response:
    """Lists the articles carrying a hashtag, newest first."""
    tag = clean_tag(request.path_params["tag"])
    page, per_page = page_params(request)
    rows = await run_in_threadpool(store_of(request).hashtag_articles, tag, per_page + 1,
                                   (page - 1) * per_page)
    return paged(request, [article_json(request, a) for a in rows], page, per_page)


def _required_q(request: Request) -> str:
    query = query_text(request, "q", max_length=MAX_QUERY)
    if query is None:
        raise HTTPException(400, "query parameter 'q' is required")
    return query


async def search_get(request: Request) -> Response:
    """Searches the archive (?q=, filters ?outlet= ?hashtag= ?story=, ?limit= up to 100)."""
    query, store = _required_q(request), store_of(request)
    limit = query_int(request, "limit", 20, maximum=MAX_PER_PAGE)
    filters = filters_of(request)
    hits = await run_in_threadpool(lambda: search(store, query, filters=filters, limit=limit,
                                                  settings=settings_of(request)))
    return JSONResponse({"query": query, "items": hits})


async def ask_get(request: Request) -> Response:
    """Answers ?q= from the archive (optionally within ?story=) with its cited sentences."""
    question, store = _required_q(request), store_of(request)
    story = query_text(request, "story")
    result = await run_in_threadpool(lambda: ask(store, question, settings_of(request),
                                                 filters=SearchFilters(story=story)))
    return JSONResponse({"question": question, **result})


async def wrapup_get(request: Request) -> Response:
    """Returns the daily wrap-up of ?date=YYYY-MM-DD (default: the newest day)."""
    return JSONResponse((await wrapup_of(request)).to_dict())
