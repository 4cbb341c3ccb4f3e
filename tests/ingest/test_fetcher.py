"""Tests the polite, safe HTTP fetcher against a local server on 127.0.0.1."""

from __future__ import annotations

import email.utils
import gzip
import socket
import threading
import zlib
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from newsdesk.config import load_settings
from newsdesk.errors import BlockedURLError, FetchError
from newsdesk.ingest import fetcher as fetcher_module
from newsdesk.ingest.fetcher import Fetcher, FetchResult
from tests.support.httpserver import Response


@pytest.fixture
def settings(tmp_path):
    """Settings isolated from the developer's config file, fast and with loopback allowed."""
    config = tmp_path / "newsdesk.toml"
    config.write_text("")
    return load_settings(environ={"NEWSDESK_CONFIG": str(config)}).replace(
        fetch_host_delay=0, fetch_backoff=0.5, fetch_retries=2, fetch_allow_networks="127.0.0.0/8",
        fetch_connect_timeout=2, fetch_read_timeout=2, fetch_total_timeout=5)


class Sleeps(list):
    """An injected sleep that records how long the fetcher asked to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def make_fetcher(settings, sleeps):
    made = []

    def make(**overrides):
        resolver = overrides.pop("resolver", None)
        clock = overrides.pop("clock", None)
        extra = {"clock": clock} if clock else {}
        f = Fetcher(settings.replace(**overrides), resolver=resolver, sleep=sleeps, **extra)
        made.append(f)
        return f

    yield make
    for f in made:
        f.close()


def page_hits(server):
    return [r.path for r in server.requests if r.path != "/robots.txt"]


# --- the happy path -------------------------------------------------------------------


def test_fetch_returns_body_media_type_charset_and_validators(http_server, make_fetcher):
    http_server.route("/feed.xml", b"<rss/>", headers={
        "Content-Type": 'Application/RSS+XML; Charset="UTF-8"', "ETag": '"v1"',
        "Last-Modified": "Tue, 01 Jul 2025 10:00:00 GMT"})
    result = make_fetcher().fetch(http_server.url("/feed.xml"))
    assert result == FetchResult(
        url=http_server.url("/feed.xml"), status=200, content=b"<rss/>",
        content_type="application/rss+xml", charset="UTF-8", etag='"v1"',
        last_modified="Tue, 01 Jul 2025 10:00:00 GMT", fetched_at=result.fetched_at)
    assert result.fetched_at.tzinfo is timezone.utc and not result.not_modified


def test_to_document_carries_body_and_final_url(http_server, make_fetcher):
    http_server.route("/a", b"<p>hi</p>", headers={"Content-Type": "text/html"})
    captured = datetime(2025, 7, 1, tzinfo=timezone.utc)
    doc = make_fetcher().fetch(http_server.url("/a")).to_document("feed-entry", captured)
    assert (doc.input, doc.content, doc.content_type, doc.url, doc.captured_at) == (
        "feed-entry", b"<p>hi</p>", "text/html", http_server.url("/a"), captured)
    assert doc.fetched_at is not None


def test_wrong_charset_header_is_reported_as_given(http_server, make_fetcher):
    body = "café Seoul".encode("utf-8")
    http_server.route("/p", body, headers={"Content-Type": "text/html; charset=latin-1"})
    result = make_fetcher().fetch(http_server.url("/p"))
    assert result.charset == "latin-1" and result.content == body


def test_user_agent_and_accepted_encodings_are_sent(http_server, make_fetcher):
    http_server.route("/p", b"ok")
    make_fetcher(user_agent="testbot/9").fetch(http_server.url("/p"))
    for request in http_server.requests:
        assert request.headers["user-agent"] == "testbot/9"
        assert request.headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize("encode, coding", [
    (gzip.compress, "gzip"),
    (zlib.compress, "deflate"),
    (lambda b: zlib.compress(b)[2:-4], "deflate"),  # raw deflate, as some servers send it
    (lambda b: gzip.compress(b[:5]) + gzip.compress(b[5:]), "gzip"),  # two gzip members
])
def test_compressed_bodies_are_decoded(http_server, make_fetcher, encode, coding):
    text = b"The news of the day. " * 500
    http_server.route("/z", encode(text), headers={"Content-Encoding": coding})
    assert make_fetcher().fetch(http_server.url("/z")).content == text


def test_corrupt_compressed_body_is_an_error(http_server, make_fetcher):
    http_server.route("/z", b"\x1f\x8b\x08\x00garbage" * 10, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match=r"^fetcher: .*/z has a corrupt gzip body"):
        make_fetcher().fetch(http_server.url("/z"))


def test_unsupported_encoding_is_an_error(http_server, make_fetcher):
    http_server.route("/br", b"\x0b\x02\x80hi\x03", headers={"Content-Encoding": "br"})
    with pytest.raises(FetchError, match="unsupported content-encoding br"):
        make_fetcher().fetch(http_server.url("/br"))


# --- the guard ------------------------------------------------------------------------

HOSTILE = [
    "http://127.0.0.1:{port}/",
    "http://localhost:{port}/",
    "http://[::1]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://0.0.0.0:{port}/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://2130706433:{port}/",
    "http://0177.0.0.1:{port}/",
    "http://0x7f000001:{port}/",
    "http://127.1:{port}/",
    "http://intranet.test/",
    "http://example.test@127.0.0.1:{port}/",
    "file:///etc/passwd",
    "ftp://127.0.0.1:{port}/",
]


def local_names(host: str, port: int) -> list[str]:
    return {"localhost": ["127.0.0.1"], "intranet.test": ["10.9.8.7"]}[host]


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_urls_are_refused_with_nothing_fetched(http_server, make_fetcher, template):
    f = make_fetcher(fetch_allow_networks="", resolver=local_names)
    with pytest.raises(BlockedURLError, match=r"^fetcher: "):
        f.fetch(template.format(port=http_server.port))
    assert http_server.requests == []


def test_loopback_is_fetched_when_allowed(http_server, make_fetcher):
    http_server.route("/ok", b"fine")
    assert make_fetcher(fetch_allow_networks="127.0.0.0/8").fetch(
        http_server.url("/ok")).content == b"fine"


def test_hostname_connects_to_the_address_that_was_checked(http_server, make_fetcher):
    http_server.route("/ok", b"fine")
    f = make_fetcher(resolver=lambda host, port: ["127.0.0.1"])
    result = f.fetch(f"http://news.test:{http_server.port}/ok")
    assert result.content == b"fine"
    assert http_server.requests[-1].headers["host"] == f"news.test:{http_server.port}"


def test_dns_rebinding_is_refused_at_connect_time(http_server, make_fetcher):
    # The first answer passes the URL check (198.51.100.0/24 is allowed here, and is a
    # documentation range that routes nowhere); the answer at connect time is loopback.
    answers = [["198.51.100.7"]]

    def rebinding(host: str, port: int) -> list[str]:
        return answers.pop() if answers else ["127.0.0.1"]

    f = make_fetcher(fetch_allow_networks="198.51.100.0/24", resolver=rebinding)
    with pytest.raises(BlockedURLError, match="loopback"):
        f.fetch(f"http://rebind.test:{http_server.port}/", robots=False)
    assert answers == [] and http_server.requests == []


def test_redirect_to_another_loopback_address_is_refused(http_server, make_fetcher):
    http_server.redirect("/start", f"http://127.0.0.2:{http_server.port}/inside")
    f = make_fetcher(fetch_allow_networks="127.0.0.1/32")
    with pytest.raises(BlockedURLError, match=r"/start redirects to a refused URL"):
        f.fetch(http_server.url("/start"))
    assert page_hits(http_server) == ["/start"]


@pytest.mark.parametrize("target", ["http://10.0.0.1/admin", "file:///etc/passwd",
                                    "http://169.254.169.254/latest/meta-data/"])
def test_redirect_to_private_address_or_scheme_is_refused_before_connecting(
        http_server, make_fetcher, target):
    # 10.0.0.1 is never contacted: the guard refuses the hop before any connection.
    http_server.redirect("/start", target, status=301)
    with pytest.raises(BlockedURLError):
        make_fetcher(fetch_allow_networks="127.0.0.1/32").fetch(http_server.url("/start"))


def test_proxy_setting_routes_requests_through_the_proxy(http_server, make_fetcher):
    # The local server plays the proxy: a forward proxy receives the absolute URL as path.
    http_server.route("http://news.test/page", b"via proxy")
    f = make_fetcher(fetch_proxy=http_server.url("/"), fetch_allow_networks="198.51.100.0/24",
                     resolver=lambda host, port: ["198.51.100.7"])
    assert f.fetch("http://news.test/page", robots=False).content == b"via proxy"
    with pytest.raises(BlockedURLError):  # the target is still checked by name
        f.fetch("http://10.0.0.1/", robots=False)
    assert [r.path for r in http_server.requests] == ["http://news.test/page"]


# --- redirects --------------------------------------------------------------------------


def test_redirects_are_followed_and_the_final_url_reported(http_server, make_fetcher):
    http_server.redirect("/old", "/middle", status=301)
    http_server.redirect("/middle", http_server.url("/new"), status=307)
    http_server.route("/new", b"moved here")
    result = make_fetcher().fetch(http_server.url("/old"))
    assert (result.url, result.content) == (http_server.url("/new"), b"moved here")


def test_redirect_loop_ends_with_an_error(http_server, make_fetcher):
    http_server.redirect("/a", "/b")
    http_server.redirect("/b", "/a")
    with pytest.raises(FetchError, match="redirect loop"):
        make_fetcher().fetch(http_server.url("/a"))
    assert page_hits(http_server) == ["/a", "/b"]


def test_redirect_cap_ends_with_an_error(http_server, make_fetcher):
    for i in range(10):
        http_server.redirect(f"/r{i}", f"/r{i + 1}")
    with pytest.raises(FetchError, match="redirected more than 3 times"):
        make_fetcher(fetch_max_redirects=3).fetch(http_server.url("/r0"))
    assert page_hits(http_server) == ["/r0", "/r1", "/r2", "/r3"]


# --- conditional GET --------------------------------------------------------------------


def test_conditional_get_sends_validators_and_returns_304(http_server, make_fetcher):
    def feed(request):
        if request.headers.get("if-none-match") == '"v1"':
            return Response(304, headers={"ETag": '"v1"'})
        return Response(200, b"<rss/>", {"ETag": '"v1"'})

    http_server.route("/feed", handler=feed)
    f = make_fetcher()
    first = f.fetch(http_server.url("/feed"))
    second = f.fetch(http_server.url("/feed"), etag=first.etag,
                     last_modified="Tue, 01 Jul 2025 10:00:00 GMT")
    assert second.not_modified and second.status == 304 and second.content == b""
    assert second.etag == '"v1"'
    sent = [r.headers for r in http_server.requests if r.path == "/feed"][-1]
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Tue, 01 Jul 2025 10:00:00 GMT"


def test_304_without_validators_keeps_the_callers(http_server, make_fetcher):
    http_server.route("/feed", status=304)
    result = make_fetcher().fetch(http_server.url("/feed"), etag='"x"', last_modified="yesterday")
    assert (result.etag, result.last_modified) == ('"x"', "yesterday")


# --- retries ----------------------------------------------------------------------------


def test_429_with_retry_after_is_honoured_then_succeeds(http_server, make_fetcher, sleeps):
    http_server.route("/p", responses=[Response(429, headers={"Retry-After": "7"}),
                                       Response(200, b"finally")])
    assert make_fetcher().fetch(http_server.url("/p"), robots=False).content == b"finally"
    assert sleeps == [7.0] and http_server.hits("/p") == 2


def test_retry_after_as_http_date_is_honoured(http_server, make_fetcher, sleeps):
    when = email.utils.format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30),
                                       usegmt=True)
    http_server.route("/p", responses=[Response(503, headers={"Retry-After": when}),
                                       Response(200, b"ok")])
    make_fetcher().fetch(http_server.url("/p"), robots=False)
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 30


def test_retry_after_beyond_the_limit_raises_with_retry_after(http_server, make_fetcher,
                                                              sleeps):
    http_server.route("/p", status=503, headers={"Retry-After": "3600"})
    with pytest.raises(FetchError, match="Retry-After 3600s") as caught:
        make_fetcher(fetch_max_retry_after=120).fetch(http_server.url("/p"), robots=False)
    assert (caught.value.status, caught.value.retry_after) == (503, 3600.0)
    assert sleeps == [] and http_server.hits("/p") == 1


def test_5xx_is_retried_with_backoff_then_fails(http_server, make_fetcher, sleeps):
    http_server.route("/p", status=500)
    with pytest.raises(FetchError, match="answered HTTP 500 after 3 tries") as caught:
        make_fetcher().fetch(http_server.url("/p"), robots=False)
    assert caught.value.status == 500
    assert sleeps == [0.5, 1.0] and http_server.hits("/p") == 3


def test_connection_errors_are_retried_then_reported_in_one_line(make_fetcher, sleeps):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match=r"^fetcher: cannot connect to 127.0.0.1") as caught:
        make_fetcher().fetch(f"http://127.0.0.1:{port}/", robots=False)
    assert "\n" not in str(caught.value) and sleeps == [0.5, 1.0]


def test_other_error_status_is_not_retried(http_server, make_fetcher, sleeps):
    with pytest.raises(FetchError, match=r"answered HTTP 404$") as caught:
        make_fetcher().fetch(http_server.url("/missing"))
    assert caught.value.status == 404 and sleeps == []


# --- size and time caps ------------------------------------------------------------------


def test_content_length_over_the_cap_is_refused_early(http_server, make_fetcher):
    http_server.route("/big", b"x" * 5000)
    with pytest.raises(FetchError, match=r"^fetcher: response from 127.0.0.1 over 1000 bytes "
                                         r"limit$"):
        make_fetcher(fetch_max_bytes=1000).fetch(http_server.url("/big"))


def test_streamed_body_over_the_cap_is_cut(http_server, make_fetcher):
    http_server.route("/big", [b"x" * 400] * 10)  # no Content-Length
    with pytest.raises(FetchError, match="over 1000 bytes limit"):
        make_fetcher(fetch_max_bytes=1000).fetch(http_server.url("/big"))


@pytest.mark.parametrize("compress, coding", [(gzip.compress, "gzip"),
                                              (zlib.compress, "deflate")])
def test_decompression_bomb_stops_at_the_cap(http_server, make_fetcher, compress, coding):
    bomb = compress(b"\0" * 20_000_000)  # about 20 KB on the wire, 20 MB inflated
    http_server.route("/bomb", bomb, headers={"Content-Encoding": coding})
    with pytest.raises(FetchError, match="over 100000 bytes limit"):
        make_fetcher(fetch_max_bytes=100_000).fetch(http_server.url("/bomb"))


def test_inflating_a_bomb_yields_small_pieces():
    decoder = fetcher_module._Decoder("gzip", "http://x.test/")
    first = next(decoder.feed(gzip.compress(b"\0" * 20_000_000)))
    assert len(first) <= fetcher_module._INFLATE_STEP


def test_slow_trickle_ends_at_the_total_timeout(http_server, make_fetcher):
    http_server.route("/slow", [b"x"] * 1000, chunk_delay=0.05)
    with pytest.raises(FetchError, match="took longer than 0.5s in total"):
        make_fetcher(fetch_total_timeout=0.5, fetch_retries=0).fetch(
            http_server.url("/slow"), robots=False)


# --- robots.txt --------------------------------------------------------------------------


ROBOTS = b"User-agent: newsdesk\nDisallow: /private\n\nUser-agent: *\nDisallow: /\n"


def test_robots_disallow_is_honoured_for_our_agent(http_server, make_fetcher):
    http_server.route("/robots.txt", ROBOTS)
    http_server.route("/public", b"ok")
    f = make_fetcher()
    with pytest.raises(FetchError, match=r"^fetcher: .*/private/1 disallowed by robots.txt$"):
        f.fetch(http_server.url("/private/1"))
    assert f.fetch(http_server.url("/public")).content == b"ok"
    assert page_hits(http_server) == ["/public"] and http_server.hits("/robots.txt") == 1


def test_robots_rules_for_other_agents_do_not_apply(http_server, make_fetcher):
    http_server.route("/robots.txt", b"User-agent: otherbot\nDisallow: /\n")
    http_server.route("/p", b"ok")
    assert make_fetcher().fetch(http_server.url("/p")).content == b"ok"


@pytest.mark.parametrize("status", [404, 403, 410])
def test_missing_robots_allows_everything(http_server, make_fetcher, status):
    http_server.route("/robots.txt", status=status)
    http_server.route("/p", b"ok")
    assert make_fetcher().fetch(http_server.url("/p")).content == b"ok"


def test_unavailable_robots_refuses_the_page(http_server, make_fetcher):
    http_server.route("/robots.txt", status=503)
    with pytest.raises(FetchError, match="robots.txt of .* unavailable"):
        make_fetcher(fetch_retries=0).fetch(http_server.url("/p"))
    assert page_hits(http_server) == []


def test_robots_can_be_skipped(http_server, make_fetcher):
    http_server.route("/robots.txt", b"User-agent: *\nDisallow: /\n")
    http_server.route("/p", b"ok")
    make_fetcher().fetch(http_server.url("/p"), robots=False)
    make_fetcher(fetch_respect_robots=False).fetch(http_server.url("/p"))
    assert http_server.hits("/robots.txt") == 0


# --- politeness --------------------------------------------------------------------------


def test_per_host_delay_calls_the_injected_sleep(http_server, make_fetcher, sleeps):
    http_server.route("/p", b"ok")
    f = make_fetcher(fetch_host_delay=5, clock=lambda: 100.0,
                     resolver=lambda host, port: ["127.0.0.1"])
    f.fetch(http_server.url("/p"), robots=False)
    assert sleeps == []
    f.fetch(http_server.url("/p"), robots=False)
    assert sleeps == [5.0]
    f.fetch(f"http://other.test:{http_server.port}/p", robots=False)  # another host: no wait
    assert sleeps == [5.0]


def test_per_host_delay_gives_concurrent_fetches_separate_turns(http_server, make_fetcher,
                                                                sleeps):
    http_server.route("/p", b"ok")
    f = make_fetcher(fetch_host_delay=5, clock=lambda: 100.0)
    threads = [threading.Thread(target=f.fetch, args=(http_server.url("/p"),),
                                kwargs={"robots": False}) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(sleeps) == [5.0, 10.0, 15.0, 20.0] and http_server.hits("/p") == 5


def test_an_injected_transport_still_gets_urls_checked(settings):
    def answer(request):
        return httpx.Response(200, content=gzip.compress(b"mocked"),
                              headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"})

    public = lambda host, port: ["93.184.216.34"]  # noqa: E731
    with Fetcher(settings, transport=httpx.MockTransport(answer), resolver=public) as f:
        assert f.fetch("https://news.example/a", robots=False).content == b"mocked"
        with pytest.raises(BlockedURLError):
            f.fetch("http://192.168.0.1/", robots=False)


def test_every_public_name_exists():
    for name in fetcher_module.__all__:
        assert hasattr(fetcher_module, name), name
