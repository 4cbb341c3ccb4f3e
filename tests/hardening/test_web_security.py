"""Tests the web app's security rules, one test per rule: CSRF on every state-changing route
(enumerated from the route table), session fixation, cookie flags, login rate limit and lockout,
access rules, scoped and revocable API tokens, and parameterised SQL in every store module."""

from __future__ import annotations

import ast
import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from newsdesk.web.app import LOGIN_ATTEMPTS, SIGNUPS
from newsdesk.web.auth import CSRF_COOKIE, SESSION_COOKIE, token_digest
from newsdesk.web.ratelimit import RateLimiter

# The web fixtures are imported by name so that pytest finds them here; their parameters then
# "redefine" the imports, which is how pytest fixtures work.
# ruff: noqa: F401, F811
from tests.web.conftest import (
    PASSWORD,
    app,
    csrf_of,
    demo_db,
    demo_pg,
    demo_store,
    first_article,
    login,
    make_user,
    post_form,
    web,
    web_settings,
)

ROOT = Path(__file__).resolve().parents[2]
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
WEB_TABLES = ("users", "sessions", "comments", "api_tokens", "follows", "feeds")


# --- helpers ----------------------------------------------------------------------------


def signed_in(app, store, username: str, role: str = "reader") -> TestClient:
    """Returns a client holding a fresh session of a new user (no login form, so the per-address
    login limit never gets in the way of tests that need many users)."""
    user = make_user(store, username, role)
    token = secrets.token_urlsafe(32)
    expires = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()
    store.add_session(token_digest(token), user.id, expires)
    client = TestClient(app)
    client.cookies.set(SESSION_COOKIE, token)
    client.user = user
    return client


def web_state(store, *, bookkeeping: bool = True) -> list:
    """Returns every row of the web tables, to show that a refused request changed nothing;
    without ``bookkeeping`` a token's last-used time is left out (reading a feed sets it)."""
    conn = store._writer
    columns = {"api_tokens": "id, user_id, name, token_hash, scope, created_at, revoked_at"}
    return [list(map(tuple, conn.execute(
        f"SELECT {'*' if bookkeeping else columns.get(t, '*')} FROM {t} ORDER BY 1")))
        for t in WEB_TABLES]


def write_routes(app) -> list[tuple[str, str]]:
    """Returns (method, path template) of every state-changing route in the app's table."""
    found = []

    def walk(routes, prefix):
        for route in routes:
            if isinstance(route, Mount):
                walk(route.routes, prefix + route.path)
            elif isinstance(route, Route):
                for method in sorted((route.methods or set()) & WRITE_METHODS):
                    found.append((method, prefix + route.path))

    walk(app.routes, "")
    return found


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def set_cookies(response, name: str) -> list[str]:
    return [c for c in response.headers.get_list("set-cookie") if c.startswith(name + "=")]


def cookie_value(header: str) -> str:
    return header.split("=", 1)[1].split(";")[0]


@pytest.fixture()
def world(app, demo_store):
    """An admin, two readers with a comment each, a held comment, a token and a feed: something
    real for every path parameter of the route table."""
    store = demo_store
    article = first_article(store)
    admin = signed_in(app, store, "root_admin", "admin")
    alice = signed_in(app, store, "alice_r")
    bob = signed_in(app, store, "bob_r")
    alice_comment = store.add_comment(article, alice.user.id, None, "Alice says hi.", "visible",
                                      None, "fp-a")
    held = store.add_comment(article, bob.user.id, None, "Held for review.", "pending", "test",
                             "fp-b")
    token_id = store.add_token(alice.user.id, "t", token_digest("nd_alice_token_value_x"), "read")
    feed = store.add_feed("https://feeds.example/rss.xml")
    params = {"article_id": article, "comment_id": str(alice_comment), "token_id": str(token_id),
              "user_id": str(bob.user.id), "feed_id": str(feed.id), "held": str(held)}
    yield {"store": store, "admin": admin, "alice": alice, "bob": bob, "params": params}
    for client in (admin, alice, bob):
        client.close()


def fill(template: str, params: dict) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: params[m.group(1)], template)


