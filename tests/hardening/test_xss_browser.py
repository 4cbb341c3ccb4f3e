"""Runs the XSS corpus through a real `newsdesk serve` process and a real browser (Debian's
Chromium driven by Playwright): ingested HTML pages, feed entries and archives, comments, the
comment edit form, the moderation queue, user names and every query parameter that a page shows.
On each page nothing may run (no window.__xss, no alert, no CSP violation) and no injected
element or attribute may reach the DOM. It also checks the security headers on every page type,
and that the app trusts X-Forwarded-Proto from a local proxy for Secure cookies."""

from __future__ import annotations

import json
import os
import socket
from urllib.parse import quote
from xml.etree import ElementTree

import httpx
import pytest
from starlette.routing import Mount, Route

from newsdesk.cli import main
from newsdesk.store import open_store
from newsdesk.web.auth import CSRF_COOKIE, create_account, token_digest
from newsdesk.web.routes import routes
from tests.hardening.xss_corpus import (
    ODD_ID,
    hostile_html,
    hostile_jsonl,
    hostile_rss,
    vector,
    vectors,
)
from tests.support.browser import CHROMIUM, launch_chromium, served

EDITOR, PASSWORD = "xss_editor", "an editor's long password"

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason="Debian's chromium is not installed (scripts/test installs it)")

