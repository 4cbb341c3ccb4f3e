"""Reads and writes feeds being followed and the entries already taken from them."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from ..models import Feed
from .timestamps import now_iso, utc_iso

__all__ = ["add", "get", "list_all", "due", "update", "seen", "mark"]

_COLUMNS = ("title", "site_url", "etag", "last_modified", "poll_interval", "next_poll_at",
            "last_polled_at", "error_count", "last_error", "paused")


def _row_to_feed(row: sqlite3.Row) -> Feed:
    return Feed(id=row["id"], url=row["url"], **{c: row[c] for c in _COLUMNS if c != "paused"},
                paused=bool(row["paused"]))


def add(conn: sqlite3.Connection, url: str, title: str | None, site_url: str | None) -> None:
    """Adds the feed if its URL is new; a known feed keeps its state (titles fill gaps only)."""
    now = now_iso()
    conn.execute(
        "INSERT INTO feeds(url, title, site_url, next_poll_at, created_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(url) DO UPDATE SET title = coalesce(feeds.title, excluded.title), "
        "site_url = coalesce(feeds.site_url, excluded.site_url)",
        (url, title, site_url, now, now))


def get(conn: sqlite3.Connection, url: str) -> Feed | None:
    row = conn.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
    return _row_to_feed(row) if row else None


def list_all(conn: sqlite3.Connection) -> list[Feed]:
    return [_row_to_feed(r) for r in conn.execute("SELECT * FROM feeds ORDER BY id")]


def due(conn: sqlite3.Connection, now: datetime) -> list[Feed]:
    rows = conn.execute("SELECT * FROM feeds WHERE paused = 0 AND next_poll_at <= ? "
                        "ORDER BY next_poll_at, id", (utc_iso(now),))
    return [_row_to_feed(r) for r in rows]


def update(conn: sqlite3.Connection, feed: Feed) -> None:
    values = [getattr(feed, c) for c in _COLUMNS]
    values[_COLUMNS.index("paused")] = int(feed.paused)
    conn.execute("UPDATE feeds SET " + ", ".join(f"{c} = ?" for c in _COLUMNS) + " WHERE id = ?",
                 (*values, feed.id))


def seen(conn: sqlite3.Connection, feed_id: int, guids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(guids), 500):  # stay under SQLite's bound-parameter limit
        chunk = guids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(f"SELECT guid FROM feed_entries WHERE feed_id = ? AND guid IN ({marks})",
                            (feed_id, *chunk))
        found.update(r["guid"] for r in rows)
    return found


def mark(conn: sqlite3.Connection, feed_id: int, guid: str, article_id: str | None) -> None:
    conn.execute("INSERT OR IGNORE INTO feed_entries(feed_id, guid, article_id, seen_at) "
                 "VALUES (?, ?, ?, ?)", (feed_id, guid, article_id, now_iso()))
