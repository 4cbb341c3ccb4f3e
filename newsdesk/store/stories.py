"""Reads and writes stories: their clustering state and the lists and counts pages show."""

from __future__ import annotations

import sqlite3

from ..models import Article, StorySummary
from .articles import SELECT_ARTICLES, row_to_article
from .timestamps import now_iso

__all__ = ["save_state", "get_state", "states_between", "summaries", "members", "get_summary"]

_SUMMARY = (
    "SELECT s.id, s.title, s.first_seen, coalesce(s.last_seen, max(a.ingested_at)) AS last_seen, "
    "count(a.rowid) AS articles, count(DISTINCT a.outlet_id) AS outlets, "
    "sum(a.duplicate_of IS NOT NULL) AS reprints "
    "FROM stories s JOIN articles a ON a.story_id = s.id ")


def _summary(row: sqlite3.Row) -> StorySummary:
    return StorySummary(id=row["id"], title=row["title"], first_seen=row["first_seen"],
                        last_seen=row["last_seen"], articles=int(row["articles"]),
                        outlets=int(row["outlets"]), reprints=int(row["reprints"] or 0))


def save_state(conn: sqlite3.Connection, story_id: str, title: str, first_seen: str | None,
               last_seen: str | None, size: int, state: str) -> None:
    """Inserts or replaces a story's clustering state (JSON from the stories step)."""
    conn.execute(
        "INSERT INTO stories(id, title, first_seen, last_seen, size, state, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET title = excluded.title, "
        "first_seen = excluded.first_seen, last_seen = excluded.last_seen, "
        "size = excluded.size, state = excluded.state, updated_at = excluded.updated_at",
        (story_id, title, first_seen, last_seen, size, state, now_iso()))


def get_state(conn: sqlite3.Connection, story_id: str) -> str | None:
    row = conn.execute("SELECT state FROM stories WHERE id = ?", (story_id,)).fetchone()
    return row["state"] if row else None


def states_between(conn: sqlite3.Connection, start: str | None, end: str | None,
                   limit: int) -> list[str]:
    """Returns the states of stories last seen within [start, end] (either bound may be open),
    most recent first; undated stories count as recent."""
    rows = conn.execute(
        "SELECT state FROM stories WHERE (? IS NULL OR last_seen IS NULL OR last_seen >= ?) "
        "AND (? IS NULL OR first_seen IS NULL OR first_seen <= ?) "
        "ORDER BY last_seen IS NULL, last_seen DESC LIMIT ?", (start, start, end, end, limit))
    return [r["state"] for r in rows]


def summaries(conn: sqlite3.Connection, limit: int, offset: int) -> list[StorySummary]:
    """Returns stories, most recently updated first."""
    rows = conn.execute(_SUMMARY + "GROUP BY s.id ORDER BY last_seen DESC, s.id LIMIT ? OFFSET ?",
                        (limit, offset))
    return [_summary(r) for r in rows]


def get_summary(conn: sqlite3.Connection, story_id: str) -> StorySummary | None:
    row = conn.execute(_SUMMARY + "WHERE s.id = ? GROUP BY s.id", (story_id,)).fetchone()
    return _summary(row) if row else None


def members(conn: sqlite3.Connection, story_id: str) -> list[Article]:
    """Returns a story's articles, oldest first (ingest time when undated)."""
    rows = conn.execute(SELECT_ARTICLES + "WHERE a.story_id = ? ORDER BY a.sort_at, a.rowid",
                        (story_id,))
    return [row_to_article(r) for r in rows]
