"""Tests that every hostile URL in one table is refused by default through the public fetch
paths: the Fetcher, `newsdesk extract URL`, and a redirect from a local server to the URL.

tests/ingest/test_netguard.py checks the guard's rules on more spellings with a fake resolver;
this table goes through the real resolver and real sockets, with a victim server listening on
127.0.0.1 that must never see a request.
"""

from __future__ import annotations

import pytest

from newsdesk.cli import main
from newsdesk.config import load_settings
from newsdesk.errors import BlockedURLError
from newsdesk.ingest.fetcher import Fetcher
from tests.support.httpserver import LocalHTTPServer

# (what it is, URL); {port} is the victim server's port on 127.0.0.1.
HOSTILE = [
    ("loopback", "http://127.0.0.1:{port}/secret"),
    ("loopback, rest of 127/8", "http://127.0.0.2:{port}/secret"),
    ("IPv6 loopback", "http://[::1]:{port}/secret"),
    ("unspecified (reaches this host on Linux)", "http://0.0.0.0:{port}/secret"),
    ("IPv6 unspecified", "http://[::]:{port}/secret"),
    ("private 10/8", "http://10.0.0.1/"),
    ("private 10/8, top", "http://10.255.255.254/"),
    ("private 172.16/12", "http://172.16.0.1/"),
    ("private 172.16/12, top", "http://172.31.255.254/"),
    ("private 192.168/16", "http://192.168.1.1/"),
    ("cloud metadata", "http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
    ("link-local", "http://169.254.1.1/"),
    ("IPv4-mapped IPv6 loopback", "http://[::ffff:127.0.0.1]:{port}/secret"),
    ("IPv4-mapped IPv6 loopback, hex", "http://[::ffff:7f00:1]:{port}/secret"),
    ("IPv4-mapped IPv6 metadata", "http://[::ffff:169.254.169.254]/"),
    ("IPv4-mapped IPv6 private", "http://[::ffff:10.0.0.1]/"),
    ("decimal IP", "http://2130706433:{port}/secret"),
    ("decimal IP of metadata", "http://2852039166/"),
    ("octal IP", "http://0177.0.0.1:{port}/secret"),
    ("octal IP, one number", "http://017700000001:{port}/secret"),
    ("hex IP", "http://0x7f.0.0.1:{port}/secret"),
    ("hex IP, one number", "http://0x7f000001:{port}/secret"),
    ("short IP", "http://127.1:{port}/secret"),
    ("host name resolving to loopback", "http://localhost:{port}/secret"),
    ("host name resolving to loopback, trailing dot", "http://LOCALHOST.:{port}/secret"),
    ("credentials before a loopback host", "http://news.example@127.0.0.1:{port}/secret"),
    ("file: scheme", "file:///etc/passwd"),
    ("ftp: scheme", "ftp://127.0.0.1:{port}/secret"),
    ("gopher: scheme", "gopher://127.0.0.1:{port}/_GET%20/secret"),
    ("dict: scheme", "dict://127.0.0.1:{port}/info"),
    ("data: scheme", "data:text/html,<script>alert(1)</script>"),
    ("javascript: scheme", "javascript:alert(1)"),
]
IDS = [label for label, _ in HOSTILE]


@pytest.fixture
def victim():
    """The service an attacker wants reached: it answers everything, and counts."""
    with LocalHTTPServer() as server:
        server.route("/secret", b"the secret")
        yield server


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """Default settings (no developer config): nothing but the public internet is allowed."""
    config = tmp_path / "newsdesk.toml"
    config.write_text("")
    monkeypatch.setenv("NEWSDESK_CONFIG", str(config))
    return load_settings(environ={"NEWSDESK_CONFIG": str(config)}).replace(fetch_host_delay=0,
                                                                           fetch_retries=0)


def _one_line_refusal(message: str) -> None:
    assert message.startswith("fetcher: ") and "\n" not in message
    assert any(word in message for word in ("resolves to", "points to", "scheme", "credentials",
                                            "not a valid URL", "no host")), message


@pytest.mark.parametrize("label, template", HOSTILE, ids=IDS)
def test_hostile_url_is_refused_everywhere(label, template, victim, settings, capsys):
    url = template.format(port=victim.port)
    assert settings.fetch_allow_networks == ""  # the default: nothing private is allowed

    # 1. The Fetcher (what crawl and ingest use).
    with Fetcher(settings) as fetcher, pytest.raises(BlockedURLError) as caught:
        fetcher.fetch(url)
    _one_line_refusal(str(caught.value))

    # 2. `newsdesk extract URL`: exit status 2, the refusal on stderr, no article.
    assert main(["extract", url]) == 2
    out, err = capsys.readouterr()
    assert out.strip() == "[]"
    assert err.startswith("newsdesk: fetcher: ") and "refused" not in out, err

    # 3. A page on a server the operator allowed (127.0.0.3 only) redirects to the URL.
    with LocalHTTPServer("127.0.0.3") as redirector:
        redirector.redirect("/start", url, status=302)
        allowed = settings.replace(fetch_allow_networks="127.0.0.3/32")
        with Fetcher(allowed) as fetcher, pytest.raises(BlockedURLError) as caught:
            fetcher.fetch(redirector.url("/start"))
        message = str(caught.value)
        assert message.startswith(f"fetcher: {redirector.url('/start')} redirects to a refused "
                                  "URL: ") and "\n" not in message
        assert redirector.hits("/start") == 1

    assert victim.requests == []  # nothing above ever reached the victim


def test_the_redirector_itself_is_reachable_so_the_redirect_cases_mean_something(victim,
                                                                                 settings):
    with LocalHTTPServer("127.0.0.3") as redirector:
        redirector.route("/page", b"public page")
        with Fetcher(settings.replace(fetch_allow_networks="127.0.0.3/32")) as fetcher:
            assert fetcher.fetch(redirector.url("/page")).content == b"public page"
        # And the victim is reachable when the operator allows it: the refusals above come
        # from the guard, not from a dead server.
        with Fetcher(settings.replace(fetch_allow_networks="127.0.0.1/32")) as fetcher:
            assert fetcher.fetch(victim.url("/secret")).content == b"the secret"
