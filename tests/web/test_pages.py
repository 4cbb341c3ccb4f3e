"""Tests the home page, article page, health check, errors and headers against a real SQLite store."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from newsdesk.config import load_settings
from newsdesk.models import Article
from newsdesk.store import open_store
from newsdesk.web.app import create_app

NOW = datetime.now(UTC)


def _ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).isoformat(timespec="seconds")


ARTICLES = [
    Article(id="herald-plan", title="Seoul unveils housing plan", outlet="Korea Herald",
            credit="Yonhap", byline="Kim Min-ji", published_at=_ago(hours=6, minutes=5),
            url="https://www.koreaherald.com/view.php?ud=1",
            text="The city said on Monday it would build 10,000 homes.\n\n"
                 "Officials expect the first tenants in 2027.\n\nCritics were unconvinced."),
    Article(id="times-rail", title="New rail line opens", outlet="Korea Times",
            published_at=_ago(hours=30), text="Trains began running on the new line."),
    Article(id="herald-old", title="Parliament passes budget", outlet="Korea Herald",
            credit="(Yonhap)", published_at=_ago(days=3, hours=2),
            text="The National Assembly passed next year's budget."),
    Article(id="wire-fresh", title="Markets open higher", credit="AP",
            published_at=_ago(hours=2, minutes=10), text="Stocks rose in early trading."),
]

HOSTILE = Article(
    id="hostile",
    title="<script>alert(1)</script> headline",
    outlet="<b>Evil</b> Outlet",
    credit="<i>X</i>",
    byline='<img src=x onerror="alert(2)">',
    url="javascript:alert(1)",
    published_at=_ago(hours=1),
    text="<script>alert(1)</script> first\n\n<img src=x onerror=alert(3)> second",
)

CSP_PARTS = ("default-src 'self'", "style-src 'self'", "img-src 'self' data:",
             "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'")


@pytest.fixture()
def store(tmp_path):
    store = open_store("sqlite:///" + str(tmp_path / "t.db"))
    for article in ARTICLES:
        store.save_article(article)
    yield store
    store.close()


@pytest.fixture()
def settings(tmp_path):
    config = tmp_path / "newsdesk.toml"
    config.write_text("", encoding="utf-8")
    return load_settings({"NEWSDESK_CONFIG": str(config)}, page_size=2)


@pytest.fixture()
def client(store, settings):
    with TestClient(create_app(store, settings)) as client:
        yield client


def _order(html: str) -> list[str]:
    return re.findall(r'href="/articles/([^"]+)"', html)


def test_home_lists_newest_first_with_outlet_credit_and_age(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert _order(html) == ["wire-fresh", "herald-plan"]
    assert "Seoul unveils housing plan" in html
    assert "Korea Herald" in html
    assert "(Yonhap)" in html and "(AP)" in html
    assert ">6 hours ago</time>" in html and ">2 hours ago</time>" in html
    assert "The city said on Monday it would build 10,000 homes." in html
    # Outlets with their counts link to the filtered page.
    assert re.search(r'href="/\?outlet=Korea\+Herald">Korea Herald</a> <span class="count">2<', html)
    assert 'href="/?outlet=Korea+Times"' in html


def test_home_paginates_with_older_and_newer_links(client):
    first = client.get("/").text
    assert 'href="/?page=2"' in first and "Older" in first
    assert "Newer" not in first

    second = client.get("/?page=2").text
    assert _order(second) == ["times-rail", "herald-old"]
    assert ">yesterday</time>" in second and ">3 days ago</time>" in second
    assert 'href="/"' in second and "Newer" in second
    assert "Older" not in second

    assert client.get("/?page=3").status_code == 404


def test_home_filters_by_outlet(client):
    response = client.get("/", params={"outlet": "Korea Herald"})
    assert response.status_code == 200
    assert _order(response.text) == ["herald-plan", "herald-old"]
    assert "Latest from Korea Herald" in response.text
    assert 'aria-current="page">Korea Herald' in response.text

    empty = client.get("/", params={"outlet": "Nobody Daily"})
    assert empty.status_code == 200
    assert _order(empty.text) == []
    assert "No articles from Nobody Daily." in empty.text


def test_home_outlet_filter_keeps_the_outlet_across_pages(store, settings):
    with TestClient(create_app(store, settings.replace(page_size=1))) as client:
        html = client.get("/?outlet=Korea+Herald").text
        assert _order(html) == ["herald-plan"]
        assert 'href="/?outlet=Korea+Herald&amp;page=2"' in html
        assert _order(client.get("/?outlet=Korea+Herald&page=2").text) == ["herald-old"]


def test_empty_home(tmp_path, settings):
    with (open_store("sqlite:///" + str(tmp_path / "empty.db")) as empty,
          TestClient(create_app(empty, settings)) as client):
        response = client.get("/")
        assert response.status_code == 200
        assert "No articles yet" in response.text
        assert client.get("/healthz").json() == {"status": "ok", "articles": 0}


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "²", "9" * 5000])
def test_bad_page_is_400(client, page):
    response = client.get("/", params={"page": page})
    assert response.status_code == 400
    assert "page" in response.text
    assert response.headers["content-type"].startswith("text/html")


def test_article_page(client):
    response = client.get("/articles/herald-plan")
    assert response.status_code == 200
    html = response.text
    assert "<h1>Seoul unveils housing plan</h1>" in html
    assert "<title>Seoul unveils housing plan · newsdesk</title>" in html
    assert "Korea Herald" in html and "(Yonhap)" in html and "Kim Min-ji" in html
    assert ">6 hours ago</time>" in html
    assert re.search(r'<time datetime="[^"]+" title="\d+ \w+ \d{4}, \d\d:\d\d UTC">', html)
    paragraphs = re.findall(r"<p>(.*?)</p>", html)
    assert paragraphs[:3] == ["The city said on Monday it would build 10,000 homes.",
                              "Officials expect the first tenants in 2027.",
                              "Critics were unconvinced."]
    assert ('<a href="https://www.koreaherald.com/view.php?ud=1" '
            'rel="noopener noreferrer nofollow">') in html


def test_hostile_article_is_escaped_everywhere(client, store):
    store.save_article(HOSTILE)
    for path in ("/articles/hostile", "/", "/?outlet=%3Cb%3EEvil%3C%2Fb%3E+Outlet"):
        html = client.get(path).text
        assert "<script>" not in html, path
        assert "<img" not in html, path
        assert "<b>Evil" not in html and "<i>X" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
    page = client.get("/articles/hostile").text
    assert "&lt;img src=x onerror=alert(3)&gt; second" in page
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in page
    # The javascript: URL is shown as text, never as a link.
    assert 'href="javascript' not in page.lower()
    assert "javascript:alert(1)" in page


def test_unknown_article_is_a_404_page(client):
    response = client.get("/articles/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "404 Not Found" in response.text
    assert client.get("/no/such/route").status_code == 404


def test_json_errors_for_api_paths_and_json_clients(client):
    response = client.get("/api/articles/nope")
    assert response.status_code == 404
    assert response.json() == {"error": {"status": 404, "message": "Not Found"}}

    response = client.get("/articles/nope", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404

    response = client.get("/?page=abc", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "page" in response.json()["error"]["message"]

    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get("/nope", headers={"Accept": browser}).headers["content-type"].startswith(
        "text/html")


def test_method_not_allowed(client):
    response = client.post("/")
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]


def test_server_error_is_a_500_page_with_headers(store, settings):
    app = create_app(store, settings)

    async def boom(request):
        raise RuntimeError("secret detail")

    app.router.routes.append(Route("/boom", boom))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
        assert response.status_code == 500
        assert "500 Internal Server Error" in response.text
        assert "secret detail" not in response.text
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        response = client.get("/boom", headers={"Accept": "application/json"})
        assert response.json() == {"error": {"status": 500, "message": "internal server error"}}


@pytest.mark.parametrize("path", ["/", "/articles/herald-plan", "/articles/nope", "/healthz",
                                  "/static/style.css", "/?page=abc"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    for part in CSP_PARTS:
        assert part in csp
    assert "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert headers["x-frame-options"] == "DENY"
    assert "camera=()" in headers["permissions-policy"]


def test_pages_have_no_inline_scripts_or_styles(client):
    for path in ("/", "/articles/herald-plan", "/nope"):
        html = client.get(path).text
        assert "<script" not in html
        assert "<style" not in html and " style=" not in html


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "articles": 4}


def test_static_css(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "prefers-color-scheme: dark" in response.text
    assert "@import" not in response.text and "url(http" not in response.text
    assert client.get("/static/missing.css").status_code == 404


def test_undated_and_odd_articles_render(client, store):
    store.save_article(Article(id="odd", title="", text="", published_at="last Tuesday",
                               url="ftp://example.com/file"))
    page = client.get("/articles/odd")
    assert page.status_code == 200
    assert "<h1>Untitled</h1>" in page.text
    assert "<time" not in page.text and 'class="byline"' not in page.text
    assert 'href="ftp:' not in page.text and "ftp://example.com/file" in page.text
    assert ">Untitled</a>" in client.get("/").text
