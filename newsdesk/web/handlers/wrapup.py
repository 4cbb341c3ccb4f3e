"""Handles the daily wrap-up page: a day's top stories with their cited summaries."""

from __future__ import annotations

from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ...wrapup import daily_wrapup
from . import query_text, render, settings_of, store_of

__all__ = ["wrapup_show", "wrapup_of"]


async def wrapup_of(request: Request):
    """Returns the wrap-up of ?date=YYYY-MM-DD (default: the newest day), or a 400."""
    raw = query_text(request, "date", max_length=10)
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        raise HTTPException(400, f"query parameter 'date' must be YYYY-MM-DD, not {raw!r}") from None
    return await run_in_threadpool(daily_wrapup, store_of(request), day, 10, settings_of(request))


async def wrapup_show(request: Request) -> Response:
    """Shows the day's top stories, each with counts, hashtags and summary sentences."""
    return render(request, "wrapup.html", {"wrap": await wrapup_of(request)})
