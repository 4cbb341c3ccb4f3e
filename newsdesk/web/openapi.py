"""Describes the JSON API as an OpenAPI 3.1 document (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

__all__ = ["ENDPOINTS", "openapi_document"]

_PAGE = [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
         {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                        "maximum": 100}}]
_OUTLET = {"name": "outlet", "in": "query", "schema": {"type": "string"}}
_Q = {"name": "q", "in": "query", "required": True, "schema": {"type": "string", "maxLength": 300}}


def _path(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


# (method, path, summary, auth scope or None, extra parameters, request body schema name or None,
#  success status, response schema name)
ENDPOINTS: list[tuple[str, str, str, str | None, list, str | None, int, str]] = [
    ("get", "/articles", "List articles, newest first", None, [*_PAGE, _OUTLET], None, 200,
     "ArticlePage"),
    ("get", "/articles/{article_id}", "Get one article with its text", None,
     [_path("article_id")], None, 200, "Article"),
    ("get", "/articles/{article_id}/comments", "List an article's comments", None,
     [_path("article_id")], None, 200, "CommentList"),
    ("post", "/articles/{article_id}/comments", "Post a comment or a reply", "write",
     [_path("article_id")], "NewComment", 201, "Comment"),
    ("patch", "/comments/{comment_id}", "Edit one's own comment", "write",
     [_path("comment_id")], "CommentEdit", 200, "Comment"),
    ("delete", "/comments/{comment_id}", "Delete one's own comment", "write",
     [_path("comment_id")], None, 204, ""),
    ("get", "/stories", "List stories, most recently updated first", None, _PAGE, None, 200,
     "StoryPage"),
    ("get", "/stories/{story_id}", "Get a story with its articles", None, [_path("story_id")],
     None, 200, "StoryDetail"),
    ("get", "/outlets", "List outlets with article counts", None, [], None, 200, "OutletList"),
    ("get", "/feeds", "List followed feeds and their state (admins)", "read", [], None, 200,
     "FeedList"),
    ("post", "/feeds", "Follow a feed (admins)", "write", [], "NewFeed", 201, "Feed"),
    ("get", "/entities", "List people, organisations and places, most written about first",
     None, [*_PAGE, {"name": "type", "in": "query", "schema": {
         "enum": ["person", "organization", "place", "other"]}}], None, 200, "EntityPage"),
    ("get", "/entities/{key}", "Get an entity with roles over time, quotes and co-mentions",
     None, [_path("key")], None, 200, "EntityDetail"),
    ("get", "/hashtags", "List hashtags with article counts", None,
     [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}}], None, 200,
     "HashtagList"),
    ("get", "/hashtags/{tag}/articles", "List a hashtag's articles, newest first", None,
     [_path("tag"), *_PAGE], None, 200, "ArticlePage"),
    ("get", "/search", "Search the archive (BM25 and vectors, fused)", None,
     [_Q, _OUTLET, {"name": "hashtag", "in": "query", "schema": {"type": "string"}},
      {"name": "story", "in": "query", "schema": {"type": "string"}},
      {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                  "maximum": 100}}], None, 200, "SearchResult"),
    ("get", "/ask", "Answer a question with cited sentences", None,
     [_Q, {"name": "story", "in": "query", "schema": {"type": "string"}}], None, 200, "Answer"),
    ("get", "/wrapup", "The daily wrap-up of a UTC day", None,
     [{"name": "date", "in": "query", "schema": {"type": "string", "format": "date"}}], None,
     200, "Wrapup"),
    ("get", "/me", "The token's user and follows", "read", [], None, 200, "Me"),
    ("post", "/me/follows", "Follow a story or an outlet", "write", [], "Follow", 200, "Me"),
    ("delete", "/me/follows", "Unfollow a story or an outlet", "write", [], "Follow", 200, "Me"),
]

_S = {"type": "string"}
_SN = {"type": ["string", "null"]}
_I = {"type": "integer"}


def _obj(props: dict, required: list[str] | None = None) -> dict:
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = required
    return out


def _page_of(item: str) -> dict:
    return _obj({"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
                 "page": _I, "per_page": _I, "next": _SN, "prev": _SN},
                ["items", "page", "per_page", "next", "prev"])


def _list_of(item: dict) -> dict:
    return _obj({"items": {"type": "array", "items": item}}, ["items"])


_ARTICLE = {"id": _S, "title": _S, "url": _SN, "outlet": _SN, "credit": _SN, "byline": _SN,
            "published_at": _SN, "language": _SN, "story_id": _SN, "duplicate_of": _SN,
            "html_url": _S, "excerpt": _S, "text": _S}
_COMMENT = _obj({"id": _I, "article_id": _S, "parent_id": {"type": ["integer", "null"]},
                 "username": _S, "body": _S, "status": {"enum": ["visible", "pending", "deleted",
                                                                  "rejected"]},
                 "created_at": _S, "edited_at": _SN})
_STORY = {"id": _S, "title": _S, "first_seen": _SN, "last_seen": _SN, "articles": _I,
          "outlets": _I, "reprints": _I}
_FEED = _obj({"id": _I, "url": _S, "title": _SN, "paused": {"type": "boolean"},
              "error_count": _I, "last_error": _SN, "next_poll_at": _SN})
_FOLLOW = _obj({"kind": {"enum": ["story", "outlet", "hashtag", "entity", "search"]},
                "target": _S}, ["kind", "target"])
_ENTITY = {"key": _S, "name": _S, "type": _S, "articles": _I, "first_seen": _SN,
           "last_seen": _SN}
_ARRAY = {"type": "array", "items": {"type": "object"}}

SCHEMAS = {
    "Article": _obj(_ARTICLE), "ArticlePage": _page_of("Article"),
    "Comment": _COMMENT, "CommentList": _list_of({"$ref": "#/components/schemas/Comment"}),
    "NewComment": _obj({"body": _S, "parent_id": {"type": ["integer", "null"]}}, ["body"]),
    "CommentEdit": _obj({"body": _S}, ["body"]),
    "Story": _obj(_STORY), "StoryPage": _page_of("Story"),
    "StoryDetail": _obj({**_STORY, "articles": {"type": "array",
                                                "items": {"$ref": "#/components/schemas/Article"}}}),
    "OutletList": _list_of(_obj({"name": _S, "articles": _I})),
    "Feed": _FEED, "FeedList": _list_of({"$ref": "#/components/schemas/Feed"}),
    "NewFeed": _obj({"url": _S}, ["url"]),
    "Follow": _FOLLOW,
    "Entity": _obj(_ENTITY), "EntityPage": _page_of("Entity"),
    "EntityDetail": _obj({**_ENTITY, "roles": _ARRAY, "quotes": _ARRAY, "co_mentioned": _ARRAY,
                          "article_ids": {"type": "array", "items": _S}}),
    "HashtagList": _list_of(_obj({"tag": _S, "articles": _I})),
    "SearchResult": _obj({"query": _S, "items": {"type": "array", "items": _obj({
        "id": _S, "title": _S, "outlet": _SN, "published_at": _SN, "story_id": _SN,
        "score": {"type": "number"}, "snippet": _S, "copies": {"type": "array", "items": _S}})}}),
    "Answer": _obj({"question": _S, "answer": _SN, "citations": {"type": "array", "items": _obj({
        "id": _S, "title": _S, "outlet": _SN, "published_at": _SN, "sentence": _S})}}),
    "Wrapup": _obj({"date": _S, "articles": _I, "stories": _ARRAY}),
    "Me": _obj({"id": _I, "username": _S, "role": {"enum": ["reader", "editor", "admin"]},
                "follows": {"type": "array", "items": _FOLLOW}}),
    "Error": _obj({"error": _obj({"status": _I, "message": _S}, ["status", "message"])},
                  ["error"]),
}


def openapi_document(server_url: str) -> dict:
    """Returns the OpenAPI 3.1 description of /api/v1."""
    paths: dict[str, dict] = {}
    error = {"description": "error", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}
    for method, path, summary, scope, params, body, status, schema in ENDPOINTS:
        op: dict[str, Any] = {"summary": summary, "parameters": params, "responses": {
            str(status): {"description": summary} | ({"content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{schema}"}}}} if schema else {}),
            "4XX": error}}
        if scope:
            op["security"] = [{"token": [scope]}]
            op["description"] = f"Needs an API token with the {scope} scope."
        if body:
            op["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{body}"}}}}
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "newsdesk API", "version": "1",
                 "description": "Articles, stories, outlets, entities, hashtags, search, "
                                "answers, wrap-ups, comments, follows and feeds of a newsdesk. Errors "
                                "are {\"error\": {\"status\", \"message\"}}."},
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": SCHEMAS, "securitySchemes": {"token": {
            "type": "http", "scheme": "bearer",
            "description": "A token made on the account page; read or write scope."}}},
    }