# Lists what injected markup would leave in the DOM. The app's own pages hold no script, no
# style element or attribute, no event handler, no frame and no SVG but its charts, so any of
# these means escaping failed, even where the CSP stopped it from running.
INSPECT = r"""() => {
  const bad = [];
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'poster',
                    'background', 'content', 'srcset'];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['script', 'iframe', 'object', 'embed', 'base', 'style', 'frame', 'frameset', 'applet',
         'math', 'video', 'audio', 'source', 'marquee'].includes(tag)) bad.push('<' + tag + '>');
    if (tag === 'meta' && el.hasAttribute('http-equiv')) bad.push('meta http-equiv');
    if (tag === 'svg' && !el.classList.contains('chart')) bad.push('<svg>');
    if (tag === 'img') bad.push('<img>');
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      const value = a.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
      if (name.startsWith('on') || ['style', 'srcdoc', 'autofocus'].includes(name)) {
        bad.push(tag + ' ' + name);
      }
      if (urlAttrs.includes(name) && /^(javascript|vbscript|data):/.test(value)
          && !(tag === 'link' && value === 'data:,')) bad.push(tag + ' ' + name + '=' + value.slice(0, 40));
    }
  }
  return {xss: window.__xss === undefined ? null : String(window.__xss), bad};
}"""
# Lets handlers queued by the load (onerror, onfocus, ontoggle, onbegin) run before the check.
SETTLE = "() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Ingests the hostile page, feed and archive and serves them from a real uvicorn process;
    yields (base URL, database URL)."""
    tmp = tmp_path_factory.mktemp("xss")
    inputs = {"hostile.html": hostile_html(), "hostile-feed.xml": hostile_rss(),
              "hostile.jsonl": hostile_jsonl()}
    for name, text in inputs.items():
        (tmp / name).write_text(text, encoding="utf-8")
    db = f"sqlite:///{tmp / 'xss.db'}"
    assert main(["ingest", "--db", db, *[str(tmp / n) for n in inputs]]) == 0
    store = open_store(db)
    try:
        create_account(store, EDITOR, PASSWORD, "editor")
    finally:
        store.close()
    with served(db, tmp) as base:
        yield base, db


@pytest.fixture(scope="module")
def browser_page(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        context = browser.new_context()
        page = context.new_page()
        page.dialogs = []  # an alert() that ran would land here
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.csp = []  # the CSP blocking something means markup got into the page
        page.on("console", lambda m: "Content Security Policy" in m.text and page.csp.append(m.text))
        yield page
        context.close()
        browser.close()


class Visits:
    """Loads pages and records, per URL, anything that ran or got into the DOM."""

    def __init__(self, page):
        self.page, self.problems, self.count = page, [], 0

    def check(self, label: str) -> None:
        self.page.evaluate(SETTLE)
        found = self.page.evaluate(INSPECT)
        if found["xss"] or found["bad"] or self.page.dialogs or self.page.csp:
            self.problems.append((label, found, list(self.page.dialogs), list(self.page.csp)))
        self.page.dialogs.clear()
        self.page.csp.clear()
        self.count += 1

    def visit(self, url: str, label: str | None = None) -> int:
        response = self.page.goto(url, wait_until="load")
        self.check(label or url)
        return response.status if response else 0


def test_the_checks_catch_markup_that_runs(browser_page):
    """The detector itself: the same vectors on a page with no CSP and no escaping are caught."""
    page = browser_page
    page.goto("about:blank")
    page.set_content("<p>x</p>" + vector(6) + vector(16) + vector(12))
    page.evaluate(SETTLE)
    found = page.evaluate(INSPECT)
    assert found["xss"] in ("6", "16", "12") and found["bad"] and page.dialogs
    page.dialogs.clear()


def _log_in(page, base: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", EDITOR)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    assert EDITOR in page.locator(".account-nav").inner_text()


def test_no_vector_runs_on_any_page(browser_page, site):
    base, db = site
    page, visits = browser_page, Visits(browser_page)
    corpus = vectors()
    store = open_store(db)
    try:
        articles = store.latest_articles(500)
        story = store.list_stories(1)[0].id
        page_article = next(a.id for a in articles if a.title.startswith("Hostile page"))
        feed_articles = [a.id for a in articles if a.title.startswith("Feed entry")]
    finally:
        store.close()
    assert len(articles) == 2 + 2 * len(corpus) and len(feed_articles) == len(corpus)

    # (a) Ingested content: lists, the story, an outlet, search hits, and every article page.
    for p in range(1, 5):
        visits.visit(f"{base}/?page={p}")
    visits.visit(f"{base}/stories/{story}")
    visits.visit(f"{base}/search?q=council")
    visits.visit(f"{base}/?outlet={quote('Outlet ' + vector(1))}")
    visits.visit(f"{base}/outlets/{quote('Outlet ' + vector(1), safe='')}")
    for article_id in [page_article, ODD_ID, *feed_articles, *[f"xss-{n}" for n, _, _ in corpus]]:
        assert visits.visit(f"{base}/articles/{quote(article_id, safe='')}") == 200, article_id
    title = page.locator("h1").inner_text()
    assert f"Archive {len(corpus)} " in title and "onmouseover" in title  # shown as text

    # (b) Comments: every vector posted through the form, then the article, the edit form
    # (a textarea), the account page (with every vector as a saved search) and the
    # moderation queue are shown.
    _log_in(page, base)
    target = f"{base}/articles/xss-1"
    half = len(corpus) // 2
    for chunk in (corpus[:half], corpus[half:]):
        page.goto(target)
        page.fill("#comment-body", "\n\n".join(f"Vector {n}: {v}" for n, _, v in chunk))
        page.click(".comment-form button[type=submit]")
        page.wait_for_load_state()
        visits.check("article with comments")
    comments = page.locator(".comment").all_inner_texts()
    assert any("Vector 1: <script>" in c for c in comments)
    edit = page.locator(".comment a:has-text('Edit')").last.get_attribute("href")
    visits.visit(base + edit)
    assert "</textarea><script>" in page.locator("textarea").input_value()
    store = open_store(db)
    try:
        user = store.user_by_name(EDITOR)
        for n, _, v in corpus[:10]:
            store.add_comment(f"xss-{n}", user.id, None, f"Held {v}", "pending", f"rule {v}", f"h{n}")
        for _n, _, v in corpus:  # saved searches are shown, and linked, on the account page
            store.follow(user.id, "search", v, True)
    finally:
        store.close()
    visits.visit(f"{base}/account")
    assert page.locator("main a[href^='/search?q=']").count() >= len(corpus)
    visits.visit(f"{base}/moderation")
    assert page.locator(".queue .comment").count() == 10
    page.click(".account-nav button:has-text('Log out')")
    page.wait_for_load_state()

    # (c) User names: each vector submitted as a name is refused and shown back in the form.
    for n, _, v in corpus:
        page.goto(f"{base}/register")
        # Set by script, as the field's maxlength would cut what a person types.
        with page.expect_navigation():
            page.evaluate("""([name, pw]) => {
                document.querySelector('#username').value = name;
                document.querySelector('#password').value = pw;
                document.querySelector('#confirm').value = pw;
                document.querySelector('form[action$="/register"]').submit();
            }""", [v, PASSWORD])
        visits.check(f"register as vector {n}")
        assert "user name: 3 to 32" in page.inner_text("main"), n

    # (d) Query and path parameters that pages echo: every vector in a search, and each in one
    # more of the other places in turn.
    others = ["/ask?q={}", "/?hashtag={}", "/hashtags/{}", "/entities/{}", "/outlets/{}",
              "/articles/{}", "/login?next={}", "/register?next={}", "/search?q=x&outlet={}",
              "/entities?type={}"]
    for n, _, v in corpus:
        visits.visit(f"{base}/search?q={quote(v, safe='')}", f"search for vector {n}")
        place = others[n % len(others)]
        visits.visit(base + place.format(quote(v, safe="")), f"{place} with vector {n}")
    print(f"xss: {len(corpus)} vectors, {visits.count} page loads checked")  # for the report
    assert visits.problems == []
    assert visits.count >= 4 * len(corpus)


def _pages(base: str, db: str) -> list[str]:
    """Returns one URL for every GET route of the app (path parameters filled from the
    database), plus error pages, a static file and the API."""
    store = open_store(db)
    try:
        article = store.latest_articles(1)[0]
        user = store.user_by_name(EDITOR)
        feed_token = "nd_" + "f" * 40
        store.add_token(user.id, "feed", token_digest(feed_token), "feed")
        params = {"article_id": article.id, "story_id": store.list_stories(1)[0].id,
                  "name": article.outlet, "key": "nobody", "tag": "council", "fmt": "rss",
                  "token": feed_token, "comment_id": "1", "path": "style.css"}
    finally:
        store.close()
    urls = []

    def walk(table, prefix):
        for route in table:
            if isinstance(route, Mount):
                walk(route.routes or [], prefix + route.path)
                if route.name == "static":
                    urls.append(f"{base}{prefix}{route.path}/style.css")
            elif isinstance(route, Route) and "GET" in (route.methods or ()):
                path = route.path
                for key, value in params.items():
                    path = path.replace("{" + key + "}", quote(value, safe=""))
                urls.append(base + prefix + path)

    walk(routes(), "")
    return urls + [f"{base}/no/such/page", f"{base}/?page=0", f"{base}/api/v1/me",
                   f"{base}/api/v1/nothing"]


def test_security_headers_on_every_page_type(site):
    base, db = site
    urls = _pages(base, db)
    assert len(urls) >= 45
    statuses = set()
    with httpx.Client(follow_redirects=False, timeout=30) as client:
        for url in urls:
            response = client.get(url)
            statuses.add(response.status_code)
            assert response.status_code < 500, url
            h = response.headers
            csp = h.get("content-security-policy", "")
            for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'",
                              "base-uri 'none'", "form-action 'self'"):
                assert directive in csp, (url, directive)
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "*" not in csp
            assert h.get("x-content-type-options") == "nosniff", url
            assert h.get("x-frame-options") == "DENY", url
            assert h.get("referrer-policy") == "strict-origin-when-cross-origin", url
            assert "camera=()" in h.get("permissions-policy", ""), url
            assert h.get("cross-origin-opener-policy") == "same-origin", url
            assert "strict-transport-security" not in h, url  # plain http: no HSTS
    assert {200, 303, 400, 404} <= statuses, statuses


def test_https_from_a_trusted_local_proxy_gets_secure_cookies_and_hsts(site):
    """uvicorn trusts X-Forwarded-Proto from 127.0.0.1 (its forwarded_allow_ips default), so a
    reverse proxy on the same host that ends TLS gets Secure cookies and HSTS."""
    base, _ = site
    with httpx.Client(timeout=30) as client:  # a fresh cookie jar each, so each gets cookies
        plain = client.get(base + "/login")
    with httpx.Client(timeout=30) as client:
        behind = client.get(base + "/login", headers={"X-Forwarded-Proto": "https"})
    [plain_cookie] = [c for c in plain.headers.get_list("set-cookie") if c.startswith(CSRF_COOKIE)]
    [https_cookie] = [c for c in behind.headers.get_list("set-cookie") if c.startswith(CSRF_COOKIE)]
    assert "Secure" not in plain_cookie and "Secure" in https_cookie
    assert "HttpOnly" in https_cookie and "SameSite=Lax" in https_cookie
    assert "strict-transport-security" not in plain.headers
    assert behind.headers["strict-transport-security"].startswith("max-age=")


def test_published_feeds_carry_vectors_as_text(site):
    """RSS, Atom and JSON Feed of the hostile articles parse, hold only the elements the
    formats define, and give each title back exactly as ingested (text, never markup)."""
    base, db = site
    store = open_store(db)
    try:
        stored = store.latest_articles(500)
        titles = {a.title for a in stored}
        links = {f"{base}/articles/{quote(a.id, safe='')}" for a in stored}
    finally:
        store.close()
    atom = "{http://www.w3.org/2005/Atom}"
    allowed = {"rss", "channel", "title", "link", "description", f"{atom}link", "item", "guid",
               "pubDate", "source", f"{atom}feed", f"{atom}title", f"{atom}id", f"{atom}updated",
               f"{atom}author", f"{atom}name", f"{atom}entry", f"{atom}summary"}
    with httpx.Client(timeout=30) as client:
        for fmt, item_path in (("rss", "channel/item/title"), ("atom", f"{atom}entry/{atom}title")):
            root = ElementTree.fromstring(client.get(f"{base}/feed.{fmt}").content)
            assert {el.tag for el in root.iter()} <= allowed, fmt
            shown = [el.text for el in root.findall(item_path)]
            assert len(shown) >= 20 and set(shown) <= titles, fmt
            assert any("<script>" in t for t in shown), fmt
            found = {el.text for el in root.iter("link")} | {
                el.get("href") for el in root.iter(f"{atom}link")}
            assert f"{base}/articles/{quote(ODD_ID, safe='')}" in found, fmt
            assert {u for u in found if "/articles/" in (u or "")} <= links, fmt
        doc = json.loads(client.get(f"{base}/feed.json").content)
        assert all("content_html" not in item for item in doc["items"])
        assert {item["title"] for item in doc["items"]} <= titles
        assert {item["url"] for item in doc["items"]} <= links
        assert all(item.get("external_url", "https://").startswith(("http://", "https://"))
                   for item in doc["items"])


def _raw_post(base: str, head: str, pieces: list[bytes]) -> str:
    """Sends a request by hand (a body larger than any client would buffer) and returns the
    status line; sending stops if the server hangs up, as it may once it has answered."""
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode("ascii"))
        try:
            for piece in pieces:
                sock.sendall(piece)
        except OSError:
            pass
        answer = b""
        while b"\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    return answer.split(b"\r\n", 1)[0].decode("latin-1")


def test_api_refuses_a_huge_json_body_without_reading_it_all(site):
    """Any reader can hold a write token, so a JSON body over 64 KiB is refused with 413 as
    soon as it is announced or has arrived, not after taking in all of it."""
    base, db = site
    token = "nd_" + "w" * 40
    store = open_store(db)
    try:
        store.add_token(store.user_by_name(EDITOR).id, "big", token_digest(token), "write")
        article = store.latest_articles(1)[0].id
    finally:
        store.close()
    path = f"/api/v1/articles/{quote(article, safe='')}/comments"
    common = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
              "Content-Type: application/json\r\n")
    # A 1 GiB Content-Length: refused from the headers alone, no body sent.
    status = _raw_post(base, common + f"Content-Length: {1 << 30}\r\n\r\n", [])
    assert status.startswith("HTTP/1.1 413"), status
    # Chunked, no length given: 256 KiB sent of a body that never ends; the answer must come
    # while the body is still open (before the fix the server waited for its end).
    chunk = b"%x\r\n%s\r\n" % (16 * 1024, b" " * (16 * 1024))
    status = _raw_post(base, common + "Transfer-Encoding: chunked\r\n\r\n", [chunk] * 16)
    assert status.startswith("HTTP/1.1 413"), status
