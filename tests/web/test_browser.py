"""A real browser (Debian's Chromium driven by Playwright) against a real `newsdesk serve`
process on a free port, over the demo corpus."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.demo import CAPTURED_AT, demo_inputs

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason="Debian's chromium is not installed (scripts/test installs it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Ingests the demo corpus and serves it from a real uvicorn process."""
    tmp = tmp_path_factory.mktemp("browser")
    db = f"sqlite:///{tmp / 'demo.db'}"
    assert main(["ingest", "--db", db, "--captured-at", CAPTURED_AT,
                 *[str(p) for p in demo_inputs()]]) == 0
    port = _free_port()
    env = {**os.environ, "NEWSDESK_CONFIG": str(tmp / "none.toml")}
    (tmp / "none.toml").write_text("")
    proc = subprocess.Popen([sys.executable, "-m", "newsdesk", "serve", "--db", db,
                             "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()) from None
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=30)
    proc.stderr.close()


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        context = browser.new_context()
        page = context.new_page()
        page.console_errors = []  # CSP violations and script errors land here
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
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
