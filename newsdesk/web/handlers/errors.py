"""Turns every exception into an error response: an HTML page, or JSON for API clients.

This is the one place that does so. JSON errors read ``{"error": {"status": N, "message": "..."}}``
and are sent when the path is under /api/ or the client prefers application/json to HTML.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from markupsafe import escape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ...errors import StoreError
from ..auth import site_root
from ..security import apply_security_headers
from . import render

__all__ = ["EXCEPTION_HANDLERS", "error_response", "wants_json"]

log = logging.getLogger(__name__)


def _accept_quality(accept: str, media_type: str) -> float:
    """Returns the q-value the Accept header gives a media type, exact matches only."""
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if fields[0].lower() != media_type:
            continue
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    return float(value)
                except ValueError:
                    return 0.0
        return 1.0
    return 0.0


def wants_json(request: Request) -> bool:
    """Tells whether an error for this request should be JSON rather than an HTML page."""
    path = request.url.path
    root = site_root(request.scope)
    if root and path.startswith(root):
        path = path[len(root):]
    if path == "/api" or path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    json_q = _accept_quality(accept, "application/json")
    return json_q > 0 and json_q > _accept_quality(accept, "text/html")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _fallback_page(status: int, message: str) -> str:
    return (f"<!doctype html><meta charset=utf-8><title>{status} {escape(_reason(status))}"
            f"</title><h1>{status} {escape(_reason(status))}</h1><p>{escape(message)}</p>")


def error_response(request: Request, status: int, message: str,
                   headers: dict[str, str] | None = None) -> Response:
    """Builds the error response for a status and a one-line message."""
    if wants_json(request):
        return JSONResponse({"error": {"status": status, "message": message}},
                            status_code=status, headers=headers)
    try:
        response = render(request, "error.html", {
            "status": status, "reason": _reason(status), "message": message,
        }, status_code=status)
    except Exception:  # the page itself failed: still answer, with a page that cannot fail
        log.exception("web: rendering the error page for status %s failed", status)
        return HTMLResponse(_fallback_page(status, message), status_code=status, headers=headers)
    if headers:
        response.headers.update(headers)
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if isinstance(exc.detail, str) else _reason(exc.status_code)
    if exc.status_code < 400:  # 204, 304 and the like carry no body
        return Response(status_code=exc.status_code, headers=exc.headers)
    return error_response(request, exc.status_code, message, exc.headers)


async def store_error(request: Request, exc: Exception) -> Response:
    log.error("web: %s %s: %s", request.method, request.url.path, exc)
    return error_response(request, 503, "the database is unavailable; try again later")


async def server_error(request: Request, exc: Exception) -> Response:
    # Runs outside every middleware (Starlette's outermost layer), so it adds the headers itself.
    # Starlette re-raises the exception afterwards and the server logs its traceback.
    log.error("web: %s %s failed: %s", request.method, request.url.path, type(exc).__name__)
    response = error_response(request, 500, "internal server error")
    apply_security_headers(response.headers, https=request.url.scheme == "https")
    return response


EXCEPTION_HANDLERS = {
    HTTPException: http_error,
    StoreError: store_error,
    Exception: server_error,
}
