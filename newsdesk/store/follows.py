"""Reads and writes what each reader follows: stories, outlets and, when they exist, more."""

from __future__ import annotations

import sqlite3

from ..models import Article
from .articles import SELECT_ARTICLES, row_to_article
from .timestamps import now_iso

__all__ = ["add", "remove", "list_for", "articles_for"]


def add(conn: sqlite3.Connection, user_id: int, kind: str, target: str) -> None:
    conn.execute("INSERT OR IGNORE INTO follows(user_id, kind, target, created_at) "
                 "VALUES (?, ?, ?, ?)", (user_id, kind, target, now_iso()))


def remove(conn: sqlite3.Connection, user_id: int, kind: str, target: str) -> None:
    conn.execute("DELETE FROM follows WHERE user_id = ? AND kind = ? AND target = ?",
                 (user_id, kind, target))


def list_for(conn: sqlite3.Connection, user_id: int) -> list[tuple[str, str]]:
    rows = conn.execute("SELECT kind, target FROM follows WHERE user_id = ? "
                        "ORDER BY kind, target COLLATE NOCASE", (user_id,))
    return [(r["kind"], r["target"]) for r in rows]


def articles_for(conn: sqlite3.Connection, user_id: int, limit: int) -> list[Article]:
    """Returns the newest articles of the stories and outlets a user follows, copies left out."""
    rows = conn.execute(
        SELECT_ARTICLES + "WHERE a.duplicate_of IS NULL AND ("
        "a.story_id IN (SELECT target FROM follows WHERE user_id = ? AND kind = 'story') "
        "OR o.name COLLATE NOCASE IN (SELECT target FROM follows WHERE user_id = ? AND kind = 'outlet')) "
        "ORDER BY a.sort_at DESC, a.rowid DESC LIMIT ?", (user_id, user_id, limit))
    return [row_to_article(r) for r in rows]
