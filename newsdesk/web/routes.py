"""Declares every route of the web app in one table."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from .handlers import articles, home, stories

__all__ = ["STATIC_DIR", "routes"]

STATIC_DIR = Path(__file__).parent / "static"


def routes() -> list[BaseRoute]:
    """Returns the route table: path, handler, name."""
    return [
        Route("/", home.home_show, name="home", methods=["GET"]),
        Route("/articles/{article_id}", articles.article_show, name="article", methods=["GET"]),
        Route("/stories/{story_id}", stories.story_show, name="story", methods=["GET"]),
        Route("/healthz", home.health_show, name="healthz", methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
