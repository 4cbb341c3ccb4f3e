"""Tests the admin settings page (feeds, outlets, users), OPML export, and the access rules and
security headers of every page route."""

from __future__ import annotations

import pytest
from markupsafe import escape

from newsdesk.ingest.opml import parse_opml
from newsdesk.web.filters import outlet_page_path

from .conftest import first_article, first_story, login, make_user, post_form, register


@pytest.fixture()
def admin(web, demo_store):
    make_user(demo_store, "root", "admin")
    assert login(web, "root").status_code == 303
    return web


def test_admin_adds_pauses_and_sees_feed_errors(admin, demo_store):
    added = post_form(admin, "/admin", "/admin/feeds", {"url": "https://news.example/rss"})
    assert added.status_code == 303
    feed = demo_store.get_feed("https://news.example/rss")
    feed.error_count, feed.last_error = 3, "fetcher: news.example answered 503"
    demo_store.update_feed(feed)
    page = admin.get("/admin").text
    assert "https://news.example/rss" in page and "3: fetcher: news.example answered 503" in page
    assert post_form(admin, "/admin", f"/admin/feeds/{feed.id}", {"paused": "1"}).status_code == 303
    assert demo_store.get_feed("https://news.example/rss").paused
    assert "Resume" in admin.get("/admin").text
    post_form(admin, "/admin", f"/admin/feeds/{feed.id}", {"paused": "0"})
    assert not demo_store.get_feed("https://news.example/rss").paused
    assert post_form(admin, "/admin", "/admin/feeds/9999", {"paused": "1"}).status_code == 404
    for bad in ("javascript:alert(1)", "not a url", "ftp://x.example/feed"):
        response = post_form(admin, "/admin", "/admin/feeds", {"url": bad})
        assert response.status_code == 400 and "not an http(s) URL" in response.text
    opml = admin.get("/admin/feeds.opml")
    assert opml.headers["content-type"].startswith("text/x-opml")
    assert [f.url for f in parse_opml(opml.content)] == ["https://news.example/rss"]


def test_admin_lists_outlets_and_changes_roles(admin, demo_store):
    user = make_user(demo_store, "plainuser")
    page = admin.get("/admin").text
    for name, _ in demo_store.list_outlets():
        assert f'href="{outlet_page_path(name)}">{escape(name)}</a>' in page
    assert "plainuser" in page
    assert post_form(admin, "/admin", f"/admin/users/{user.id}", {"role": "editor"}).status_code == 303
    assert demo_store.get_user(user.id).role == "editor"
    assert post_form(admin, "/admin", f"/admin/users/{user.id}", {"role": "king"}).status_code == 400
    post_form(admin, "/admin", f"/admin/users/{user.id}", {"disabled": "1"})
    assert demo_store.get_user(user.id).disabled
    me = demo_store.user_by_name("root")
    assert post_form(admin, "/admin", f"/admin/users/{me.id}", {"role": "reader"}).status_code == 400
    assert demo_store.get_user(me.id).role == "admin"


def _page_paths(store) -> list[str]:
    return ["/", f"/articles/{first_article(store)}", f"/stories/{first_story(store)}",
            f"/outlets/{store.list_outlets()[0][0]}", "/login", "/register"]


def test_public_pages_for_everyone(web, demo_store):
    for path in _page_paths(demo_store):
        response = web.get(path)
        assert response.status_code == 200, path
        assert "<script" not in response.text and " style=" not in response.text, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path


@pytest.mark.parametrize("path,role", [("/account", "reader"), ("/moderation", "editor"),
                                       ("/admin", "admin"), ("/admin/feeds.opml", "admin"),
                                       ("/me/following.opml", "reader"),
                                       ("/comments/1/edit", "reader")])
def test_private_pages_need_their_role(web, demo_store, path, role):
    response = web.get(path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    if role != "reader":
        register(web, "lowly")
        assert web.get(path).status_code == 403


def test_signed_in_pages_render(admin, demo_store):
    for path in [*_page_paths(demo_store), "/account", "/moderation", "/admin"]:
        response = admin.get(path)
        assert response.status_code == 200, path
        assert "<script" not in response.text, path
        assert 'name="csrf"' in response.text, path  # the log-out form at least


def test_unknown_comment_pages(web, demo_store):
    register(web, "someone")
    assert web.get("/comments/999/edit").status_code == 404
    assert web.get("/comments/abc/edit").status_code == 404
    assert post_form(web, "/", "/comments/999/delete", {}).status_code == 404


def test_app_under_a_path_prefix(app, demo_store):
    """Behind a proxy at /news every link, form, cookie and redirect stays under /news."""
    import re

    from starlette.testclient import TestClient

    with TestClient(app, root_path="/news") as client:
        story = first_story(demo_store)
        for path in ("/", f"/stories/{story}", "/login"):
            html = client.get("/news" + path).text
            links = set(re.findall(r'(?:href|action)="(/[^"]*)"', html))
            assert links and all(link.startswith("/news/") for link in links), path
        response = client.get("/news/account", follow_redirects=False)
        assert response.headers["location"] == "/news/login?next=/account"
        make_user(demo_store, "prefixed")
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/news/login").text).group(1)
        login = client.post("/news/login", data={"csrf": token, "username": "prefixed",
                                                 "password": "correct horse battery",
                                                 "next": "/account"}, follow_redirects=False)
        assert login.headers["location"] == "/news/account"
        assert "Path=/news" in login.headers["set-cookie"]