# --- CSRF ---------------------------------------------------------------------------------


def test_the_route_table_has_the_state_changing_routes_this_test_expects(app):
    routes = set(write_routes(app))
    # A floor, not the full list: the CSRF test below covers whatever the table holds.
    assert {("POST", "/login"), ("POST", "/logout"), ("POST", "/articles/{article_id}/comments"),
            ("POST", "/admin/users/{user_id}"), ("DELETE", "/api/v1/comments/{comment_id}"),
            ("PATCH", "/api/v1/comments/{comment_id}")} <= routes
    assert len(routes) >= 18


def test_every_state_changing_form_route_refuses_missing_forged_and_foreign_csrf(app, world):
    """Every POST/PUT/PATCH/DELETE outside /api/ needs this browser's CSRF token: without it,
    with a made-up one, or with another signed-in browser's valid one, the answer is 403 and no
    web table changes. The valid token then gets past the check (so 403 meant CSRF)."""
    store, admin, params = world["store"], world["admin"], world["params"]
    foreign = csrf_of(world["alice"].get("/account").text)  # valid, but bound to Alice's session
    own = csrf_of(admin.get("/account").text)
    checked = []
    for method, template in write_routes(app):
        if template.startswith("/api/"):
            continue
        path = fill(template, params)
        before = web_state(store)
        for label, data in (("missing", {}), ("forged", {"csrf": "0" * 64}),
                            ("foreign", {"csrf": foreign})):
            response = admin.request(method, path, data={**data, "body": "x", "action": "approve"},
                                     follow_redirects=False)
            assert response.status_code == 403, (method, path, label, response.status_code)
            assert "security token" in response.text
        assert web_state(store) == before, (method, path)
        if template != "/logout":  # checked last below: it ends the admin's session
            response = admin.request(method, path, data={"csrf": own, "action": "approve",
                                                         "body": "x"}, follow_redirects=False)
            assert response.status_code != 403 or "security token" not in response.text, path
        checked.append(path)
    assert len(checked) >= 13
    response = admin.post("/logout", data={"csrf": own}, follow_redirects=False)
    assert response.status_code == 303


def test_signed_out_forms_refuse_a_token_of_another_browser(app, demo_store):
    make_user(demo_store, "carol_r")
    with TestClient(app) as victim, TestClient(app) as attacker:
        token = csrf_of(attacker.get("/login").text)
        victim.get("/login")
        for path, data in (("/login", {"username": "carol_r", "password": PASSWORD}),
                           ("/register", {"username": "dave_r", "password": PASSWORD,
                                          "confirm": PASSWORD})):
            response = victim.post(path, data={"csrf": token, **data}, follow_redirects=False)
            assert response.status_code == 403, path
            assert not set_cookies(response, SESSION_COOKIE)
    assert demo_store.user_by_name("dave_r") is None


def test_api_write_routes_ignore_the_session_cookie(app, world):
    """The API is exempt from CSRF only because it refuses cookie auth: a signed-in admin's
    browser, with a valid CSRF token even, gets 401 from every API write route."""
    admin, params = world["admin"], world["params"]
    token = csrf_of(admin.get("/account").text)
    assert admin.get("/account").status_code == 200  # the cookie does sign in the pages
    before = web_state(world["store"])
    api = [(m, t) for m, t in write_routes(app) if t.startswith("/api/")]
    assert len(api) >= 5
    for method, template in api:
        path = fill(template, params)
        for kwargs in ({"json": {"body": "x", "url": "https://a.example/f", "kind": "story",
                                 "target": "x"}},
                       {"data": {"csrf": token, "body": "x"}}):
            response = admin.request(method, path, **kwargs)
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.headers["www-authenticate"].startswith("Bearer")
    assert web_state(world["store"]) == before


