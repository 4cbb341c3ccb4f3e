"""Network faults from a local feed server, driven through whole crawl polls: each one ends in a
bounded wait, a one-line error recorded on the feed, a backoff that doubles while the fault lasts,
no crash, and a clean recovery that stores every entry once when the server heals.

tests/ingest/test_fetcher.py checks the fetcher's own answer to 5xx, Retry-After, redirect loops,
bombs, the byte cap and slow trickles; here the same faults and the ones it does not cover (a
server that stalls before its headers, a body cut mid-way, a truncated gzip stream, an invalid TLS
certificate, missing or wrong charsets) go through ``Crawler.poll`` and the store.
"""

from __future__ import annotations

import gzip
import shutil
import ssl
import subprocess
import threading
import zlib
from datetime import datetime, timedelta

import pytest

from newsdesk.config import load_settings
from newsdesk.crawl import Crawler
from newsdesk.errors import FetchError
from newsdesk.ingest.fetcher import Fetcher
from newsdesk.pipeline import Pipeline
from newsdesk.store import open_store
from tests.support.httpserver import LocalHTTPServer, Request, Response

INTERVAL = 600  # crawl_interval of these tests: a failing feed waits 600 s, then 1200 s, ...
PARAGRAPH = ("The delegations met for three hours at the ministry on Tuesday and agreed to hold a "
             "second round of talks before the end of the year, officials said. ")


def _feed(srv: LocalHTTPServer, count: int, title: str = "Fault Times") -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{srv.url(f'/story/{n}')}</link>"
        f"<guid>{srv.url(f'/story/{n}')}</guid><pubDate>Tue, 24 Nov 2026 0{n % 10}:00:00 GMT"
        f"</pubDate><description>Summary of story {n}.</description></item>"
        for n in range(1, count + 1))
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{title}"
            f"</title><link>{srv.url('/')}</link><description>d</description>{items}"
            "</channel></rss>").encode()


def _page(n: int, word: str = "talks") -> str:
    body = "".join(f"<p>{PARAGRAPH}Paragraph {k} of story {n} on the {word}.</p>" for k in range(5))
    return (f"<!doctype html><html><head><title>Story {n}</title></head><body><article>"
            f"<h1>Story {n}</h1>{body}</article></body></html>")


