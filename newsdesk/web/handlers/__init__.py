"""Request handlers, one module per resource, and the helpers they share."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ...config import Settings
from ...store.base import Store

__all__ = ["query_int", "query_text", "render", "settings_of", "store_of"]


def store_of(request: Request) -> Store:
    return request.app.state.store


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def render(request: Request, name: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> Response:
    """Renders a page template with the request and the app's root path in its context."""
    context = dict(context or {})
    context.setdefault("root", request.scope.get("root_path", "").rstrip("/"))
    return request.app.state.templates.TemplateResponse(request, name, context,
                                                        status_code=status_code)


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