def test_no_get_route_changes_state(app, world):
    """SameSite=Lax cookies still go with top-level GET navigations from other sites, so every
    GET of the route table, as an admin with live tokens, must leave the web tables alone."""
    store, admin, params = world["store"], world["admin"], world["params"]
    feed_token = "nd_" + secrets.token_urlsafe(32)
    store.add_token(admin.user.id, "feed", token_digest(feed_token), "feed")
    article = store.get_article(params["article_id"])
    more = {**params, "story_id": store.list_stories(1)[0].id, "name": article.outlet,
            "key": "nobody", "tag": "x", "fmt": "rss", "token": feed_token}
    gets = []

    def walk(routes, prefix):
        for route in routes:
            if isinstance(route, Mount) and route.name != "static":
                walk(route.routes, prefix + route.path)
            elif isinstance(route, Route) and "GET" in (route.methods or ()):
                gets.append(prefix + route.path)

    walk(app.routes, "")
    assert len(gets) >= 40
    before = web_state(store, bookkeeping=False)
    for template in gets:
        path = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: quote(more[m.group(1)], safe=""), template)
        assert admin.get(path, follow_redirects=False).status_code < 500, path
    assert web_state(store, bookkeeping=False) == before


# --- sessions and cookies -------------------------------------------------------------------


def test_a_session_id_set_before_login_is_not_the_one_after(app, demo_store):
    make_user(demo_store, "erin_r")
    attacker = make_user(demo_store, "mallory_r")
    planted = secrets.token_urlsafe(32)  # a value an attacker chose and planted
    own = secrets.token_urlsafe(32)  # or the attacker's own live session, planted
    expires = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()
    demo_store.add_session(token_digest(own), attacker.id, expires)
    for before in (planted, own):
        with TestClient(app) as client:
            client.cookies.set(SESSION_COOKIE, before)
            old_csrf = client.get("/login").cookies.get(CSRF_COOKIE) or client.cookies.get(CSRF_COOKIE)
            response = login(client, "erin_r")
            assert response.status_code == 303
            [session] = set_cookies(response, SESSION_COOKIE)
            after = cookie_value(session)
            assert after != before and len(after) >= 40
            assert demo_store.session_user(token_digest(after)).username == "erin_r"
            # The value from before the login signs in as nobody (not as the victim).
            stale = demo_store.session_user(token_digest(before))
            assert stale is None or stale.username != "erin_r"
            [csrf] = set_cookies(response, CSRF_COOKIE)
            assert cookie_value(csrf) != old_csrf
    assert demo_store.session_user(token_digest(own)) is None  # replaced at login


def test_logout_ends_the_session_on_the_server(app, demo_store):
    make_user(demo_store, "frank_r")
    with TestClient(app) as client:
        token = cookie_value(set_cookies(login(client, "frank_r"), SESSION_COOKIE)[0])
        post_form(client, "/account", "/logout", {})
    with TestClient(app) as replay:
        replay.cookies.set(SESSION_COOKIE, token)
        assert replay.get("/account", follow_redirects=False).status_code == 303
    assert demo_store.session_user(token_digest(token)) is None


@pytest.mark.parametrize("base_url, root_path, secure, path", [
    ("http://testserver", "", False, "/"),
    ("https://news.example", "", True, "/"),
    ("http://testserver", "/news", False, "/news"),
])
def test_cookie_flags(app, demo_store, base_url, root_path, secure, path):
    """Both cookies are HttpOnly, SameSite=Lax, scoped to the site's path, and Secure exactly
    when the request came over https (uvicorn sets the scheme from X-Forwarded-Proto of a
    trusted proxy; tests/hardening/test_xss_browser.py checks that on a real server)."""
    make_user(demo_store, "gina_r")
    with TestClient(app, base_url=base_url, root_path=root_path) as client:
        first = client.get(root_path + "/login")
        token = csrf_of(first.text)
        response = client.post(root_path + "/login", data={"csrf": token, "username": "gina_r",
                                                            "password": PASSWORD},
                               follow_redirects=False)
        assert response.status_code == 303
        headers = set_cookies(first, CSRF_COOKIE) + set_cookies(response, CSRF_COOKIE) + \
            set_cookies(response, SESSION_COOKIE)
        assert len(headers) == 3
        for header in headers:
            attrs = {a.strip().split("=")[0].lower(): a.strip() for a in header.split(";")[1:]}
            assert "httponly" in attrs, header
            assert attrs["samesite"].lower() == "samesite=lax", header
            assert attrs["path"] == f"Path={path}", header
            assert ("secure" in attrs) is secure, header
            assert "domain" not in attrs, header  # host-only: never sent to sibling domains


