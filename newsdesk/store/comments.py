"""Reads and writes comments on articles and the moderation queue."""

from __future__ import annotations

import sqlite3

from ..models import Comment
from .timestamps import now_iso

__all__ = ["add", "get", "for_article", "edit", "set_status", "queue", "recent_count",
           "duplicate_of", "by_user"]

_SELECT = ("SELECT c.*, u.username, a.title AS article_title FROM comments c "
           "JOIN users u ON u.id = c.user_id LEFT JOIN articles a ON a.id = c.article_id ")


def _comment(row: sqlite3.Row) -> Comment:
    return Comment(id=int(row["id"]), article_id=row["article_id"], user_id=int(row["user_id"]),
                   username=row["username"], body=row["body"], status=row["status"],
                   created_at=row["created_at"], parent_id=row["parent_id"],
                   reason=row["reason"], edited_at=row["edited_at"],
                   article_title=row["article_title"])


def add(conn: sqlite3.Connection, article_id: str, user_id: int, parent_id: int | None,
        body: str, status: str, reason: str | None, fingerprint: str) -> int:
    cur = conn.execute(
        "INSERT INTO comments(article_id, user_id, parent_id, body, status, reason, fingerprint, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (article_id, user_id, parent_id, body, status, reason, fingerprint, now_iso()))
    return int(cur.fetchone()[0])


def get(conn: sqlite3.Connection, comment_id: int) -> Comment | None:
    row = conn.execute(_SELECT + "WHERE c.id = ?", (comment_id,)).fetchone()
    return _comment(row) if row else None


def for_article(conn: sqlite3.Connection, article_id: str, viewer_id: int | None,
                moderator: bool) -> list[Comment]:
    """Returns an article's comments oldest first: the visible and deleted ones (deleted keep
    their place in a thread), plus held ones to their author and to moderators."""
    rows = conn.execute(
        _SELECT + "WHERE c.article_id = ? AND (c.status IN ('visible', 'deleted') "
        "OR (c.status = 'pending' AND (c.user_id = ? OR ? = 1))) ORDER BY c.id",
        (article_id, viewer_id, int(moderator)))
    return [_comment(r) for r in rows]


def by_user(conn: sqlite3.Connection, user_id: int, limit: int) -> list[Comment]:
    rows = conn.execute(_SELECT + "WHERE c.user_id = ? ORDER BY c.id DESC LIMIT ?",
                        (user_id, limit))
    return [_comment(r) for r in rows]


def edit(conn: sqlite3.Connection, comment_id: int, body: str, status: str, reason: str | None,
         fingerprint: str) -> None:
    conn.execute("UPDATE comments SET body = ?, status = ?, reason = ?, fingerprint = ?, "
                 "edited_at = ? WHERE id = ?",
                 (body, status, reason, fingerprint, now_iso(), comment_id))


def set_status(conn: sqlite3.Connection, comment_id: int, status: str,
               reason: str | None = None) -> None:
    if status == "deleted":  # the text goes; the row stays so that replies keep their thread
        conn.execute("UPDATE comments SET status = 'deleted', body = '', edited_at = ? "
                     "WHERE id = ?", (now_iso(), comment_id))
    else:
        conn.execute("UPDATE comments SET status = ?, reason = coalesce(?, reason) WHERE id = ?",
                     (status, reason, comment_id))


def queue(conn: sqlite3.Connection, limit: int) -> list[Comment]:
    """Returns held comments, oldest first."""
    rows = conn.execute(_SELECT + "WHERE c.status = 'pending' ORDER BY c.id LIMIT ?", (limit,))
    return [_comment(r) for r in rows]


def recent_count(conn: sqlite3.Connection, user_id: int, since: str) -> int:
    row = conn.execute("SELECT count(*) FROM comments WHERE user_id = ? AND created_at >= ?",
                       (user_id, since)).fetchone()
    return int(row[0])


def duplicate_of(conn: sqlite3.Connection, fingerprint: str, since: str,
                 exclude_id: int | None = None) -> tuple[int, int] | None:
    """Returns (comment id, user id) of an earlier comment with the same text since then."""
    row = conn.execute("SELECT id, user_id FROM comments WHERE fingerprint = ? AND created_at >= ? "
                       "AND id IS DISTINCT FROM ? AND status != 'deleted' ORDER BY id LIMIT 1",
                       (fingerprint, since, exclude_id)).fetchone()
    return (int(row["id"]), int(row["user_id"])) if row else None
