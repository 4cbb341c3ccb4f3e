"""Declares every route of the web app in one table."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from .handlers import (
    accounts,
    admin,
    api_articles,
    api_comments,
    api_enrich,
    api_me,
    api_stories,
    articles,
    comments,
    entities,
    feeds,
    follows,
    hashtags,
    home,
    moderation,
    outlets,
    search,
    stories,
    wrapup,
)
from .openapi import openapi_document

__all__ = ["STATIC_DIR", "routes"]

STATIC_DIR = Path(__file__).parent / "static"
GET, POST = ["GET"], ["POST"]


async def openapi_show(request: Request) -> Response:
    """Serves the OpenAPI document of /api/v1."""
    return JSONResponse(openapi_document(str(request.base_url).rstrip("/") + "/api/v1"))


def _api() -> list[BaseRoute]:
    return [
        Route("/openapi.json", openapi_show, methods=GET),
        Route("/articles", api_articles.articles_list, methods=GET),
        Route("/articles/{article_id}", api_articles.article_get, methods=GET),
        Route("/articles/{article_id}/comments", api_comments.comments_list, methods=GET),
        Route("/articles/{article_id}/comments", api_comments.comment_post, methods=POST),
        Route("/comments/{comment_id}", api_comments.comment_patch, methods=["PATCH"]),
        Route("/comments/{comment_id}", api_comments.comment_delete, methods=["DELETE"]),
        Route("/stories", api_stories.stories_list, methods=GET),
        Route("/stories/{story_id}", api_stories.story_get, methods=GET),
        Route("/outlets", api_articles.outlets_list, methods=GET),
        Route("/feeds", api_me.feeds_list, methods=GET),
        Route("/feeds", api_me.feeds_add, methods=POST),
        Route("/entities", api_enrich.entities_list, methods=GET),
        Route("/entities/{key}", api_enrich.entity_get, methods=GET),
        Route("/hashtags", api_enrich.hashtags_list, methods=GET),
        Route("/hashtags/{tag}/articles", api_enrich.hashtag_articles, methods=GET),
        Route("/search", api_enrich.search_get, methods=GET),
        Route("/ask", api_enrich.ask_get, methods=GET),
        Route("/wrapup", api_enrich.wrapup_get, methods=GET),
        Route("/me", api_me.me_show, methods=GET),
        Route("/me/follows", api_me.follows_change, methods=["POST", "DELETE"]),
    ]


def routes() -> list[BaseRoute]:
    """Returns the route table: path, handler, name."""
    return [
        # Reading
        Route("/", home.home_show, name="home", methods=GET),
        Route("/articles/{article_id}", articles.article_show, name="article", methods=GET),
        Route("/stories/{story_id}", stories.story_show, name="story", methods=GET),
        Route("/outlets/{name}", outlets.outlet_show, name="outlet", methods=GET),
        Route("/entities", entities.entities_list, name="entities", methods=GET),
        Route("/entities/{key}", entities.entity_show, name="entity", methods=GET),
        Route("/hashtags", hashtags.hashtags_list, name="hashtags", methods=GET),
        Route("/hashtags/{tag}", hashtags.hashtag_show, name="hashtag", methods=GET),
        Route("/search", search.search_show, name="search", methods=GET),
        Route("/ask", search.ask_show, name="ask", methods=GET),
        Route("/wrapup", wrapup.wrapup_show, name="wrapup", methods=GET),
        Route("/healthz", home.health_show, name="healthz", methods=GET),
        # Feeds out
        Route("/feed.{fmt}", feeds.latest_feed, name="feed", methods=GET),
        Route("/stories/{story_id}/feed.{fmt}", feeds.story_feed, name="story_feed", methods=GET),
        Route("/outlets/{name}/feed.{fmt}", feeds.outlet_feed, name="outlet_feed", methods=GET),
        Route("/entities/{key}/feed.{fmt}", feeds.entity_feed, methods=GET),
        Route("/hashtags/{tag}/feed.{fmt}", feeds.hashtag_feed, methods=GET),
        Route("/search/feed.{fmt}", feeds.search_feed, methods=GET),
        Route("/me/feed/{token}.{fmt}", feeds.personal_feed, name="personal_feed", methods=GET),
        Route("/me/following.opml", feeds.following_opml, name="following_opml", methods=GET),
        # Accounts
        Route("/register", accounts.register_form, name="register", methods=GET),
        Route("/register", accounts.register_submit, methods=POST),
        Route("/login", accounts.login_form, name="login", methods=GET),
        Route("/login", accounts.login_submit, methods=POST),
        Route("/logout", accounts.logout_submit, name="logout", methods=POST),
        Route("/account", accounts.account_show, name="account", methods=GET),
        Route("/account/tokens", accounts.token_create, methods=POST),
        Route("/account/tokens/{token_id}/revoke", accounts.token_revoke, methods=POST),
        Route("/follow", follows.follow_submit, name="follow", methods=POST),
        # Comments and moderation
        Route("/articles/{article_id}/comments", comments.comment_create, methods=POST),
        Route("/comments/{comment_id}/edit", comments.comment_edit_form, methods=GET),
        Route("/comments/{comment_id}/edit", comments.comment_edit_submit, methods=POST),
        Route("/comments/{comment_id}/delete", comments.comment_delete, methods=POST),
        Route("/moderation", moderation.queue_show, name="moderation", methods=GET),
        Route("/moderation/{comment_id}", moderation.queue_decide, methods=POST),
        # Admin settings
        Route("/admin", admin.admin_show, name="admin", methods=GET),
        Route("/admin/feeds", admin.admin_add_feed, methods=POST),
        Route("/admin/feeds.opml", admin.feeds_opml, methods=GET),
        Route("/admin/feeds/{feed_id}", admin.feed_update, methods=POST),
        Route("/admin/users/{user_id}", admin.user_update, methods=POST),
        # JSON API
        Mount("/api/v1", routes=_api()),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