# --- login rate limit and lockout -------------------------------------------------------------


def test_account_locks_after_repeated_failures_even_for_the_right_password(web, demo_store,
                                                                          web_settings):
    make_user(demo_store, "henry_r")
    for _ in range(web_settings.web_login_max_failures):
        assert login(web, "henry_r", "wrong password!").status_code == 400
    response = login(web, "henry_r")
    assert response.status_code == 400 and "locked" in response.text
    assert not set_cookies(response, SESSION_COOKIE)
    assert demo_store.user_by_name("henry_r").locked_until


def test_login_attempts_per_address_are_rate_limited(web, demo_store):
    make_user(demo_store, "iris_r")
    codes = [login(web, f"nobody{i}", "wrong password!").status_code for i in range(LOGIN_ATTEMPTS)]
    assert set(codes) == {400}
    response = login(web, "iris_r")  # the right password no longer helps from this address
    assert response.status_code == 429 and int(response.headers["retry-after"]) > 0
    assert not set_cookies(response, SESSION_COOKIE)


def test_sign_ups_per_address_are_rate_limited(app, demo_store):
    codes = []
    for i in range(SIGNUPS + 1):
        with TestClient(app) as client:  # a fresh browser each time: the limit is per address
            codes.append(post_form(client, "/register", "/register",
                                   {"username": f"bulk{i}", "password": PASSWORD,
                                    "confirm": PASSWORD}).status_code)
    assert codes == [303] * SIGNUPS + [429]
    assert demo_store.user_by_name(f"bulk{SIGNUPS}") is None


