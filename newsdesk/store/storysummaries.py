"""Reads story summaries, computing them on first read and caching them in story_summaries.

A story's summary depends only on its articles, so the cache row carries a signature of them
(article count and the newest article's rowid, and the method's version): when an article
joins the story the signature changes and the next read computes the summary again. Reads
that find a fresh row cost one small query; the summarising itself is
``enrich.summaries.story_summary``.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager
from typing import Callable

from ..enrich.hashtags import story_hashtags
from ..enrich.summaries import story_summary
from ..models import StorySummary
from . import hashtags
from .stories import get_summary, members
from .timestamps import now_iso

__all__ = ["get", "tags", "top_between"]


# Bump when the summarising method changes, so cached summaries are computed again.
METHOD_VERSION = 1


def _signature(conn: sqlite3.Connection, story_id: str) -> str | None:
    row = conn.execute("SELECT count(*) AS n, max(rowid) AS last FROM articles WHERE story_id = ?",
                       (story_id,)).fetchone()
    return f"v{METHOD_VERSION}:{row['n']}:{row['last']}" if row and row["n"] else None


def get(reader: sqlite3.Connection, write: Callable[[], AbstractContextManager[sqlite3.Connection]],
        story_id: str) -> list[dict]:
    """Returns the story's summary sentences ({text, article_id, source_sentence, outlet});
    [] for an unknown story."""
    signature = _signature(reader, story_id)
    if signature is None:
        return []
    row = reader.execute("SELECT signature, summary FROM story_summaries WHERE story_id = ?",
                         (story_id,)).fetchone()
    if row is not None and row["signature"] == signature:
        return json.loads(row["summary"])
    summary = story_summary(members(reader, story_id))
    with write() as conn:
        conn.execute("INSERT INTO story_summaries(story_id, signature, summary, computed_at) "
                     "VALUES (?, ?, ?, ?) ON CONFLICT(story_id) DO UPDATE SET "
                     "signature = excluded.signature, summary = excluded.summary, "
                     "computed_at = excluded.computed_at",
                     (story_id, signature, json.dumps(summary, ensure_ascii=False), now_iso()))
    return summary


def tags(reader: sqlite3.Connection, story_id: str, limit: int) -> list[str]:
    """Returns the story's hashtags: those most of its articles carry."""
    return story_hashtags(hashtags.story_tags(reader, story_id), limit)


def top_between(conn: sqlite3.Connection, start: str, end: str,
                limit: int) -> list[tuple[StorySummary, int, int]]:
    """Returns the stories with articles dated in [start, end) (UTC ISO strings), each with
    its articles and distinct outlets in that span, most outlets first, then most articles."""
    rows = conn.execute(
        "SELECT a.story_id AS id, count(*) AS day_articles, "
        "count(DISTINCT coalesce(CAST(a.outlet_id AS TEXT), a.id)) AS day_outlets FROM articles a "
        "WHERE a.story_id IS NOT NULL AND a.sort_at >= ? AND a.sort_at < ? GROUP BY a.story_id "
        "ORDER BY day_outlets DESC, day_articles DESC, max(a.sort_at) DESC, a.story_id LIMIT ?",
        (start, end, limit)).fetchall()
    out = []
    for r in rows:
        story = get_summary(conn, r["id"])
        if story is not None:
            out.append((story, int(r["day_articles"]), int(r["day_outlets"])))
    return out
