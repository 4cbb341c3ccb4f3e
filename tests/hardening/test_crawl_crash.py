"""`newsdesk crawl` survives a feed server that fails mid-response and SIGKILL at any moment:
after restarts every entry is stored once, feed errors are recorded in one line with a backoff,
and nothing is duplicated.

A local server (tests/support/httpserver.py) serves three growing RSS feeds with ETags (a 304
when nothing changed) and a page per entry. On a random third of the requests it misbehaves:
the connection drops after part of the body (a lying Content-Length), a gzip stream stops half
way, or it answers a burst of 503s longer than the fetcher's retries. Each trial starts
`newsdesk crawl --once` as a separate process and SIGKILLs it at a random moment (or lets it
finish); the feeds grow between trials. At the end the server heals and crawls run until every
feed is clean. ``NEWSDESK_CRAWL_TRIALS`` sets the number of trials (default 12).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from tests.support.httpserver import LocalHTTPServer, Request, Response

ROOT = Path(__file__).resolve().parents[2]
TRIALS = int(os.environ.get("NEWSDESK_CRAWL_TRIALS", "12"))
FEEDS = 3
PARAGRAPH = ("The council voted on the budget late on Monday after a long debate about the roads, "
             "the schools and the new library, members said. ")


class FeedSite:
    """Three feeds whose entry count grows, with faults injected at random while ``faulty``."""

    def __init__(self, srv: LocalHTTPServer, seed: int):
        self.srv = srv
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.entries = [3] * FEEDS  # entries each feed lists now
        self.faulty = True
        self.faults: dict[str, int] = {}
        self.burst: dict[str, int] = {}  # path -> 503s still to send
        for k in range(FEEDS):
            srv.route(f"/feed{k}.xml", handler=self.feed)
        srv.route("/robots.txt", status=404)

    def grow(self) -> None:
        with self.lock:
            self.entries = [n + self.rng.randint(0, 3) for n in self.entries]

    def all_urls(self) -> set[str]:
        return {self.srv.url(f"/story/{k}/{n}") for k in range(FEEDS)
                for n in range(1, self.entries[k] + 1)}

    def _body(self, k: int) -> bytes:
        items = "".join(
            f"<item><title>Feed {k} story {n}</title><link>{self.srv.url(f'/story/{k}/{n}')}</link>"
            f"<guid isPermaLink='false'>feed{k}-{n}</guid><description>Summary of story {n} of "
            f"feed {k}.</description></item>" for n in range(self.entries[k], 0, -1))
        return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Feed "
                f"{k}</title><link>{self.srv.url('/')}</link><description>d</description>{items}"
                "</channel></rss>").encode()

    def _fault(self, path: str, body: bytes, headers: dict[str, str]) -> Response | None:
        """Returns a broken response for path, or None to answer properly."""
        if self.burst.get(path):
            self.burst[path] -= 1
            return Response(503, b"busy")
        if not self.faulty or self.rng.random() > 0.33:
            return None
        kind = self.rng.choice(("cut", "gzip", "burst"))
        self.faults[kind] = self.faults.get(kind, 0) + 1
        if kind == "cut":  # the connection drops after part of the body
            return Response(200, body[: self.rng.randint(1, len(body) - 1)],
                            {**headers, "Content-Length": str(len(body))})
        if kind == "gzip":  # the gzip stream stops half way; the connection closes
            packed = gzip.compress(body)
            return Response(200, [packed[: len(packed) // 2]],
                            {**headers, "Content-Encoding": "gzip"})
        self.burst[path] = 5  # more 503s than the fetcher's 3 retries: the poll fails
        return Response(503, b"busy")

    def feed(self, request: Request) -> Response:
        k = int(request.path.split("?")[0][len("/feed"):-len(".xml")])
        with self.lock:
            body = self._body(k)
            tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            headers = {"Content-Type": "application/rss+xml", "ETag": tag}
            broken = self._fault(request.path, body, headers)
            if broken:
                return broken
            # Pages of entries the feed lists are routed here, under the same faults.
            for n in range(1, self.entries[k] + 1):
                self.srv.route(f"/story/{k}/{n}", handler=self.page)
        if request.headers.get("if-none-match") == tag:
            return Response(304, b"", {"ETag": tag})
        if self.rng.random() < 0.5:
            return Response(200, gzip.compress(body), {**headers, "Content-Encoding": "gzip"})
        return Response(200, body, headers)

    def page(self, request: Request) -> Response:
        _, _, k, n = request.path.split("/")
        body = (f"<!doctype html><html><head><title>Feed {k} story {n}</title></head><body>"
                f"<article><h1>Feed {k} story {n}</h1>"
                + "".join(f"<p>{PARAGRAPH}Part {p} of story {n} of feed {k}.</p>" for p in range(4))
                + "</article></body></html>").encode()
        with self.lock:
            broken = self._fault(request.path, body, {"Content-Type": "text/html"})
        return broken or Response(200, body, {"Content-Type": "text/html"})


def _env(tmp_path: Path, db: Path) -> dict[str, str]:
    config = tmp_path / "newsdesk.toml"
    config.write_text("")
    return {**os.environ, "NEWSDESK_CONFIG": str(config), "NEWSDESK_DB": f"sqlite:///{db}",
            "NEWSDESK_FETCH_ALLOW_NETWORKS": "127.0.0.0/8", "NEWSDESK_FETCH_HOST_DELAY": "0",
            "NEWSDESK_FETCH_BACKOFF": "0", "NEWSDESK_FETCH_READ_TIMEOUT": "3",
            "NEWSDESK_CRAWL_INTERVAL": "1", "NEWSDESK_CRAWL_ERROR_BACKOFF_MAX": "2",
            "PYTHONHASHSEED": "0"}


def _crawl(env: dict, log: Path) -> subprocess.Popen:
    with log.open("a") as err:
        return subprocess.Popen([sys.executable, "-m", "newsdesk", "crawl", "--once"], cwd=ROOT,
                                env=env, stdout=subprocess.DEVNULL, stderr=err)


def _feeds(db: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM feeds ORDER BY id").fetchall()
    finally:
        conn.close()


def _check_feed_rows(db: Path, seen_errors: set[str]) -> None:
    """Every recorded feed error is one line and comes with a backoff."""
    for row in _feeds(db):
        if row["error_count"]:
            assert row["last_error"] and "\n" not in row["last_error"], row["last_error"]
            assert row["next_poll_at"] > row["last_polled_at"]
            gap = (datetime.fromisoformat(row["next_poll_at"])
                   - datetime.fromisoformat(row["last_polled_at"])).total_seconds()
            assert gap == min(2 ** (row["error_count"] - 1), 2)  # interval 1 s, cap 2 s
            seen_errors.add(row["last_error"])


def test_crawl_killed_at_random_points_against_a_failing_server_stores_each_entry_once(tmp_path):
    db = tmp_path / "crawl.db"
    env = _env(tmp_path, db)
    log = tmp_path / "crawl.log"
    rng = random.Random(20261128)
    with LocalHTTPServer() as srv:
        site = FeedSite(srv, seed=7)
        for k in range(FEEDS):
            subprocess.run([sys.executable, "-m", "newsdesk", "feeds", "add",
                            srv.url(f"/feed{k}.xml")], cwd=ROOT, env=env, check=True,
                           capture_output=True, timeout=120)
        start = time.monotonic()
        proc = _crawl(env, log)
        assert proc.wait(timeout=300) == 0, log.read_text()[-2000:]
        clean_seconds = time.monotonic() - start

        seen_errors: set[str] = set()
        kills = trials = 0
        # Each crawl is killed after a random time up to 1.2x the last clean crawl's length, so
        # kills land anywhere in a crawl; the first crawl (imports, a cold cache) can be far
        # slower than later ones, and a loaded machine changes every length, so the bound
        # follows the crawls that finished and trials go on (up to 3x) until a third were killed.
        bound = clean_seconds * 1.2
        while trials < TRIALS or (kills < TRIALS // 3 and trials < 3 * TRIALS):
            trials += 1
            site.grow()
            time.sleep(1.1)  # the 1 s crawl interval passes: every feed is due again
            started = time.monotonic()
            proc = _crawl(env, log)
            try:
                proc.wait(timeout=rng.uniform(0.3, bound))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=60)
                kills += 1
            else:
                assert proc.returncode == 0, log.read_text()[-2000:]
                bound = max(0.6, (time.monotonic() - started) * 1.2)
            _check_feed_rows(db, seen_errors)

        # The server heals; crawls run until every feed has polled cleanly.
        site.faulty = False
        for _ in range(10):
            time.sleep(2.1)  # past the longest backoff (2 s)
            proc = _crawl(env, log)
            assert proc.wait(timeout=300) == 0, log.read_text()[-2000:]
            if all(row["error_count"] == 0 for row in _feeds(db)):
                break
        expected = site.all_urls()

    assert "Traceback" not in log.read_text()
    assert kills >= TRIALS // 3, f"only {kills} of {trials} trials were killed"
    assert sum(site.faults.values()) >= 3 and seen_errors, site.faults
    assert all(row["error_count"] == 0 and row["last_error"] is None for row in _feeds(db))
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        urls = [r[0] for r in conn.execute("SELECT url FROM articles")]
        titles = [r[0] for r in conn.execute("SELECT title FROM articles")]
        marked = conn.execute("SELECT count(*) FROM feed_entries WHERE article_id IS NOT NULL "
                              "AND article_id IN (SELECT id FROM articles)").fetchone()[0]
    finally:
        conn.close()
    assert len(urls) == len(set(urls)) and len(titles) == len(set(titles)), "an entry is stored twice"
    assert set(urls) == expected, f"missing {sorted(expected - set(urls))[:5]}"
    assert marked == len(expected)  # every entry is marked seen, pointing at its article
    print(f"crawl crash: {kills} SIGKILLs in {TRIALS} trials, faults served {site.faults}, "
          f"{len(seen_errors)} distinct feed errors recorded, {len(expected)} entries")
