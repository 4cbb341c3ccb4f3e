"""Signs readers in and out: argon2 password hashes, server-side sessions, CSRF tokens, roles.

A session cookie holds a random token; the database keeps only its SHA-256, so a leaked
database holds no usable session. CSRF tokens are an HMAC of the session token (signed-in) or of
a random per-browser cookie (signed-out forms: log in, register), so no token is stored at all.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request, cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import Settings
from ..errors import ConfigError
from ..models import User
from ..store.base import Store

__all__ = ["AuthMiddleware", "account_problem", "create_account", "SESSION_COOKIE", "CSRF_COOKIE",
           "check_csrf", "csrf_token",
           "current_user", "end_session", "hash_password", "load_secret", "needs_rehash", "require_user",
           "safe_next", "site_path", "site_root", "start_session", "token_digest", "verify_password"]

SESSION_COOKIE = "nd_session"
CSRF_COOKIE = "nd_csrf"
_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 "low memory" defaults
_dummy_hash: str | None = None


def token_digest(token: str) -> str:
    """Returns the SHA-256 hex digest under which a session or API token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Checks a password; with no stored hash it still spends the time of one check, so that
    an unknown user name cannot be told from a wrong password by timing."""
    global _dummy_hash
    if stored_hash is None:
        _dummy_hash = _dummy_hash or _hasher.hash(secrets.token_hex(16))
        stored_hash, password = _dummy_hash, password + "\0"
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{2,31}")
MIN_PASSWORD, MAX_PASSWORD = 10, 256


def account_problem(username: str, password: str, confirm: str | None = None) -> str | None:
    """Returns what is wrong with a new account's name or password, or None."""
    if not USERNAME.fullmatch(username):
        return ("user name: 3 to 32 letters, digits, dots, dashes or underscores, starting "
                "with a letter or digit")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        return f"password: {MIN_PASSWORD} to {MAX_PASSWORD} characters"
    if password.casefold() == username.casefold():
        return "password: must not be the user name"
    if confirm is not None and password != confirm:
        return "password: the two passwords differ"
    return None


def create_account(store: Store, username: str, password: str, role: str = "reader") -> User:
    """Adds an account (the CLI makes the first admin this way); raises ValueError saying why not."""
    problem = account_problem(username, password)
    if problem is None and role not in ("reader", "editor", "admin"):
        problem = f"role: {role!r} is not reader, editor or admin"
    if problem:
        raise ValueError(problem)
    user = store.add_user(username, hash_password(password), role)
    if user is None:
        raise ValueError(f"user name: {username!r} is taken")
    return user


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def load_secret(store: Store, settings: Settings) -> bytes:
    """Returns the CSRF signing key: from web_secret_file, else a random key kept in the database."""
    if settings.web_secret_file:
        path = Path(settings.web_secret_file)
        try:
            key = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config: web_secret_file {path}: cannot read: {exc}") from None
        if len(key) < 32:
            raise ConfigError(f"config: web_secret_file {path}: key must be 32 characters or more")
        return key.encode("utf-8")
    return store.web_secret("csrf", secrets.token_hex(32)).encode("ascii")


def site_root(scope: Scope) -> str:
    """Returns the path the app is mounted at ("" at the root), also inside a Mount."""
    return scope.get("app_root_path", scope.get("root_path", "")).rstrip("/")


def _below_root(scope: Scope) -> str:
    path, root = scope.get("path", ""), site_root(scope)
    return (path[len(root):] or "/") if root and path.startswith(root) else path


def site_path(request: Request) -> str:
    """Returns the request's path below the site root (what ``next=`` parameters carry)."""
    return _below_root(request.scope)


def _is_https(request_or_scope: Request | Scope) -> bool:
    scope = request_or_scope.scope if isinstance(request_or_scope, Request) else request_or_scope
    return scope.get("scheme") == "https"


def _cookie_attrs(scope: Scope) -> str:
    root = site_root(scope) or "/"
    return f"Path={root}; HttpOnly; SameSite=Lax" + ("; Secure" if _is_https(scope) else "")