def test_rate_limiter_window_slides_and_keys_are_separate():
    now = [0.0]
    limiter = RateLimiter(3, 60, clock=lambda: now[0])
    assert [limiter.hit("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.hit("a") == 60 and limiter.hit("b") == 0.0
    now[0] = 60.5
    assert limiter.hit("a") == 0.0


# --- access rules ------------------------------------------------------------------------------


def test_a_reader_cannot_moderate_or_reach_admin(world):
    reader, params, store = world["bob"], world["params"], world["store"]
    for path in ("/moderation", "/admin", "/admin/feeds.opml"):
        assert reader.get(path).status_code == 403, path
    token = csrf_of(reader.get("/account").text)
    held = params["held"]
    for path, data in ((f"/moderation/{held}", {"action": "approve"}),
                       ("/admin/feeds", {"url": "https://x.example/feed"}),
                       (f"/admin/feeds/{params['feed_id']}", {"paused": "1"}),
                       (f"/admin/users/{reader.user.id}", {"role": "admin"}),
                       (f"/admin/users/{world['alice'].user.id}", {"disabled": "1"})):
        response = reader.post(path, data={"csrf": token, **data}, follow_redirects=False)
        assert response.status_code == 403, path
    assert store.get_comment(int(held)).status == "pending"
    assert store.get_user(reader.user.id).role == "reader"
    assert not store.get_user(world["alice"].user.id).disabled


def test_an_editor_can_moderate_but_not_administer(app, world):
    editor = signed_in(app, world["store"], "ed_e", "editor")
    store, params = world["store"], world["params"]
    assert editor.get("/moderation").status_code == 200
    for path in ("/admin", "/admin/feeds.opml"):
        assert editor.get(path).status_code == 403, path
    token = csrf_of(editor.get("/moderation").text)
    response = editor.post(f"/admin/users/{editor.user.id}", data={"csrf": token, "role": "admin"},
                           follow_redirects=False)
    assert response.status_code == 403 and store.get_user(editor.user.id).role == "editor"
    response = editor.post(f"/moderation/{params['held']}", data={"csrf": token, "action": "approve"},
                           follow_redirects=False)
    assert response.status_code == 303
    assert store.get_comment(int(params["held"])).status == "visible"
    # A moderator may delete another's comment, but never put words in their mouth.
    alice_comment = params["comment_id"]
    assert editor.get(f"/comments/{alice_comment}/edit").status_code == 403
    response = editor.post(f"/comments/{alice_comment}/edit", data={"csrf": token, "body": "y"},
                           follow_redirects=False)
    assert response.status_code == 403
    assert store.get_comment(int(alice_comment)).body == "Alice says hi."
    editor.close()


def test_a_user_cannot_edit_or_delete_another_users_comment(world):
    bob, store, params = world["bob"], world["store"], world["params"]
    comment = params["comment_id"]
    token = csrf_of(bob.get("/account").text)
    assert bob.get(f"/comments/{comment}/edit").status_code == 403
    for path, data in ((f"/comments/{comment}/edit", {"body": "Bob was here"}),
                       (f"/comments/{comment}/delete", {})):
        response = bob.post(path, data={"csrf": token, **data}, follow_redirects=False)
        assert response.status_code == 403, path
    bob_token = "nd_" + secrets.token_urlsafe(32)
    store.add_token(bob.user.id, "w", token_digest(bob_token), "write")
    assert bob.patch(f"/api/v1/comments/{comment}", json={"body": "Bob"},
                     headers=auth(bob_token)).status_code == 403
    assert bob.delete(f"/api/v1/comments/{comment}", headers=auth(bob_token)).status_code == 403
    kept = store.get_comment(int(comment))
    assert kept.body == "Alice says hi." and kept.status == "visible"


def test_a_user_cannot_revoke_another_users_token(world):
    bob, store, params = world["bob"], world["store"], world["params"]
    token = csrf_of(bob.get("/account").text)
    response = bob.post(f"/account/tokens/{params['token_id']}/revoke", data={"csrf": token},
                        follow_redirects=False)
    assert response.status_code == 404
    assert store.token_user(token_digest("nd_alice_token_value_x")) is not None


# --- API tokens -------------------------------------------------------------------------------


def test_api_tokens_are_scoped(world):
    store, alice, article = world["store"], world["alice"], world["params"]["article_id"]
    tokens = {}
    for scope in ("read", "write", "feed"):
        tokens[scope] = "nd_" + secrets.token_urlsafe(32)
        store.add_token(alice.user.id, scope, token_digest(tokens[scope]), scope)
    client = world["bob"]  # any client: the token alone decides
    client.cookies.clear()
    writes = [("POST", f"/api/v1/articles/{article}/comments", {"body": "hello from the API"}),
              ("POST", "/api/v1/me/follows", {"kind": "outlet", "target": "Yonhap"}),
              ("PATCH", f"/api/v1/comments/{world['params']['comment_id']}", {"body": "edited"})]
    assert client.get("/api/v1/me", headers=auth(tokens["read"])).status_code == 200
    for method, path, body in writes:
        response = client.request(method, path, json=body, headers=auth(tokens["read"]))
        assert response.status_code == 403 and "scope is read" in response.text, path
    for method, path, body in writes:
        assert client.request(method, path, json=body,
                              headers=auth(tokens["write"])).status_code in (200, 201), path
    # A personal-feed token opens only its feed, never the API; an API token is no feed key.
    assert client.get("/api/v1/me", headers=auth(tokens["feed"])).status_code == 401
    assert client.get(f"/me/feed/{tokens['feed']}.rss").status_code == 200
    assert client.get(f"/me/feed/{tokens['read']}.rss").status_code == 404
    # Admin-only API routes need the admin role as well as the scope.
    assert client.get("/api/v1/feeds", headers=auth(tokens["write"])).status_code == 403


def test_api_tokens_are_revocable_and_die_with_their_account(app, world):
    store, alice = world["store"], world["alice"]
    page = alice.post("/account/tokens", data={"csrf": csrf_of(alice.get("/account").text),
                                               "scope": "write", "name": "cli"})
    value = re.search(r"<code>(nd_[\w-]+)</code>", page.text).group(1)
    with TestClient(app) as client:
        assert client.get("/api/v1/me", headers=auth(value)).status_code == 200
        token_id = next(t.id for t in store.list_tokens(alice.user.id) if t.name == "cli")
        revoked = alice.post(f"/account/tokens/{token_id}/revoke",
                             data={"csrf": csrf_of(alice.get("/account").text)},
                             follow_redirects=False)
        assert revoked.status_code == 303
        response = client.get("/api/v1/me", headers=auth(value))
        assert response.status_code == 401 and "revoked" in response.text
        fresh = "nd_" + secrets.token_urlsafe(32)
        store.add_token(alice.user.id, "again", token_digest(fresh), "read")
        assert client.get("/api/v1/me", headers=auth(fresh)).status_code == 200
        store.set_user_disabled(alice.user.id, True)
        assert client.get("/api/v1/me", headers=auth(fresh)).status_code == 401
        assert alice.get("/account", follow_redirects=False).status_code == 303  # session gone


# --- parameterised SQL ---------------------------------------------------------------------------

# Every dynamic piece of SQL text in newsdesk/store/ must be one of these. A piece is the source
# of an f-string field, a non-literal operand of "+", or the argument of %/.format. Values always
# travel as "?" parameters; what may be spliced is only text the code itself chose.
SAFE_PIECES = [
    # "?, ?, ?" lists sized to a list of values: placeholders, never the values themselves.
    (r"^'?,'?\.join\('\?' \* len\(\w+\)\)$", "placeholders for a list of values"),
    (r"^', '\.join\('\?' \* len\(\w+\)\)$", "placeholders for a list of values"),
    (r"^int\([\w.()]+\)$", "a number, forced to int"),
    (r"^marks$", "a placeholder list built as ','.join('?' * n) just above"),
    # Module constants: fixed SELECT heads and column lists written in the code.
    (r"^_?[A-Z][A-Z0-9_]*$", "a module-level constant of fixed SQL text"),
    (r"^', '\.join\(\('s\.' \+ c for c in _COLUMNS\.split\(', '\)\)\)$",
     "a fixed column list, prefixed"),
    (r"^', '\.join\(\(f'\{c\} = \?' for c in _COLUMNS\)\)$", "SET clause over a fixed column list"),
]
# Named pieces checked by reading the code, with the reason each is safe.
REVIEWED = {
    ("copies.py", "table"): "loops over a literal tuple of table names",
    ("copies.py", "key"): "loops over a literal tuple of key column names",
    ("search.py", "_sql_where(conds)"): "joins the literal conditions of _filter_sql, whose "
                                        "values go in its params list",
    ("sqlite.py", "sql"): "a migration's DDL from migrations.py, code not data",
    ("sqlite.py", "int(version)"): "a migration number from migrations.py, forced to int",
    ("sqlite.py", "description.replace(chr(39), '')"): "a migration description from "
                                                       "migrations.py, quotes removed",
    # PostgreSQL engine (issue 7)
    ("pgconn.py", "query"): "the caller's statement, translated; its values stay parameters",
    ("pgconn.py", "translate(sql)"): "the caller's statement, translated; values stay parameters",
    ("pgconn.py", "sql"): "the caller's statement, being translated (placeholders kept)",
    ("pgconn.py", "_OR_IGNORE.sub('INSERT INTO', sql, count=1)"): "rewrites the caller's "
                                                                  "statement's keywords only",
    ("pgsearch.py", "_where(conds)"): "joins the literal conditions of search._where, whose "
                                      "values go in its params list",
    ("pgsearch.py", "query"): "a tsquery expression of literal function calls and operators "
                              "from tsquery(), whose words go in its params list",
    ("pgsearch.py", "format: sql.SQL('CREATE INDEX IF NOT EXISTS {} ON article_vectors USING "
                    "hnsw ((embedding::vector({})) vector_cosine_ops) WHERE model = {}').format("
                    "sql.Identifier(_index_name(model, dim)), sql.Literal(int(dim)), "
                    "sql.Literal(model))"): "psycopg.sql composition: Identifier and Literal "
                                            "quote the name and the model",
    ("postgres.py", "sql"): "a migration's DDL from pgmigrations.py, code not data",
    ("transfer.py", "table"): "loops over the literal TABLES and _IDENTITY lists",
    ("transfer.py", "key"): "the literal key columns of the TABLES list",
    ("transfer.py", "', '.join(wanted)"): "column names read from both databases' own schemas",
}
EXECUTE = {"execute", "executemany", "executescript", "execute_native"}


def _pieces(node: ast.AST, assigned: dict[str, list[ast.AST]], seen: set[str]) -> list[str]:
    """Returns the source of every dynamic piece of a SQL expression, following local names."""
    if isinstance(node, ast.Constant):
        return []
    if isinstance(node, ast.JoinedStr):
        return [p for v in node.values if isinstance(v, ast.FormattedValue)
                for p in ([ast.unparse(v.value)] if not isinstance(v.value, ast.Name)
                          else _pieces(v.value, assigned, seen))]
    if isinstance(node, ast.IfExp):  # the test picks one of two pieces; both are checked
        return _pieces(node.body, assigned, seen) + _pieces(node.orelse, assigned, seen)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _pieces(node.left, assigned, seen) + _pieces(node.right, assigned, seen)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return ["%-format: " + ast.unparse(node.right)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return ["format: " + ast.unparse(node)]
    if isinstance(node, ast.Name) and node.id in assigned and node.id not in seen:
        return [p for v in assigned[node.id] for p in _pieces(v, assigned, seen | {node.id})]
    return [ast.unparse(node)]


def sql_pieces(source: str) -> list[tuple[int, str]]:
    """Returns (line, piece) for every dynamic piece of SQL passed to execute* in source."""
    tree = ast.parse(source)
    found = []
    for func in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.Module))]:
        assigned: dict[str, list[ast.AST]] = {}
        for node in ast.walk(func):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, []).append(node.value)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                assigned.setdefault(node.target.id, []).append(node.value)
        for node in ast.walk(func):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in EXECUTE and node.args):
                for piece in _pieces(node.args[0], assigned, set()):
                    found.append((node.lineno, piece))
    return sorted(set(found))


