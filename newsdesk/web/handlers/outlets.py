"""Handles the outlet page: an outlet's counts, its volume over time, stories and latest articles."""

from __future__ import annotations

from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ...store.base import Store
from ..charts import bar_chart
from ..filters import outlet_page_path, parse_time
from ..ranking import top_stories
from . import query_int, render, root_of, settings_of, store_of

__all__ = ["outlet_show"]

CHART_DAYS = 30


def _context(store: Store, name: str, page: int, size: int, user_id: int | None) -> dict | None:
    facts = store.outlet_facts(name)
    if facts is None:
        return None
    rows = store.latest_articles(size + 1, (page - 1) * size, facts["name"])
    newest = parse_time(facts["last"])
    volume = []
    if newest is not None:
        since = (newest - timedelta(days=CHART_DAYS - 1)).date().isoformat()
        by_day = dict(store.daily_volume(since, facts["name"]))
        days = [(newest.date() - timedelta(days=i)).isoformat() for i in range(CHART_DAYS)]
        volume = [(d[5:], by_day.get(d, 0)) for d in reversed(days)]
    following = user_id is not None and ("outlet", facts["name"]) in store.follows(user_id)
    return {"facts": facts, "rows": rows, "volume": volume,
            "stories": top_stories(store, 10, facts["name"]), "following": following}


async def outlet_show(request: Request) -> Response:
    """Shows one outlet: counts, a 30-day volume chart, its top stories and latest articles."""
    name, page = request.path_params["name"], query_int(request, "page", 1)
    size = settings_of(request).page_size
    user = request.state.user
    context = await run_in_threadpool(_context, store_of(request), name, page, size,
                                      user.id if user else None)
    if context is None:
        raise HTTPException(404, "no outlet with this name")
    rows = context.pop("rows")
    if page > 1 and not rows:
        raise HTTPException(404, f"page {page} is past the last page")
    base = root_of(request) + outlet_page_path(context["facts"]["name"])
    return render(request, "outlet.html", {
        **context, "articles": rows[:size], "page": page,
        "chart": bar_chart(context["volume"], f"Articles per day from {name}"),
        "newer_link": (base + (f"?page={page - 1}" if page > 2 else "")) if page > 1 else None,
        "older_link": f"{base}?page={page + 1}" if len(rows) > size else None,
    })
