"""Handles registering, logging in and out, and the account page (follows, feed and API tokens)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..auth import (
    MAX_PASSWORD,
    account_problem,
    end_session,
    hash_password,
    needs_rehash,
    require_user,
    safe_next,
    start_session,
    token_digest,
    verify_password,
)
from ..filters import parse_time
from ..following import follow_urls
from . import checked_form, redirect, render, settings_of, store_of

__all__ = ["account_show", "login_form", "login_submit", "logout_submit", "register_form",
           "register_submit", "token_create", "token_revoke"]

SCOPES = ("read", "write", "feed")


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limited(request: Request, limiter_name: str) -> None:
    wait = getattr(request.app.state, limiter_name).hit(_client(request))
    if wait:
        raise HTTPException(429, "too many attempts from this address; try again in "
                                 f"{int(wait // 60) + 1} minutes",
                            headers={"Retry-After": str(int(wait) + 1)})


async def register_form(request: Request) -> Response:
    """Shows the sign-up form."""
    return render(request, "register.html", {"error": None, "username": "",
                                             "next": safe_next(request.query_params.get("next"))})


async def register_submit(request: Request) -> Response:
    """Creates a reader account and signs it in."""
    form = await checked_form(request)
    username = str(form.get("username") or "").strip()
    password, confirm = str(form.get("password") or ""), str(form.get("confirm") or "")
    target = safe_next(str(form.get("next") or ""))
    error = account_problem(username, password, confirm)
    if error is None:
        _limited(request, "signup_limiter")
        user = await run_in_threadpool(store_of(request).add_user, username,
                                       await run_in_threadpool(hash_password, password))
        if user is not None:
            response = redirect(request, target)
            await start_session(request, response, user)
            return response
        error = f"user name: {username!r} is taken"
    return render(request, "register.html", {"error": error, "username": username,
                                             "next": target}, status_code=400)


async def login_form(request: Request) -> Response:
    """Shows the log-in form."""
    return render(request, "login.html", {"error": None, "username": "",
                                          "next": safe_next(request.query_params.get("next"))})


def _locked(locked_until: str | None) -> datetime | None:
    until = parse_time(locked_until)
    return until if until and until > datetime.now(UTC) else None


async def login_submit(request: Request) -> Response:
    """Checks a user name and password; too many failures lock the account for a while."""
    form = await checked_form(request)
    _limited(request, "login_limiter")
    store, settings = store_of(request), settings_of(request)
    username = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")[:MAX_PASSWORD]
    target = safe_next(str(form.get("next") or ""))
    user = await run_in_threadpool(store.user_by_name, username) if username else None
    stored = await run_in_threadpool(store.password_hash, user.id) if user else None
    ok = await run_in_threadpool(verify_password, stored, password)
    error = "wrong user name or password"
    if user is not None and (until := _locked(user.locked_until)):
        error = (f"this account is locked after {settings.web_login_max_failures} failed logins "
                 f"until {until:%H:%M} UTC")
    elif user is not None and user.disabled:
        error = "this account is disabled"
    elif user is not None:
        lock = datetime.now(UTC) + timedelta(minutes=settings.web_login_lockout_minutes)
        await run_in_threadpool(store.record_login, user.id, ok, settings.web_login_max_failures,
                                lock.replace(microsecond=0).isoformat())
        if ok:
            if stored and needs_rehash(stored):
                await run_in_threadpool(store.set_password, user.id, hash_password(password))
            response = redirect(request, target)
            await start_session(request, response, user)
            return response
    return render(request, "login.html", {"error": error, "username": username, "next": target},
                  status_code=400)


async def logout_submit(request: Request) -> Response:
    """Ends the session (a POST with the CSRF token, so no link can log a reader out)."""
    await checked_form(request)
    response = redirect(request, "/")
    await end_session(request, response)
    return response


def _account_context(request: Request, user_id: int) -> dict:
    store = store_of(request)
    follows = [(kind, target, follow_urls("", kind, target)) for kind, target in store.follows(user_id)]
    return {"tokens": store.list_tokens(user_id), "follows": follows,
            "comments": store.user_comments(user_id, 20), "new_token": None}


async def account_show(request: Request) -> Response:
    """Shows the account: follows, the personal feed, API tokens and recent comments."""
    user = require_user(request)
    context = await run_in_threadpool(_account_context, request, user.id)
    return render(request, "account.html", context)


async def token_create(request: Request) -> Response:
    """Creates an API token (read or write) or a new personal-feed token; shows it once."""
    user = require_user(request)
    form = await checked_form(request)
    scope = str(form.get("scope") or "")
    name = " ".join(str(form.get("name") or "").split())[:80] or scope
    if scope not in SCOPES:
        raise HTTPException(400, f"token: 'scope' must be one of {', '.join(SCOPES)}")
    token = "nd_" + secrets.token_urlsafe(32)
    await run_in_threadpool(store_of(request).add_token, user.id, name, token_digest(token), scope)
    context = await run_in_threadpool(_account_context, request, user.id)
    context["new_token"] = {"value": token, "scope": scope, "name": name}
    response = render(request, "account.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def token_revoke(request: Request) -> Response:
    """Revokes one of the user's tokens."""
    user = require_user(request)
    await checked_form(request)
    try:
        token_id = int(request.path_params["token_id"])
    except ValueError:
        raise HTTPException(404, "no such token") from None
    if not await run_in_threadpool(store_of(request).revoke_token, user.id, token_id):
        raise HTTPException(404, "no such token")
    return redirect(request, "/account")
