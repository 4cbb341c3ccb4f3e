"""The command line end to end: extract, ingest, feeds, crawl, export, against real files, a real
SQLite database and a local HTTP server."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.demo import CAPTURED_AT, DEMO_DIR, demo_inputs
from tests.support.httpserver import Request, Response

ROOT = Path(__file__).resolve().parents[1]
CHROME = ("Hashtags", "Try Our AI Features", "can do for you", "No comments yet",
          "Related Articles")

PARAGRAPH = ("The two delegations met for three hours at the foreign ministry on Tuesday and "
             "agreed to hold a second round of talks before the end of the year, officials said. ")


def _page(n: int) -> bytes:
    body = "".join(f"<p>{PARAGRAPH}Paragraph {k} of story {n}.</p>" for k in range(6))
    return (f"<!doctype html><html lang='en'><head><title>Story {n} | Test Times</title>"
            f"<meta property='og:site_name' content='Test Times'></head><body>"
            f"<nav><a href='/'>Home</a></nav><article><h1>Story {n}</h1>{body}</article>"
            f"<footer>Copyright Test Times</footer></body></html>").encode()


def _feed(srv, count: int) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{srv.url(f'/story/{n}')}</link>"
        f"<guid>{srv.url(f'/story/{n}')}</guid><pubDate>Tue, 24 Nov 2026 0{n}:00:00 GMT</pubDate>"
        f"<description>Summary of story {n}.</description></item>" for n in range(1, count + 1))
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Test Times</title>"
            f"<link>{srv.url('/')}</link><description>test</description>{items}</channel></rss>"
            ).encode()


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A fresh database and settings that allow the loopback test server, without delays."""
    db = f"sqlite:///{tmp_path / 'news.db'}"
    monkeypatch.setenv("NEWSDESK_DB", db)
    monkeypatch.setenv("NEWSDESK_FETCH_ALLOW_NETWORKS", "127.0.0.0/8")
    monkeypatch.setenv("NEWSDESK_FETCH_HOST_DELAY", "0")
    monkeypatch.setenv("NEWSDESK_FETCH_BACKOFF", "0")
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    return tmp_path / "news.db"


def _count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()


