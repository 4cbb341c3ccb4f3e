"""Request handlers, one module per resource, and the helpers they share."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...config import Settings
from ...store.base import Store
from ..auth import check_csrf, csrf_token, current_user, site_path, site_root

__all__ = ["checked_form", "query_int", "query_text", "redirect", "render", "root_of",
           "settings_of", "store_of"]


PRIVATE_TEMPLATES = frozenset({"login.html", "register.html"})


def store_of(request: Request) -> Store:
    return request.app.state.store


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def render(request: Request, name: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> Response:
    """Renders a page template with the request and the app's root path in its context."""
    context = dict(context or {})
    context.setdefault("root", root_of(request))
    context.setdefault("user", current_user(request))
    context.setdefault("csrf", csrf_token(request) if "app" in request.scope else "")
    context.setdefault("path", site_path(request))
    response = request.app.state.templates.TemplateResponse(request, name, context,
                                                            status_code=status_code)
    # Pages differ by session; a signed-in page, or one with a form bound to this browser's
    # CSRF cookie, must never be kept by a shared cache.
    response.headers["Vary"] = "Cookie"
    if context["user"] is not None or name in PRIVATE_TEMPLATES:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def query_int(request: Request, name: str, default: int, *, minimum: int = 1,
              maximum: int = 1_000_000) -> int:
    """Returns an integer query parameter, or raises a 400 naming the parameter."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    # isdigit() alone lets through "²" and other Unicode digits that int() rejects; the length
    # check keeps int() away from the huge strings it refuses to parse.
    if (not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(maximum))
            or not minimum <= int(raw) <= maximum):
        raise HTTPException(400, f"query parameter {name!r} must be a whole number from "
                                 f"{minimum} to {maximum}")
    return int(raw)


def query_text(request: Request, name: str, *, max_length: int = 200) -> str | None:
    """Returns a trimmed text query parameter (None when absent or empty), or raises a 400."""
    raw = request.query_params.get(name)
    if raw is None or not raw.strip():
        return None
    if len(raw) > max_length or any(ord(ch) < 32 for ch in raw):
        raise HTTPException(400, f"query parameter {name!r} must be at most {max_length} "
                                 "printable characters")
    return raw.strip()


def root_of(request: Request) -> str:
    return site_root(request.scope)


def redirect(request: Request, path: str) -> Response:
    """Answers a form post with 303 See Other to a path of this site (POST-redirect-GET)."""
    return RedirectResponse(root_of(request) + path, status_code=303)


async def checked_form(request: Request) -> FormData:
    """Returns the posted form once its CSRF token checks out; forms are small, so the parser
    refuses large ones (a 400) before reading them into memory."""
    form = await request.form(max_files=0, max_fields=50, max_part_size=64 * 1024)
    check_csrf(request, form)
    return form
