"""Handles the home page (latest articles, by outlet, paged) and the health check."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import query_int, query_text, render, settings_of, store_of

__all__ = ["health_show", "home_show"]


def _page_link(root: str, page: int, outlet: str | None) -> str:
    params: dict[str, str | int] = {}
    if outlet:
        params["outlet"] = outlet
    if page > 1:
        params["page"] = page
    return f"{root}/" + (f"?{urlencode(params)}" if params else "")


async def home_show(request: Request) -> Response:
    """Shows the latest articles, newest first, one page at a time, optionally from one outlet."""
    store, size = store_of(request), settings_of(request).page_size
    page = query_int(request, "page", 1)
    outlet = query_text(request, "outlet")
    # One extra row tells whether an older page exists without a second count query.
    rows = await run_in_threadpool(store.latest_articles, size + 1, (page - 1) * size, outlet)
    if page > 1 and not rows:
        raise HTTPException(404, f"page {page} is past the last page")
    outlets = await run_in_threadpool(store.list_outlets)
    root = request.scope.get("root_path", "").rstrip("/")
    return render(request, "home.html", {
        "articles": rows[:size],
        "outlets": outlets,
        "outlet": outlet,
        "page": page,
        "newer_link": _page_link(root, page - 1, outlet) if page > 1 else None,
        "older_link": _page_link(root, page + 1, outlet) if len(rows) > size else None,
    })


async def health_show(request: Request) -> Response:
    """Reports that the app is up and can read its database."""
    count = await run_in_threadpool(store_of(request).count_articles)
    return JSONResponse({"status": "ok", "articles": count})
