"""Reads and writes the article hashtags index: which articles carry a tag, and tag counts."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from ..models import Article
from .articles import SELECT_ARTICLES, row_to_article
from .base import SaveResult
from .timestamps import sortable, utc_iso

__all__ = ["save_created", "list_tags", "articles_with", "story_tags", "clean_tag"]


def clean_tag(tag: str) -> str:
    """Returns a tag as stored: without a leading "#" and surrounding space."""
    return (tag or "").strip().lstrip("#").strip()


def save_created(conn: sqlite3.Connection, batch: list[Article], results: list[SaveResult]) -> None:
    """Indexes the hashtags of the articles of a batch that were newly stored (same transaction
    as the articles, so the index never names an article that is not there)."""
    for article, result in zip(batch, results, strict=True):
        if not result.created or not article.hashtags:
            continue
        row = conn.execute("SELECT sort_at FROM articles WHERE id = ?", (result.id,)).fetchone()
        if row is None:
            continue
        tags = article.hashtags if isinstance(article.hashtags, list) else []
        for rank, tag in enumerate(dict.fromkeys(clean_tag(str(t)) for t in tags)):
            if tag:
                conn.execute("INSERT OR IGNORE INTO article_hashtags(tag, article_id, sort_at, rank) "
                             "VALUES (?, ?, ?, ?)", (tag, result.id, row["sort_at"], rank))


def list_tags(conn: sqlite3.Connection, limit: int,
              since: datetime | str | None = None) -> list[tuple[str, int]]:
    """Returns (tag, article count), most used first, over articles dated at or after since."""
    bound = (utc_iso(since) if isinstance(since, datetime) else sortable(since)) or ""
    rows = conn.execute("SELECT tag, count(*) AS n FROM article_hashtags WHERE sort_at >= ? "
                        "GROUP BY tag ORDER BY n DESC, tag LIMIT ?", (bound, limit))
    return [(r["tag"], int(r["n"])) for r in rows]


def articles_with(conn: sqlite3.Connection, tag: str, limit: int, offset: int) -> list[Article]:
    """Returns the articles carrying a tag (any case, "#" optional), newest first."""
    rows = conn.execute(
        SELECT_ARTICLES + "JOIN article_hashtags h ON h.article_id = a.id WHERE h.tag = ? COLLATE NOCASE "
        "ORDER BY h.sort_at DESC, a.rowid DESC LIMIT ? OFFSET ?", (clean_tag(tag), limit, offset))
    return [row_to_article(r) for r in rows]


def story_tags(conn: sqlite3.Connection, story_id: str) -> list[list[str]]:
    """Returns the hashtag lists of a story's articles (ranked as each article ranks them)."""
    rows = conn.execute(
        "SELECT h.article_id, h.tag FROM article_hashtags h JOIN articles a ON a.id = h.article_id "
        "WHERE a.story_id = ? ORDER BY h.article_id, h.rank", (story_id,))
    lists: dict[str, list[str]] = {}
    for r in rows:
        lists.setdefault(r["article_id"], []).append(r["tag"])
    return list(lists.values())