def unsafe_pieces(name: str, source: str) -> list[str]:
    bad = []
    for line, piece in sql_pieces(source):
        if (name, piece) in REVIEWED or any(re.match(p, piece) for p, _ in SAFE_PIECES):
            continue
        bad.append(f"{name}:{line}: {piece}")
    return bad


def test_the_sql_scanner_catches_values_spliced_into_sql():
    hostile = (
        "def a(conn, name):\n    conn.execute(f\"SELECT * FROM users WHERE username = '{name}'\")\n"
        "def b(conn, q):\n    conn.execute(\"SELECT * FROM t WHERE x = '%s'\" % q)\n"
        "def c(conn, q):\n    sql = 'SELECT * FROM t WHERE x = ' + q\n    conn.execute(sql)\n"
        "def d(conn, q):\n    conn.executemany(\"DELETE FROM t WHERE x = '{}'\".format(q), [])\n"
        "def e(conn, ids):\n    conn.execute(f\"SELECT 1 WHERE id IN ({','.join('?' * len(ids))})\", ids)\n"
    )
    assert [b.split(": ", 1)[1] for b in unsafe_pieces("x.py", hostile)] == [
        "name", "%-format: q", "q", "format: \"DELETE FROM t WHERE x = '{}'\".format(q)"]


def test_store_sql_is_parameterised_everywhere():
    """No SQL in newsdesk/store/ splices a value into its text; each dynamic piece is a
    placeholder list, a constant, or a reviewed piece with its reason above."""
    bad, used = [], set()
    files = sorted((ROOT / "newsdesk" / "store").glob("*.py"))
    assert len(files) >= 15
    for path in files:
        source = path.read_text(encoding="utf-8")
        bad += unsafe_pieces(path.name, source)
        used |= {(path.name, p) for _, p in sql_pieces(source)} & set(REVIEWED)
    assert bad == []
    assert used == set(REVIEWED), f"stale REVIEWED entries: {set(REVIEWED) - used}"


def test_no_sql_outside_the_store():
    """SQL lives in newsdesk/store/ only (STYLE), so the scan above covers all of it."""
    offenders = []
    for path in (ROOT / "newsdesk").rglob("*.py"):
        if "store" in path.relative_to(ROOT / "newsdesk").parts:
            continue
        if re.search(r"\.execute(many|script)?\(", path.read_text(encoding="utf-8")):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
