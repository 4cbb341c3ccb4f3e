"""Tests the JSON API: lists with paging, details, errors, tokens with scopes, comments, follows,
feeds, and that the OpenAPI document lists every API route."""

from __future__ import annotations

import re

import pytest
from starlette.routing import Mount

from newsdesk.store.transfer import TABLES

from .conftest import first_article, first_story, post_form, register


def _token(web, scope: str, name: str = "t") -> str:
    response = post_form(web, "/account", "/account/tokens", {"scope": scope, "name": name})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    if scope == "feed":
        return re.search(r"/me/feed/(nd_[\w-]+)\.rss", response.text).group(1)
    return re.search(r"<code>(nd_[\w-]+)</code>", response.text).group(1)


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_articles_list_pages_and_filters(web, demo_store):
    first = web.get("/api/v1/articles", params={"per_page": 5}).json()
    assert len(first["items"]) == 5 and first["page"] == 1 and first["prev"] is None
    assert "per_page=5" in first["next"] and "page=2" in first["next"]
    item = first["items"][0]
    assert {"id", "title", "outlet", "excerpt", "html_url", "story_id"} <= set(item)
    assert "text" not in item
    second = web.get(first["next"]).json()
    assert {a["id"] for a in second["items"]}.isdisjoint({a["id"] for a in first["items"]})
    outlet = demo_store.list_outlets()[0][0]
    only = web.get("/api/v1/articles", params={"outlet": outlet, "per_page": 100}).json()
    assert only["items"] and {a["outlet"] for a in only["items"]} == {outlet}
    assert only["next"] is None


@pytest.mark.parametrize("params", [{"page": "0"}, {"per_page": "101"}, {"page": "x"}])
def test_bad_paging_is_a_json_400(web, params):
    response = web.get("/api/v1/articles", params=params)
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


def test_article_and_story_details(web, demo_store):
    article = first_article(demo_store)
    data = web.get(f"/api/v1/articles/{article}").json()
    assert data["id"] == article and data["text"] and isinstance(data["copies"], list)
    story = first_story(demo_store)
    detail = web.get(f"/api/v1/stories/{story}").json()
    assert detail["id"] == story and len(detail["articles"]) == detail["articles"].__len__() >= 1
    assert web.get("/api/v1/stories").json()["items"][0]["id"]
    assert web.get("/api/v1/outlets").json()["items"][0]["articles"] >= 1
    for path in ("/api/v1/articles/nope", "/api/v1/stories/nope", "/api/v1/nothing"):
        response = web.get(path)
        assert response.status_code == 404 and response.json()["error"]["status"] == 404


def test_tokens_scopes_and_revocation(web, demo_store):
    register(web, "alice")
    read, write = _token(web, "read"), _token(web, "write")
    me = web.get("/api/v1/me", headers=_auth(read))
    assert me.status_code == 200 and me.json()["username"] == "alice"
    # Stored hashed: the token itself is nowhere in the database.
    dump = "\n".join(repr(tuple(row)) for table, _ in TABLES
                     for row in demo_store._reader().execute(f"SELECT * FROM {table}"))
    assert read not in dump and write not in dump
    article = first_article(demo_store)
    body = {"body": "Posted through the API."}
    denied = web.post(f"/api/v1/articles/{article}/comments", json=body, headers=_auth(read))
    assert denied.status_code == 403 and "scope is read" in denied.json()["error"]["message"]
    posted = web.post(f"/api/v1/articles/{article}/comments", json=body, headers=_auth(write))
    assert posted.status_code == 201 and posted.json()["username"] == "alice"
    assert web.get("/api/v1/me").status_code == 401
    assert web.get("/api/v1/me").headers["www-authenticate"].startswith("Bearer")
    assert web.get("/api/v1/me", headers=_auth("nd_wrong")).status_code == 401
    token_id = demo_store.list_tokens(demo_store.user_by_name("alice").id)[0].id
    assert post_form(web, "/account", f"/account/tokens/{token_id}/revoke", {}).status_code == 303
    assert web.get("/api/v1/me", headers=_auth(read)).status_code == 401


def test_session_cookie_does_not_authorise_the_api(web, demo_store):
    register(web, "bob")
    assert web.get("/api/v1/me").status_code == 401