class Sleeps(list):
    """The fetcher's injected sleep: records the backoff it asked for, waits for nothing."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def settings(tmp_path):
    config = tmp_path / "newsdesk.toml"
    config.write_text("")
    return load_settings(environ={"NEWSDESK_CONFIG": str(config)}).replace(
        fetch_host_delay=0, fetch_backoff=0.5, fetch_retries=1, fetch_allow_networks="127.0.0.0/8",
        fetch_connect_timeout=1, fetch_read_timeout=0.3, fetch_total_timeout=3,
        fetch_max_bytes=200_000, fetch_respect_robots=False, crawl_interval=INTERVAL)


@pytest.fixture
def crawl(tmp_path, settings):
    """Returns make(settings overrides) -> (crawler, store, sleeps), all closed at the end."""
    opened = []

    def make(**overrides):
        local = settings.replace(**overrides)
        store = open_store(f"sqlite:///{tmp_path / 'faults.db'}")
        sleeps = Sleeps()
        pipeline = Pipeline(local, store=store, fetcher=Fetcher(local, sleep=sleeps), enrichers=[])
        opened.append((pipeline, store))
        return Crawler(pipeline), store, sleeps

    yield make
    for pipeline, store in opened:
        pipeline.close()
        store.close()


def _stalling(release: threading.Event):
    """A handler that sends nothing until released (or 5 s pass): no status line, no headers."""
    def handler(request: Request) -> Response:
        release.wait(5)
        return Response(200, b"late")
    return handler


def _route_fault(srv: LocalHTTPServer, fault: str, release: threading.Event) -> None:
    feed = _feed(srv, 3)
    if fault == "stall before headers":
        srv.route("/feed.xml", handler=_stalling(release))
    elif fault == "body cut mid-way":
        srv.route("/feed.xml", feed[: len(feed) // 2], headers={"Content-Length": str(len(feed))})
    elif fault == "truncated gzip":
        packed = gzip.compress(feed)
        srv.route("/feed.xml", [packed[: len(packed) // 2]], headers={"Content-Encoding": "gzip"})
    elif fault == "5xx burst":
        srv.route("/feed.xml", status=503)
    elif fault == "429 with long Retry-After":
        srv.route("/feed.xml", status=429, headers={"Retry-After": "7200"})
    elif fault == "redirect loop":
        srv.redirect("/feed.xml", "/feed2.xml")
        srv.redirect("/feed2.xml", "/feed.xml")
    elif fault == "redirect to a private address":
        srv.redirect("/feed.xml", f"http://127.0.0.2:{srv.port}/feed.xml")
    elif fault == "gzip bomb":
        srv.route("/feed.xml", gzip.compress(b"<rss>" + b" " * 30_000_000),
                  headers={"Content-Encoding": "gzip"})
    elif fault == "deflate bomb":
        srv.route("/feed.xml", zlib.compress(b"\0" * 30_000_000),
                  headers={"Content-Encoding": "deflate"})
    elif fault == "body over the cap":
        srv.route("/feed.xml", [b"<rss>" + b" " * 100_000] * 3)  # no Content-Length to refuse early
    elif fault == "not a feed":
        srv.route("/feed.xml", b"\x00\xff\xfe garbage \x00" * 50,
                  headers={"Content-Type": "application/octet-stream"})
    else:
        raise AssertionError(fault)


FAULTS = {  # fault -> what the recorded error must say
    "stall before headers": "timed out waiting for data",
    "body cut mid-way": "peer closed connection without sending complete message body",
    "truncated gzip": "truncated gzip body",
    "5xx burst": "answered HTTP 503 after 2 tries",
    "429 with long Retry-After": "Retry-After 7200s, over the",
    "redirect loop": "redirect loop",
    "redirect to a private address": "redirects to a refused URL",
    "gzip bomb": "over 200000 bytes limit",
    "deflate bomb": "over 200000 bytes limit",
    "body over the cap": "over 200000 bytes limit",
    "not a feed": "feed",
}


def _gap(feed) -> float:
    return (datetime.fromisoformat(feed.next_poll_at)
            - datetime.fromisoformat(feed.last_polled_at)).total_seconds()


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_fault_is_one_line_on_the_feed_backs_off_and_heals(fault, http_server, crawl):
    crawler, store, sleeps = crawl(**({"fetch_allow_networks": "127.0.0.1/32"}
                                      if fault == "redirect to a private address" else {}))
    release = threading.Event()
    _route_fault(http_server, fault, release)
    for n in (1, 2, 3):
        http_server.route(f"/story/{n}", _page(n), headers={"Content-Type": "text/html"})
    feed = store.add_feed(http_server.url("/feed.xml"))
    try:
        for failures in (1, 2):
            result = crawler.poll(feed)
            assert result.status == "error", fault
            [state] = store.list_feeds()
            assert state.error_count == failures
            assert state.last_error == result.error and "\n" not in state.last_error
            assert FAULTS[fault] in state.last_error, state.last_error
            assert http_server.url("/feed.xml") in state.last_error or fault == "gzip bomb" \
                or fault.endswith("the cap") or fault == "deflate bomb" or fault == "not a feed"
            if fault == "429 with long Retry-After":
                assert _gap(state) >= 7200  # the server's wish beats a shorter backoff
            else:
                assert _gap(state) == INTERVAL * 2 ** (failures - 1)  # doubles while it fails
            assert store.count_articles() == 0
            assert not crawler.due()  # backed off: not polled again before next_poll_at
            feed = state
    finally:
        release.set()
    assert all(0 <= s <= 1.0 for s in sleeps)  # retries waited the configured backoff only

    # The server heals: the next poll stores every entry once and clears the error.
    http_server.route("/feed.xml", _feed(http_server, 3),
                      headers={"Content-Type": "application/rss+xml"})
    result = crawler.poll(feed)
    assert (result.status, result.created) == ("fetched", 3), result
    [state] = store.list_feeds()
    assert state.error_count == 0 and state.last_error is None and _gap(state) == INTERVAL
    assert crawler.poll(state).created == 0 and store.count_articles() == 3


def test_entry_pages_that_fail_mid_response_fall_back_to_the_feed_entry(http_server, crawl):
    crawler, store, _ = crawl()
    feed_body = _feed(http_server, 3)
    http_server.route("/feed.xml", feed_body, headers={"Content-Type": "application/rss+xml"})
    page = _page(1).encode()
    http_server.route("/story/1", page[:300], headers={"Content-Length": str(len(page))})
    packed = gzip.compress(_page(2).encode())
    http_server.route("/story/2", [packed[:200]], headers={"Content-Encoding": "gzip"})
    http_server.route("/story/3", _page(3), headers={"Content-Type": "text/html"})
    feed = store.add_feed(http_server.url("/feed.xml"))
    result = crawler.poll(feed)
    assert (result.status, result.created) == ("fetched", 3)
    texts = {a.title: a.text for a in store.latest_articles()}
    # A cut page is not stored half-read: its entry's own summary stands in for it.
    assert texts["Story 1"] == "Summary of story 1." and texts["Story 2"] == "Summary of story 2."
    assert "Paragraph 4 of story 3" in texts["Story 3"]


def _tls_server(tmp_path) -> LocalHTTPServer:
    """Returns a LocalHTTPServer speaking TLS with a fresh self-signed certificate."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    srv = LocalHTTPServer()
    inner = srv._server  # the socketserver under the helper: wrap its listening socket
    inner.socket = context.wrap_socket(inner.socket, server_side=True)
    return srv


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_an_invalid_tls_certificate_is_refused_in_one_line(tmp_path, crawl):
    crawler, store, sleeps = crawl()
    with _tls_server(tmp_path) as srv:
        srv.route("/feed.xml", _feed(srv, 2), headers={"Content-Type": "application/rss+xml"})
        url = f"https://127.0.0.1:{srv.port}/feed.xml"
        with pytest.raises(FetchError, match=r"^fetcher: cannot connect to 127.0.0.1: .*CERTIFICATE"):
            crawler.pipeline.fetcher.fetch(url)
        feed = store.add_feed(url)
        result = crawler.poll(feed)
        [state] = store.list_feeds()
        assert result.status == "error" and "\n" not in state.last_error
        assert "CERTIFICATE_VERIFY_FAILED" in state.last_error and _gap(state) == INTERVAL
        assert store.count_articles() == 0 and srv.hits("/feed.xml") == 0  # nothing was served