def _export(capsys) -> list[dict]:
    capsys.readouterr()
    assert main(["export"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


# -- extract ---------------------------------------------------------------------------------
def test_extract_splits_a_capture_into_blocks_without_chrome(env, capsys):
    assert main(["extract", str(DEMO_DIR / "capture.txt"), "--captured-at", CAPTURED_AT]) == 0
    articles = json.loads(capsys.readouterr().out)
    assert len(articles) >= 4
    related = articles[1:]
    assert all(a["outlet"] and a["published_at"] and a["credit"] for a in related)
    for a in articles:
        assert set(a) >= {"id", "title", "text", "url", "outlet", "credit", "byline",
                          "published_at", "language", "input"}
        for chrome in CHROME:
            assert chrome not in a["text"] and chrome not in a["title"]
    assert not env.exists(), "extract must not create or touch the database"


def test_extract_of_an_html_page_gives_title_outlet_and_text(env, tmp_path, capsys):
    page = tmp_path / "story.html"
    page.write_bytes(_page(7))
    assert main(["extract", str(page), "--url", "https://times.example/story/7"]) == 0
    [article] = json.loads(capsys.readouterr().out)
    assert article["title"] == "Story 7"
    assert article["outlet"] == "Test Times"
    assert article["url"] == "https://times.example/story/7"
    assert "Paragraph 5 of story 7." in article["text"] and "Copyright" not in article["text"]


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://localhost/", "http://[::1]/", "http://10.0.0.1/",
    "http://172.16.5.4/", "http://192.168.0.1/", "http://169.254.169.254/latest/meta-data/",
    "http://2852039166/", "http://0251.0376.0251.0376/", "http://[::ffff:169.254.169.254]/",
    "http://0.0.0.0/", "file:///etc/passwd", "ftp://example.com/x", "gopher://example.com/",
])
def test_extract_refuses_hostile_urls_by_default(url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    monkeypatch.delenv("NEWSDESK_FETCH_ALLOW_NETWORKS", raising=False)
    assert main(["extract", url]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"newsdesk: fetcher: {url} ")
    assert json.loads(captured.out) == []


def test_extract_refuses_a_redirect_to_a_private_address(http_server, tmp_path, monkeypatch,
                                                        capsys):
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("")
    # Only the test server's exact address is allowed: the redirect target is not.
    monkeypatch.setenv("NEWSDESK_FETCH_ALLOW_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("NEWSDESK_FETCH_HOST_DELAY", "0")
    http_server.redirect("/go", "http://169.254.169.254/latest/meta-data/")
    assert main(["extract", http_server.url("/go")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "169.254.169.254" in err


def test_extract_a_url_on_the_allowed_test_server(env, http_server, capsys):
    http_server.route("/story/1", body=_page(1), headers={"Content-Type": "text/html"})
    assert main(["extract", http_server.url("/story/1")]) == 0
    [article] = json.loads(capsys.readouterr().out)
    assert article["title"] == "Story 1" and article["input"] == http_server.url("/story/1")


def test_bad_inputs_are_one_line_each_and_the_rest_go_through(env, tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text("A headline\n\nA body paragraph with enough words to be an article.\n")
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    assert main(["extract", str(tmp_path / "missing.html"), str(empty), str(good)]) == 2
    captured = capsys.readouterr()
    assert [a["title"] for a in json.loads(captured.out)] == ["A headline"]
    err = captured.err.strip().splitlines()
    assert len(err) == 2 and "missing.html" in err[0] and "empty.html" in err[1]


# -- ingest ----------------------------------------------------------------------------------
def test_ingest_of_the_demo_corpus_is_idempotent(env, capsys):
    inputs = [str(p) for p in demo_inputs()]
    assert main(["ingest", "--captured-at", CAPTURED_AT, *inputs]) == 0
    first = _count(env)
    assert first >= 25
    assert main(["ingest", "--captured-at", CAPTURED_AT, *inputs]) == 0
    assert _count(env) == first
    outlets = {a["outlet"] for a in _export(capsys)}
    assert len(outlets) >= 4


def test_ingest_of_a_feed_over_http_twice_stores_each_entry_once(env, http_server, capsys):
    http_server.route("/feed.xml", body=_feed(http_server, 3),
                      headers={"Content-Type": "application/rss+xml"})
    for n in range(1, 4):
        http_server.route(f"/story/{n}", body=_page(n), headers={"Content-Type": "text/html"})
    assert main(["ingest", http_server.url("/feed.xml")]) == 0
    assert main(["ingest", http_server.url("/feed.xml")]) == 0
    articles = _export(capsys)
    assert sorted(a["title"] for a in articles) == ["Story 1", "Story 2", "Story 3"]
    # The pages were extracted (full text, not the feed's one-line summary)...
    assert all("Paragraph 5" in a["text"] for a in articles)
    # ...and fetched once each: the second ingest found the entries stored.
    assert http_server.hits("/story/1") == 1


def test_feed_entry_whose_page_fails_falls_back_to_the_feed_content(env, http_server, capsys):
    http_server.route("/feed.xml", body=_feed(http_server, 1),
                      headers={"Content-Type": "application/rss+xml"})
    http_server.route("/story/1", status=404)
    assert main(["ingest", http_server.url("/feed.xml")]) == 0
    [article] = _export(capsys)
    assert article["title"] == "Story 1" and article["text"] == "Summary of story 1."


def test_crawl_sends_conditional_get_and_stores_nothing_on_304(env, http_server, capsys):
    etag, modified = '"v1"', "Tue, 24 Nov 2026 06:00:00 GMT"
    feed = _feed(http_server, 2)

    def feed_handler(req: Request) -> Response:
        if req.headers.get("if-none-match") == etag:
            return Response(304, headers={"ETag": etag})
        return Response(200, body=feed, headers={"Content-Type": "application/rss+xml",
                                                 "ETag": etag, "Last-Modified": modified})
    http_server.route("/feed.xml", handler=feed_handler)
    for n in (1, 2):
        http_server.route(f"/story/{n}", body=_page(n), headers={"Content-Type": "text/html"})
    assert main(["feeds", "add", http_server.url("/feed.xml")]) == 0
    assert main(["crawl", "--once"]) == 0
    assert _count(env) == 2
    # Make the feed due again, then poll: the server answers 304.
    conn = sqlite3.connect(env)
    conn.execute("UPDATE feeds SET next_poll_at = '2000-01-01T00:00:00+00:00'")
    conn.commit()
    conn.close()
    assert main(["crawl", "--once"]) == 0
    feed_requests = [r for r in http_server.requests if r.path == "/feed.xml"]
    assert len(feed_requests) == 2
    assert feed_requests[1].headers.get("if-none-match") == etag
    assert feed_requests[1].headers.get("if-modified-since") == modified
    assert _count(env) == 2
    capsys.readouterr()
    assert main(["feeds", "list", "--format", "json"]) == 0
    [state] = json.loads(capsys.readouterr().out)
    assert state["etag"] == etag and state["error_count"] == 0 and state["title"] == "Test Times"


def test_crawl_records_a_feed_error_and_backs_off(env, http_server, capsys):
    import signal

    http_server.route("/feed.xml", status=500)
    assert main(["feeds", "add", http_server.url("/feed.xml")]) == 0
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    assert main(["crawl", "--once"]) == 0
    # An in-process crawl gives its caller's signal handlers back.
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers
    capsys.readouterr()
    assert main(["feeds", "list", "--format", "json"]) == 0
    [state] = json.loads(capsys.readouterr().out)
    assert state["error_count"] == 1 and "500" in state["last_error"]
    assert "\n" not in state["last_error"]
    assert state["next_poll_at"] > state["last_polled_at"]
    assert main(["crawl", "--once"]) == 0  # not due again yet: nothing fetched
    assert http_server.hits("/feed.xml") == 1 + 3  # one poll with its retries


def test_opml_import_follows_feeds_and_ingest_polls_them(env, http_server, tmp_path, capsys):
    http_server.route("/feed.xml", body=_feed(http_server, 1),
                      headers={"Content-Type": "application/rss+xml"})
    http_server.route("/story/1", body=_page(1), headers={"Content-Type": "text/html"})
    opml = tmp_path / "subs.opml"
    opml.write_text(f"""<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head>
<body><outline text="News"><outline type="rss" text="Test Times" xmlUrl="{http_server.url('/feed.xml')}"/>
</outline></body></opml>""")
    assert main(["ingest", str(opml)]) == 0
    assert _count(env) == 1
    capsys.readouterr()
    assert main(["feeds", "export"]) == 0
    assert http_server.url("/feed.xml") in capsys.readouterr().out


def test_jsonl_import_keeps_ids_and_reports_bad_lines(env, tmp_path, capsys):
    path = tmp_path / "archive.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "wire-1", "title": "One", "text": "First text.", "credit": "AP"}),
        "{not json",
        json.dumps({"title": "No text"}),
        json.dumps({"title": "Two", "text": "Second text.", "published_at": "2026-11-20T10:00:00Z"}),
    ]))
    assert main(["ingest", str(path)]) == 2
    err = capsys.readouterr().err
    assert "archive.jsonl:2" in err and "archive.jsonl:3" in err
    articles = {a["title"]: a for a in _export(capsys)}
    assert set(articles) == {"One", "Two"}
    assert articles["One"]["id"] == "wire-1" and articles["One"]["credit"] == "AP"


def test_ingest_from_stdin(env, capsys):
    proc = subprocess.run([sys.executable, "-m", "newsdesk", "ingest", "-"], cwd=ROOT,
                          input=b"Stdin headline\n\nStdin body text of the article.\n",
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert [a["title"] for a in _export(capsys)] == ["Stdin headline"]


def test_export_formats_and_since(env, tmp_path, capsys):
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(json.dumps({"title": f"T{n}", "text": "x", "published_at":
                                          f"2026-11-2{n}T00:00:00+00:00"}) for n in range(1, 4)))
    assert main(["ingest", str(path)]) == 0
    capsys.readouterr()
    assert main(["export", "--since", "2026-11-22"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [a["title"] for a in lines] == ["T2", "T3"]
    assert {"story_id", "duplicate_of"} <= set(lines[0])
    assert main(["export", "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("id,title,text,url") and len(out) == 4


# -- bad input corpus ------------------------------------------------------------------------
BADINPUT = ROOT.parent / "shared" / "datasets" / "feeds-badinput"


@pytest.mark.skipif(not BADINPUT.is_dir(), reason="../shared/datasets/feeds-badinput absent")
def test_every_badinput_feed_ingests_without_a_traceback(tmp_path):
    files = sorted(str(p) for p in BADINPUT.rglob("*.xml"))
    db = tmp_path / "bad.db"
    proc = subprocess.run(
        [sys.executable, "-m", "newsdesk", "ingest", "--db", f"sqlite:///{db}", *files],
        cwd=ROOT, capture_output=True, timeout=600, text=True)
    assert "Traceback" not in proc.stderr
    assert proc.returncode in (0, 2)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("newsdesk: ")]
    for line in errors:
        assert "feeds-badinput" in line, line  # every error names its file
    assert _count(db) > 0
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])
def test_crawl_without_once_keeps_polling_until_stopped(env, http_server, stop):
    import os
    import signal
    import time

    http_server.route("/feed.xml", body=_feed(http_server, 1),
                      headers={"Content-Type": "application/rss+xml"})
    http_server.route("/story/1", body=_page(1), headers={"Content-Type": "text/html"})
    assert main(["feeds", "add", http_server.url("/feed.xml")]) == 0
    # A 1-second interval makes the feed due again while the crawler runs. It starts with
    # SIGINT ignored, as a shell's background job (or a test runner's child) does, and must
    # still stop on it.
    proc = subprocess.Popen([sys.executable, "-m", "newsdesk", "crawl"], cwd=ROOT,
                            env={**os.environ, "NEWSDESK_CRAWL_INTERVAL": "1"},
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        deadline = time.monotonic() + 60
        while http_server.hits("/feed.xml") < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        proc.send_signal(getattr(signal, stop))
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert http_server.hits("/feed.xml") >= 2, err
    assert proc.returncode == 0 and "Traceback" not in err
    assert _count(env) == 1


def test_feeds_import_follows_an_opml_and_names_a_missing_file(env, tmp_path, capsys):
    opml = tmp_path / "subs.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><head/><body>'
                    '<outline type="rss" text="A" xmlUrl="https://a.example/rss"/>'
                    '<outline type="rss" text="B" xmlUrl="https://b.example/atom"/></body></opml>')
    assert main(["feeds", "import", str(opml)]) == 0
    assert main(["feeds", "import", str(opml)]) == 0  # importing twice follows each feed once
    capsys.readouterr()
    assert main(["feeds", "list", "--format", "json"]) == 0
    assert [f["url"] for f in json.loads(capsys.readouterr().out)] == [
        "https://a.example/rss", "https://b.example/atom"]
    assert main(["feeds", "import", str(tmp_path / "nope.opml")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "nope.opml" in err


def test_db_option_works_before_and_after_the_subcommand(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("NEWSDESK_DB", raising=False)
    monkeypatch.setenv("NEWSDESK_CONFIG", str(tmp_path / "newsdesk.toml"))
    (tmp_path / "newsdesk.toml").write_text("")
    before, after = tmp_path / "before.db", tmp_path / "after.db"
    assert main(["--db", f"sqlite:///{before}", "ingest", str(DEMO_DIR / "archive.jsonl")]) == 0
    assert main(["ingest", "--db", f"sqlite:///{after}", str(DEMO_DIR / "archive.jsonl")]) == 0
    for path in (before, after):
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 6
