"""Tests registering, logging in and out, sessions, CSRF, lockout and roles."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from newsdesk.web.auth import SESSION_COOKIE, token_digest

from .conftest import PASSWORD, csrf_of, login, make_user, post_form, register


def test_register_signs_in_with_a_secure_session_cookie(web, demo_store):
    response = register(web, "alice")
    assert response.headers["location"] == "/"
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in session and "SameSite=lax" in session and "Path=/" in session
    assert "Secure" not in session  # plain http here; see the https test below
    token = session.split("=", 1)[1].split(";")[0]
    # Only the hash of the token is stored.
    assert demo_store.session_user(token_digest(token)).username == "alice"
    assert demo_store.session_user(token) is None
    page = web.get("/").text
    assert 'href="/account">alice</a>' in page and "Log out" in page
    user = demo_store.user_by_name("alice")
    assert user.role == "reader"
    assert demo_store.password_hash(user.id).startswith("$argon2id$")


def test_cookie_is_secure_behind_https(app):
    with TestClient(app, base_url="https://news.example") as client:
        response = register(client, "bob")
        session = next(c for c in response.headers.get_list("set-cookie")
                       if c.startswith(SESSION_COOKIE))
        assert "Secure" in session


@pytest.mark.parametrize("username,password,confirm,message", [
    ("ab", PASSWORD, PASSWORD, "user name: 3 to 32"),
    ("<script>", PASSWORD, PASSWORD, "user name"),
    ("carol", "short", "short", "password: 10 to 256"),
    ("carol", PASSWORD, PASSWORD + "x", "differ"),
    ("carolcarol", "CarolCarol", "CarolCarol", "must not be the user name"),
])
def test_register_rejects_bad_input(web, username, password, confirm, message):
    response = post_form(web, "/register", "/register",
                         {"username": username, "password": password, "confirm": confirm})
    assert response.status_code == 400
    assert message in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_register_refuses_a_taken_name_in_any_case(web, demo_store):
    make_user(demo_store, "dave")
    response = post_form(web, "/register", "/register",
                         {"username": "DAVE", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 400 and "is taken" in response.text


def test_login_rotates_the_session_and_logout_ends_it(web, demo_store):
    make_user(demo_store, "erin")
    first = login(web, "erin")
    assert first.status_code == 303
    token1 = web.cookies.get(SESSION_COOKIE)
    second = login(web, "erin")
    token2 = web.cookies.get(SESSION_COOKIE)
    assert second.status_code == 303 and token1 != token2
    assert demo_store.session_user(token_digest(token1)) is None  # the old one is gone
    # Logging out needs the CSRF token: a bare POST from another site is refused.
    assert web.post("/logout", follow_redirects=False).status_code == 403
    out = post_form(web, "/", "/logout", {})
    assert out.status_code == 303
    assert demo_store.session_user(token_digest(token2)) is None
    assert "Log in" in web.get("/").text


def test_wrong_password_and_unknown_user_read_the_same(web, demo_store):
    make_user(demo_store, "frank")
    wrong = login(web, "frank", "not the password")
    unknown = login(web, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 400
    assert "wrong user name or password" in wrong.text and "wrong user name or password" in unknown.text


def test_account_locks_after_repeated_failures(web, demo_store, web_settings):
    make_user(demo_store, "gina")
    for _ in range(web_settings.web_login_max_failures):
        assert login(web, "gina", "bad password!").status_code == 400
    locked = login(web, "gina")  # even the right password is refused while locked
    assert locked.status_code == 400 and "locked" in locked.text
    assert SESSION_COOKIE not in (web.cookies.keys())


def test_login_attempts_per_address_are_rate_limited(web, demo_store):
    statuses = [login(web, f"user{i}", "whatever1234").status_code for i in range(21)]
    assert statuses[:20] == [400] * 20 and statuses[20] == 429


def test_login_next_stays_on_this_site(web, demo_store):
    make_user(demo_store, "hana")
    good = post_form(web, "/login?next=/account", "/login",
                     {"username": "hana", "password": PASSWORD, "next": "/account"})
    assert good.headers["location"] == "/account"
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        web.cookies.clear()
        response = post_form(web, "/login", "/login",
                             {"username": "hana", "password": PASSWORD, "next": evil})
        assert response.headers["location"] == "/"


def test_csrf_is_checked_on_every_form(web, demo_store):
    register(web, "ivan")
    article = demo_store.latest_articles(1)[0].id
    for action in ("/logout", f"/articles/{article}/comments", "/follow", "/account/tokens",
                   "/comments/1/delete", "/moderation/1", "/admin/feeds", "/register", "/login"):
        response = web.post(action, data={"csrf": "forged", "body": "x"}, follow_redirects=False)
        assert response.status_code in (403, 401), action


def test_csrf_token_from_another_browser_is_refused(app, demo_store):
    with TestClient(app) as a, TestClient(app) as b:
        token_a = csrf_of(a.get("/register").text)
        csrf_of(b.get("/register").text)
        response = b.post("/register", data={"csrf": token_a, "username": "mallory",
                                             "password": PASSWORD, "confirm": PASSWORD},
                          follow_redirects=False)
        assert response.status_code == 403
        assert demo_store.user_by_name("mallory") is None


def test_pages_need_login_and_roles(web, demo_store):
    for path in ("/account", "/moderation", "/admin"):
        response = web.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"
    register(web, "judy")
    assert web.get("/account").status_code == 200
    assert web.get("/moderation").status_code == 403
    assert web.get("/admin").status_code == 403
    demo_store.set_user_role(demo_store.user_by_name("judy").id, "editor")
    assert web.get("/moderation").status_code == 200
    assert web.get("/admin").status_code == 403
    demo_store.set_user_role(demo_store.user_by_name("judy").id, "admin")
    assert web.get("/admin").status_code == 200


def test_disabled_account_loses_its_session(web, demo_store):
    register(web, "kate")
    demo_store.set_user_disabled(demo_store.user_by_name("kate").id, True)
    assert "Log in" in web.get("/").text
    assert login(web, "kate").status_code == 400


def test_forms_render_with_csrf_and_no_inline_script(web):
    for path in ("/login", "/register"):
        html = web.get(path).text
        assert re.search(r'<input type="hidden" name="csrf" value="[0-9a-f]{64}">', html)
        assert "<script" not in html


def test_personal_pages_are_not_cached(web, demo_store):
    assert "no-store" not in web.get("/").headers.get("cache-control", "")
    assert web.get("/").headers["vary"] == "Cookie"
    assert web.get("/login").headers["cache-control"] == "private, no-store"
    register(web, "lena")
    assert web.get("/").headers["cache-control"] == "private, no-store"
    assert web.get("/account").headers["cache-control"] == "private, no-store"


def test_an_odd_cookie_of_another_app_does_not_log_out(app, demo_store):
    with TestClient(app) as client:
        register(client, "mona")
        token = client.cookies.get(SESSION_COOKIE)
    with TestClient(app) as fresh:
        header = f'other="a\\"b; c"; {SESSION_COOKIE}={token}; theme=dark'
        html = fresh.get("/", headers={"Cookie": header}).text
        assert 'href="/account">mona</a>' in html
