"""Handles the admin settings page: feeds (add, pause, errors), outlets and users (roles)."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ...ingest.opml import write_opml
from ...models import ROLES
from ...store.base import Store
from ..auth import require_user
from . import checked_form, redirect, render, store_of

__all__ = ["add_feed", "admin_add_feed", "admin_show", "feed_update", "feeds_opml", "user_update",
           "valid_feed_url"]


def valid_feed_url(url: str) -> str:
    """Returns a trimmed http(s) feed URL or raises a 400 naming it (the crawler's network
    guard still checks every address it fetches)."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000 or any(
            ch.isspace() for ch in url):
        raise HTTPException(400, f"feed: {url[:100]!r} is not an http(s) URL")
    return url


def add_feed(store: Store, url: str):
    return store.add_feed(valid_feed_url(url))


def _context(store: Store) -> dict:
    return {"feeds": store.list_feeds(), "outlets": store.list_outlets(),
            "users": store.list_users(), "roles": ROLES}


async def admin_show(request: Request) -> Response:
    """Shows feeds with their errors, outlets with counts, and users with their roles."""
    require_user(request, "admin")
    return render(request, "admin.html", await run_in_threadpool(_context, store_of(request)))


async def admin_add_feed(request: Request) -> Response:
    """Follows a new feed; the next crawl polls it."""
    require_user(request, "admin")
    form = await checked_form(request)
    await run_in_threadpool(add_feed, store_of(request), str(form.get("url") or ""))
    return redirect(request, "/admin#feeds")


def _set_paused(store: Store, feed_id: int, paused: bool) -> bool:
    for feed in store.list_feeds():
        if feed.id == feed_id:
            feed.paused = paused
            store.update_feed(feed)
            return True
    return False


async def feed_update(request: Request) -> Response:
    """Pauses or resumes a feed."""
    require_user(request, "admin")
    form = await checked_form(request)
    raw = request.path_params["feed_id"]
    paused = str(form.get("paused") or "") == "1"
    if not (raw.isascii() and raw.isdigit() and len(raw) < 13) or not await run_in_threadpool(
            _set_paused, store_of(request), int(raw), paused):
        raise HTTPException(404, "feed: no feed with this number")
    return redirect(request, "/admin#feeds")


async def user_update(request: Request) -> Response:
    """Changes a user's role or disables the account (never one's own: an admin cannot lock
    the site out of its last admin by mistake)."""
    admin = require_user(request, "admin")
    form = await checked_form(request)
    raw = request.path_params["user_id"]
    store = store_of(request)
    target = (await run_in_threadpool(store.get_user, int(raw))
              if raw.isascii() and raw.isdigit() and len(raw) < 13 else None)
    if target is None:
        raise HTTPException(404, "user: no user with this number")
    if target.id == admin.id:
        raise HTTPException(400, "user: admins cannot change their own role or account here")
    role = str(form.get("role") or target.role)
    if role not in ROLES:
        raise HTTPException(400, f"user: 'role' must be one of {', '.join(ROLES)}")
    await run_in_threadpool(store.set_user_role, target.id, role)
    if "disabled" in form:
        await run_in_threadpool(store.set_user_disabled, target.id, form.get("disabled") == "1")
    return redirect(request, "/admin#users")


async def feeds_opml(request: Request) -> Response:
    """Exports the feeds being followed as OPML (admins; feed URLs may carry private keys)."""
    require_user(request, "admin")
    feeds = await run_in_threadpool(store_of(request).list_feeds)
    return Response(write_opml([(f.url, f.title, f.site_url) for f in feeds]),
                    media_type="text/x-opml; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="newsdesk-feeds.opml"'})
