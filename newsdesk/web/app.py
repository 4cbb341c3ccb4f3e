"""Builds the web app around an open store and the settings."""

from __future__ import annotations

from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.templating import Jinja2Templates

from ..config import Settings
from ..store.base import Store
from . import filters
from .auth import AuthMiddleware, load_secret
from .handlers.errors import EXCEPTION_HANDLERS
from .ratelimit import RateLimiter
from .routes import routes
from .security import SecurityHeadersMiddleware

# Per client address, on top of the per-account lockout: judgement calls that let a person
# mistype many times but stop a script guessing at speed.
LOGIN_ATTEMPTS, LOGIN_WINDOW = 20, 15 * 60
SIGNUPS, SIGNUP_WINDOW = 5, 60 * 60

__all__ = ["TEMPLATE_DIR", "create_app"]

TEMPLATE_DIR = Path(__file__).parent / "templates"


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,  # every template is HTML; article text is plain text, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters.install(env)
    return Jinja2Templates(env=env)


def create_app(store: Store, settings: Settings) -> Starlette:
    """Returns the ASGI app serving pages from ``store``; the caller opens and closes the store."""
    app = Starlette(
        routes=routes(),
        middleware=[Middleware(SecurityHeadersMiddleware), Middleware(AuthMiddleware)],
        exception_handlers=dict(EXCEPTION_HANDLERS),
    )
    app.state.store = store
    app.state.settings = settings
    app.state.templates = _templates()
    app.state.secret = load_secret(store, settings)
    app.state.login_limiter = RateLimiter(LOGIN_ATTEMPTS, LOGIN_WINDOW)
    app.state.signup_limiter = RateLimiter(SIGNUPS, SIGNUP_WINDOW)
    return app
