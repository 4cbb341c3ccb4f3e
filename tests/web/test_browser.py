"""A real browser (Debian's Chromium driven by Playwright) against a real `newsdesk serve`
process on a free port, over the demo corpus."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.demo import CAPTURED_AT, demo_inputs
from tests.support.browser import CHROMIUM, launch_chromium, served

# Screenshots for docs/web.md are written only when asked:
#   NEWSDESK_SCREENSHOTS=docs/screenshots .venv/bin/pytest tests/web/test_browser.py
SCREENSHOTS = os.environ.get("NEWSDESK_SCREENSHOTS")
_STATE: dict = {}
# An ingested article whose title, outlet and text carry markup that would run if unescaped.
HOSTILE_ARTICLE = {
    "id": "hostile-browser", "title": "Hostile <script>window.pwned = 1</script> headline",
    "outlet": "<img src=x onerror=\"window.pwned = 2\">Evil Outlet",
    "published_at": "2026-11-01T00:00:00+00:00",
    "text": "<script>window.pwned = 3</script>First paragraph.\n\n<b onmouseover=\"window.pwned=4\">"
            "Second</b> paragraph.",
}

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason="Debian's chromium is not installed (scripts/test installs it)")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    """Ingests the demo corpus and serves it from a real uvicorn process, on each engine."""
    tmp = tmp_path_factory.mktemp("browser")
    if request.param == "sqlite":
        db = f"sqlite:///{tmp / 'demo.db'}"
    else:
        from tests.support.pg import fresh_database_url

        db = fresh_database_url()
    assert main(["ingest", "--db", db, "--captured-at", CAPTURED_AT,
                 *[str(p) for p in demo_inputs()]]) == 0
    _STATE["db"], _STATE["tmp"] = db, tmp
    with served(db, tmp) as base:
        yield base


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        context = browser.new_context()
        page = context.new_page()
        page.console_errors = []  # CSP violations and script errors land here
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.dialogs = []  # an alert() from injected markup would land here
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        yield page
        context.close()
        browser.close()


def test_home_lists_demo_articles_and_an_article_opens(page, server, tmp_path):
    page.goto(server + "/")
    items = page.locator("main article, main li").all()
    assert len(items) >= 10
    body = page.inner_text("body")
    assert "Yonhap" in body and "ago" in body
    first = page.locator("main a[href^='/articles/']").first
    headline = first.inner_text().strip()
    first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip() == headline
    assert len(page.locator("main p").all()) >= 2
    page.screenshot(path=str(tmp_path / "article.png"), full_page=True)
    assert page.console_errors == []


def test_outlet_filter_shows_only_that_outlet(page, server):
    page.goto(server + "/?outlet=The+Seoul+Ledger")
    text = page.inner_text("main")
    assert "The Seoul Ledger" in text
    assert page.locator("main a[href^='/articles/']").count() >= 3


def test_unknown_article_is_a_404_page(page, server):
    response = page.goto(server + "/articles/doesnotexist")
    assert response.status == 404
    assert "not found" in page.inner_text("body").lower()


def _shot(page, name: str, selector: str | None = None) -> None:
    """Saves a screenshot for docs/web.md when NEWSDESK_SCREENSHOTS names a folder."""
    if not SCREENSHOTS:
        return
    Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1200, "height": 900})
    target = page.locator(selector) if selector else page
    target.screenshot(path=str(Path(SCREENSHOTS) / name))


def _ensure_hostile() -> None:
    """Ingests the hostile article into the served database (the server process reads it at
    once; a second ingest of the same article is a no-op)."""
    path = _STATE["tmp"] / "hostile.jsonl"
    path.write_text(json.dumps(HOSTILE_ARTICLE) + "\n", encoding="utf-8")
    assert main(["ingest", "--db", _STATE["db"], str(path)]) == 0


def test_home_story_and_article_pages(page, server):
    page.goto(server + "/")
    assert page.locator("#top-title").inner_text() == "Top stories now"
    _shot(page, "home.png")
    page.locator(".top-stories a[href^='/stories/']").first.click()
    page.wait_for_load_state()
    assert page.locator("#story-title").is_visible()
    assert page.locator("svg.chart rect.bar").count() >= 2
    assert page.locator(".timeline li").count() >= 2
    _shot(page, "story.png")
    page.locator(".timeline a[href^='/articles/']").first.click()
    page.wait_for_load_state()
    assert page.locator("#comments-title").is_visible()
    _shot(page, "article.png")
    # A summary line jumps to its sentence in the body, which CSS marks (no script).
    page.locator(".summary a").first.click()
    target = page.locator(".sentence:target")
    assert target.count() == 1
    assert target.evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"
    page.locator(".people a").first.click()
    page.wait_for_load_state()
    assert page.locator("#entity-title").is_visible()
    _shot(page, "entity.png")


def test_hostile_article_markup_never_runs(page, server):
    _ensure_hostile()
    page.console_errors.clear()
    page.goto(server + "/articles/hostile-browser")
    assert "<script>window.pwned = 1</script>" in page.locator("h1").inner_text()
    assert "<script>window.pwned = 3</script>" in page.inner_text("main")
    page.hover("main .body")
    assert page.evaluate("() => window.pwned === undefined")
    page.goto(server + "/")
    assert page.evaluate("() => window.pwned === undefined")
    assert page.dialogs == [] and page.console_errors == []


def test_register_comment_see_it_and_log_out(page, server):
    _ensure_hostile()
    page.console_errors.clear()
    page.goto(server + "/")
    page.click("text=Register")
    page.fill("#username", "browser_user")
    page.fill("#password", "a long browser password")
    page.fill("#confirm", "a long browser password")
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".account-nav").inner_text().startswith("browser_user")
    page.goto(server + "/articles/hostile-browser")
    body = "Nice piece. <script>window.pwned = 5</script><img src=x onerror=\"window.pwned=6\">"
    page.fill("#comment-body", body)
    page.click(".comment-form button[type=submit]")
    page.wait_for_load_state()
    comment = page.locator(".comment").last
    assert body in comment.inner_text()
    assert page.evaluate("() => window.pwned === undefined")
    assert page.dialogs == []
    # A reply through the no-JavaScript <details> form.
    comment.locator("summary").click()
    comment.locator("textarea").fill("Replying to myself.")
    comment.locator("details button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".thread .thread .comment").first.inner_text().find("Replying to myself.") >= 0
    _shot(page, "comments.png", "#comments")
    page.goto(server + "/account")
    _shot(page, "account.png")
    page.click(".account-nav button:has-text('Log out')")
    page.wait_for_load_state()
    assert "Log in" in page.locator(".account-nav").inner_text()
    page.goto(server + "/account")
    assert "/login" in page.url
    assert page.console_errors == []


def _log_out(page, server) -> None:
    page.goto(server + "/")
    page.click(".account-nav button:has-text('Log out')")
    page.wait_for_load_state()


def test_held_comment_is_approved_by_an_editor(page, server, monkeypatch):
    _ensure_hostile()
    page.console_errors.clear()
    monkeypatch.setenv("NEWSDESK_PASSWORD", "an editor's password")
    assert main(["users", "add", "editor1", "--role", "editor", "--db", _STATE["db"]]) == 0
    page.goto(server + "/register")
    page.fill("#username", "spammer1")
    page.fill("#password", "a long spammer password")
    page.fill("#confirm", "a long spammer password")
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    page.goto(server + "/articles/hostile-browser")
    page.fill("#comment-body", "BUY NOW at http://a.example http://b.example http://c.example")
    page.click(".comment-form button[type=submit]")
    page.wait_for_load_state()
    assert "awaiting moderation" in page.locator(".comment-pending").last.inner_text()
    _log_out(page, server)
    page.goto(server + "/login")
    page.fill("#username", "editor1")
    page.fill("#password", "an editor's password")
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    page.goto(server + "/moderation")
    held = page.locator(".queue .comment").first
    assert "3 links (more than 2)" in held.inner_text()
    _shot(page, "moderation.png")
    held.locator("button:has-text('Approve')").click()
    page.wait_for_load_state()
    assert "Nothing is waiting" in page.inner_text("main")
    _log_out(page, server)
    page.goto(server + "/articles/hostile-browser")
    assert "BUY NOW" in page.inner_text("#comments")
    assert page.console_errors == []
