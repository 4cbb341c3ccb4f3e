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
from .handlers.errors import EXCEPTION_HANDLERS
from .routes import routes
from .security import SecurityHeadersMiddleware

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
        middleware=[Middleware(SecurityHeadersMiddleware)],
        exception_handlers=dict(EXCEPTION_HANDLERS),
    )
    app.state.store = store
    app.state.settings = settings
    app.state.templates = _templates()
    return app