CAFE = "Caf\u00e9 r\u00e9opens after the strike"


@pytest.mark.parametrize("encoding, prolog, header", [
    ("windows-1252", "", "application/rss+xml"),                   # no charset anywhere
    ("windows-1252", " encoding='utf-8'", "application/rss+xml"),  # prolog lies
    ("utf-8", "", "application/rss+xml; charset=iso-8859-7"),      # header lies
    ("utf-8", "", "application/rss+xml; charset=no-such-charset"),  # header names nothing
    ("utf-16", " encoding='utf-16'", "text/xml"),                  # wide, declared only inside
])
def test_wrong_or_missing_charsets_still_store_readable_entries(encoding, prolog, header,
                                                                 http_server, crawl):
    crawler, store, _ = crawl()
    xml = (f"<?xml version='1.0'{prolog}?><rss version='2.0'><channel><title>Charset Times</title>"
           f"<item><title>{CAFE}</title><guid>c1</guid><description>{CAFE}, the owner said on "
           "Monday.</description></item></channel></rss>")
    http_server.route("/feed.xml", xml.encode(encoding), headers={"Content-Type": header})
    result = crawler.poll(store.add_feed(http_server.url("/feed.xml")))
    assert (result.status, result.created) == ("fetched", 1), result
    [article] = store.latest_articles()
    # Words survive even where the accents cannot be recovered from a lying declaration.
    assert "opens after the strike" in article.title and "\n" not in article.title
    if encoding == "utf-16" or "charset=" not in header and "encoding" not in prolog:
        assert article.title == CAFE


@pytest.mark.parametrize("body, header", [
    (_page(1, "caf\u00e9").encode("windows-1252"), "text/html"),
    (_page(1, "caf\u00e9").encode("windows-1252"), "text/html; charset=utf-8"),
    (_page(1, "caf\u00e9").encode("utf-8"), "text/html; charset=bogus-8"),
    (_page(1, "caf\u00e9").encode("utf-8"), None),
])
def test_entry_pages_with_wrong_or_missing_charsets_are_extracted(body, header, http_server,
                                                                   crawl):
    crawler, store, _ = crawl()
    http_server.route("/feed.xml", _feed(http_server, 1), headers={"Content-Type": "text/xml"})
    http_server.route("/story/1", body, headers={"Content-Type": header} if header else {})
    result = crawler.poll(store.add_feed(http_server.url("/feed.xml")))
    assert (result.status, result.created) == ("fetched", 1), result
    [article] = store.latest_articles()
    assert "Paragraph 4 of story 1 on the caf" in article.text
    assert "\x00" not in article.text


def test_a_feed_polled_after_its_backoff_is_due_again(http_server, crawl):
    crawler, store, _ = crawl()
    http_server.route("/feed.xml", status=500)
    feed = store.add_feed(http_server.url("/feed.xml"))
    crawler.poll(feed)
    [state] = store.list_feeds()
    later = datetime.fromisoformat(state.next_poll_at) + timedelta(seconds=1)
    crawler.clock = lambda: later
    assert [f.url for f in crawler.due()] == [http_server.url("/feed.xml")]
