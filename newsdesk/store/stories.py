"""Reads and writes stories: their clustering state and the lists and counts pages show."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import numpy as np

from ..models import Article, StorySummary
from .articles import SELECT_ARTICLES, row_to_article
from .timestamps import now_iso, utc_iso

__all__ = ["save_state", "summaries", "members", "get_summary", "copies_of", "related"]

_SUMMARY = (
    "SELECT s.id, s.title, s.first_seen, coalesce(s.last_seen, max(a.ingested_at)) AS last_seen, "
    "count(a.rowid) AS articles, count(DISTINCT a.outlet_id) AS outlets, "
    "count(a.duplicate_of) AS reprints "
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


def copies_of(conn: sqlite3.Connection, article_id: str) -> list[Article]:
    """Returns the syndicated copies of an article, oldest first."""
    rows = conn.execute(SELECT_ARTICLES + "WHERE a.duplicate_of = ? ORDER BY a.sort_at, a.rowid",
                        (article_id,))
    return [row_to_article(r) for r in rows]


# Similar stories are looked for among articles published within this many days of the
# article, at most this many of them: a related list is about the same stretch of news, and
# the cap keeps a page view to one small matrix product.
RELATED_WINDOW_DAYS = 7
RELATED_CANDIDATES = 2000


def related(conn: sqlite3.Connection, article_id: str, limit: int) -> list[Article]:
    """Returns related articles: the rest of the article's story (copies folded into their
    original), then the closest articles of other stories by embedding, one per story."""
    row = conn.execute("SELECT story_id, duplicate_of, sort_at FROM articles WHERE id = ?",
                       (article_id,)).fetchone()
    if row is None:
        return []
    own = {article_id, row["duplicate_of"]}
    found: list[Article] = []
    if row["story_id"]:
        rows = conn.execute(
            SELECT_ARTICLES + "WHERE a.story_id = ? AND a.duplicate_of IS NULL "
            "ORDER BY a.sort_at DESC, a.rowid DESC LIMIT ?", (row["story_id"], limit + 2))
        found = [row_to_article(r) for r in rows if r["id"] not in own][:limit]
    if len(found) < limit:
        found += _similar_stories(conn, article_id, row["story_id"], row["sort_at"],
                                  limit - len(found))
    return found


def _similar_stories(conn: sqlite3.Connection, article_id: str, story_id: str | None,
                     sort_at: str, limit: int) -> list[Article]:
    mine = conn.execute("SELECT model, vector FROM article_vectors WHERE article_id = ?",
                        (article_id,)).fetchone()
    if mine is None:
        return []
    when, window = datetime.fromisoformat(sort_at), timedelta(days=RELATED_WINDOW_DAYS)
    rows = conn.execute(
        "SELECT a.id, a.story_id, v.vector FROM articles a JOIN article_vectors v "
        "ON v.article_id = a.id WHERE v.model = ? AND a.duplicate_of IS NULL "
        "AND a.story_id IS NOT NULL AND a.story_id IS DISTINCT FROM ? "
        "AND a.sort_at BETWEEN ? AND ? ORDER BY abs(julianday(a.sort_at) - julianday(?)) "
        "LIMIT ?", (mine["model"], story_id, utc_iso(when - window), utc_iso(when + window),
                    sort_at, RELATED_CANDIDATES)).fetchall()
    if not rows:
        return []
    query = np.frombuffer(mine["vector"], dtype=np.float32)
    matrix = np.stack([np.frombuffer(r["vector"], dtype=np.float32) for r in rows])
    order = np.argsort(-(matrix @ query), kind="stable")
    picked: list[str] = []
    stories_seen: set[str] = set()
    for i in order:
        if rows[i]["story_id"] not in stories_seen:
            stories_seen.add(rows[i]["story_id"])
            picked.append(rows[i]["id"])
            if len(picked) == limit:
                break
    by_id = {a.id: a for a in (row_to_article(r) for r in conn.execute(
        SELECT_ARTICLES + f"WHERE a.id IN ({','.join('?' * len(picked))})", picked))}
    return [by_id[i] for i in picked if i in by_id]
