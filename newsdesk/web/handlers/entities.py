"""Handles the entity pages: people, organisations and places, with roles over time, quotes,
stories, co-mentioned entities and a mentions chart."""

from __future__ import annotations

from collections import Counter

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ...store.base import Store
from ..charts import bar_chart, buckets
from ..filters import parse_time
from . import query_int, query_text, render, store_of

__all__ = ["ENTITY_TYPES", "entities_list", "entity_show"]

ENTITY_TYPES = ("person", "organization", "place", "other")
PAGE = 60
SCANNED = 300  # articles read for the chart and the story list: months of a busy name


def _entity_context(store: Store, key: str, user_id: int | None) -> dict | None:
    entity = store.get_entity(key)
    if entity is None:
        return None
    scanned = store.entity_articles(key, SCANNED)
    by_story = Counter(a.story_id for a in scanned if a.story_id)
    stories = [s for s in (store.get_story(sid) for sid, _ in by_story.most_common(8)) if s]
    times = [t for t in (parse_time(a.published_at) for a in scanned) if t is not None]
    return {
        "entity": entity,
        "roles": store.entity_roles(key),
        "quotes": store.entity_quotes(key, 20),
        "co_mentioned": store.co_mentioned(key, 10),
        "stories": stories,
        "articles": scanned[:20],
        "titles": {a.id: a.title for a in scanned},
        "chart": bar_chart(buckets(times), f"Articles naming {entity.name}"),
        "following": user_id is not None and ("entity", key) in store.follows(user_id),
    }


async def entity_show(request: Request) -> Response:
    """Shows one entity: roles over time with their articles, quotes, stories, co-mentions."""
    user = request.state.user
    context = await run_in_threadpool(_entity_context, store_of(request),
                                      request.path_params["key"], user.id if user else None)
    if context is None:
        raise HTTPException(404, "no entity with this key")
    return render(request, "entity.html", context)


async def entities_list(request: Request) -> Response:
    """Lists the entities most written about, optionally of one type."""
    kind = query_text(request, "type")
    if kind is not None and kind not in ENTITY_TYPES:
        raise HTTPException(400, f"query parameter 'type' must be one of {', '.join(ENTITY_TYPES)}")
    page = query_int(request, "page", 1)
    rows = await run_in_threadpool(store_of(request).list_entities, kind, PAGE + 1, (page - 1) * PAGE)
    base = "/entities" + (f"?type={kind}&" if kind else "?")
    return render(request, "entities.html", {
        "entities": rows[:PAGE], "kind": kind, "types": ENTITY_TYPES, "page": page,
        "newer_link": f"{base}page={page - 1}" if page > 1 else None,
        "older_link": f"{base}page={page + 1}" if len(rows) > PAGE else None})