class AuthMiddleware:
    """Loads the signed-in user (if any) into ``request.state.user`` and gives every browser a
    CSRF cookie; the JSON API and static files are left alone (the API takes bearer tokens)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _below_root(scope).startswith(("/static/", "/api/")):
            await self.app(scope, receive, send)
            return
        # Starlette's parser, as browsers read cookies: one odd cookie of another app on the
        # same host does not hide ours (http.cookies gives up on the whole header).
        cookies = cookie_parser(MutableHeaders(scope=scope).get("cookie", ""))
        state = scope.setdefault("state", {})
        session = cookies.get(SESSION_COOKIE) or None
        user = None
        if session:
            store = scope["app"].state.store
            user = await run_in_threadpool(store.session_user, token_digest(session))
        state["user"] = user
        state["session_token"] = session if user else None
        browser = cookies.get(CSRF_COOKIE, "")
        fresh = len(browser) < 20
        if fresh:
            browser = secrets.token_urlsafe(24)
        state["browser_token"] = browser

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and fresh:
                MutableHeaders(scope=message).append(
                    "set-cookie", f"{CSRF_COOKIE}={browser}; {_cookie_attrs(scope)}")
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def current_user(request: Request) -> User | None:
    return getattr(request.state, "user", None)


def csrf_token(request: Request) -> str:
    """Returns the CSRF token forms of this page carry."""
    binding = (getattr(request.state, "session_token", None)
               or getattr(request.state, "browser_token", None) or "")
    if not binding:
        return ""
    key = request.app.state.secret
    return hmac.new(key, b"csrf:" + binding.encode("utf-8"), hashlib.sha256).hexdigest()


def check_csrf(request: Request, form) -> None:
    """Raises a 403 unless the form carries this browser's CSRF token."""
    sent = form.get("csrf") if form is not None else None
    expected = csrf_token(request)
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "the form's security token is missing or out of date; "
                                 "reload the page and try again")


def safe_next(value: str | None, default: str = "/") -> str:
    """Returns a same-site path to go to after a form, never another site's URL."""
    if (not value or not value.startswith("/") or value.startswith("//") or "\\" in value
            or any(ord(ch) < 32 for ch in value)):
        return default
    return value


def require_user(request: Request, role: str = "reader") -> User:
    """Returns the signed-in user holding ``role``; sends others to log in, or answers 403."""
    user = current_user(request)
    if user is None:
        if request.method == "GET":
            root = site_root(request.scope)
            target = site_path(request) + (f"?{request.url.query}" if request.url.query else "")
            raise HTTPException(303, headers={"Location": f"{root}/login?next={quote(target)}"})
        raise HTTPException(401, "log in first")
    if not user.can(role):
        raise HTTPException(403, f"this page is for {role}s")
    return user


async def start_session(request: Request, response: Response, user: User) -> None:
    """Signs a user in with a new session token (never one the browser had before: fixation)."""
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    old = getattr(request.state, "session_token", None)
    if old:
        await run_in_threadpool(store.delete_session, token_digest(old))
    token = secrets.token_urlsafe(32)
    days = settings.web_session_days
    expires = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()
    await run_in_threadpool(store.add_session, token_digest(token), user.id, expires)
    root = site_root(request.scope) or "/"
    response.set_cookie(SESSION_COOKIE, token, max_age=days * 86400, path=root, httponly=True,
                        samesite="lax", secure=_is_https(request))
    # The signed-out CSRF cookie is replaced too, so nothing from before the login stays valid.
    response.set_cookie(CSRF_COOKIE, secrets.token_urlsafe(24), path=root, httponly=True,
                        samesite="lax", secure=_is_https(request))


async def end_session(request: Request, response: Response) -> None:
    token = getattr(request.state, "session_token", None)
    if token:
        await run_in_threadpool(request.app.state.store.delete_session, token_digest(token))
    root = site_root(request.scope) or "/"
    response.delete_cookie(SESSION_COOKIE, path=root, httponly=True, samesite="lax",
                           secure=_is_https(request))