def test_comment_api_round_trip(web, demo_store):
    register(web, "carol")
    write = _token(web, "write")
    article = first_article(demo_store)
    url = f"/api/v1/articles/{article}/comments"
    first = web.post(url, json={"body": "First."}, headers=_auth(write)).json()
    reply = web.post(url, json={"body": "Reply.", "parent_id": first["id"]}, headers=_auth(write))
    assert reply.status_code == 201 and reply.json()["parent_id"] == first["id"]
    listed = web.get(url).json()["items"]
    assert [c["body"] for c in listed] == ["First.", "Reply."]
    edited = web.patch(f"/api/v1/comments/{first['id']}", json={"body": "First, edited."},
                       headers=_auth(write))
    assert edited.status_code == 200 and edited.json()["edited_at"]
    assert web.delete(f"/api/v1/comments/{first['id']}", headers=_auth(write)).status_code == 204
    assert web.get(url).json()["items"][0]["status"] == "deleted"
    for bad, status in (("not json", 400), ("[1]", 400)):
        response = web.post(url, content=bad, headers={**_auth(write),
                                                       "Content-Type": "application/json"})
        assert response.status_code == status
    assert web.post(url, content="body=x", headers={
        **_auth(write), "Content-Type": "application/x-www-form-urlencoded"}).status_code == 415
    assert web.post(url, json={"body": ""}, headers=_auth(write)).status_code == 400
    assert web.post("/api/v1/articles/nope/comments", json={"body": "x"},
                    headers=_auth(write)).status_code == 404


def test_comment_api_author_only(app, web, demo_store):
    from starlette.testclient import TestClient

    register(web, "dave")
    dave = _token(web, "write")
    article = first_article(demo_store)
    cid = web.post(f"/api/v1/articles/{article}/comments", json={"body": "Mine."},
                   headers=_auth(dave)).json()["id"]
    with TestClient(app) as other:
        register(other, "erin")
        erin = _token(other, "write")
        assert other.patch(f"/api/v1/comments/{cid}", json={"body": "x"},
                           headers=_auth(erin)).status_code == 403
        assert other.delete(f"/api/v1/comments/{cid}", headers=_auth(erin)).status_code == 403


def test_follows_and_feeds_api(web, demo_store):
    register(web, "fay")
    write = _token(web, "write")
    story = first_story(demo_store)
    me = web.post("/api/v1/me/follows", json={"kind": "story", "target": story},
                  headers=_auth(write)).json()
    assert me["follows"] == [{"kind": "story", "target": story}]
    assert web.post("/api/v1/me/follows", json={"kind": "story", "target": "nope"},
                    headers=_auth(write)).status_code == 404
    assert web.post("/api/v1/me/follows", json={"kind": "planet", "target": "x"},
                    headers=_auth(write)).status_code == 400
    gone = web.request("DELETE", "/api/v1/me/follows", json={"kind": "story", "target": story},
                       headers=_auth(write)).json()
    assert gone["follows"] == []
    # Feeds are for admins.
    assert web.get("/api/v1/feeds", headers=_auth(write)).status_code == 403
    demo_store.set_user_role(demo_store.user_by_name("fay").id, "admin")
    added = web.post("/api/v1/feeds", json={"url": "https://news.example/rss"}, headers=_auth(write))
    assert added.status_code == 201 and added.json()["url"] == "https://news.example/rss"
    assert web.post("/api/v1/feeds", json={"url": "file:///etc/passwd"},
                    headers=_auth(write)).status_code == 400
    urls = [f["url"] for f in web.get("/api/v1/feeds", headers=_auth(write)).json()["items"]]
    assert "https://news.example/rss" in urls


def test_openapi_lists_every_api_route(web, app):
    doc = web.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    api = next(r for r in app.routes if isinstance(r, Mount) and r.path == "/api/v1")
    for route in api.routes:
        if route.path == "/openapi.json":
            continue
        for method in route.methods - {"HEAD"}:
            assert method.lower() in doc["paths"][route.path], (method, route.path)
    for path in doc["paths"].values():
        for op in path.values():
            for ref in re.findall(r"#/components/schemas/(\w+)", str(op)):
                assert ref in doc["components"]["schemas"]
