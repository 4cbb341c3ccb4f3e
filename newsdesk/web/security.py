"""Adds the security headers (CSP, nosniff, framing, referrer, permissions, HSTS) to responses."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HSTS", "SECURITY_HEADERS", "SecurityHeadersMiddleware", "apply_security_headers"]

# Scripts fall under default-src: files from this origin only, never inline code or event
# attributes, so markup smuggled into an article cannot run even if escaping ever failed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "object-src 'none'; "
    "frame-ancestors 'none'; "
    "base-uri 'none'; "
    "form-action 'self'"
)

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


# Sent only over https (directly, or from a proxy uvicorn trusts for X-Forwarded-Proto): over
# plain http a browser ignores it, and a site tried out on http://localhost must not be pinned.
# A year (the least the HSTS preload list accepts); no includeSubDomains, as other sites may
# share the domain.
HSTS = "max-age=31536000"


def apply_security_headers(headers: MutableHeaders, https: bool = False) -> None:
    """Sets each security header the response does not already set itself (HSTS over https)."""
    for name, value in SECURITY_HEADERS.items():
        if name not in headers:
            headers[name] = value
    if https and "Strict-Transport-Security" not in headers:
        headers["Strict-Transport-Security"] = HSTS


class SecurityHeadersMiddleware:
    """ASGI middleware that adds ``SECURITY_HEADERS`` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                apply_security_headers(MutableHeaders(scope=message),
                                       https=scope.get("scheme") == "https")
            await send(message)

        await self.app(scope, receive, send_with_headers)
