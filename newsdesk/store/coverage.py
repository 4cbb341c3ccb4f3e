"""Reads the aggregates the web pages show: top stories now, volume over time, outlet facts."""

from __future__ import annotations

import sqlite3

from ..models import StorySummary

__all__ = ["newest_time", "recent_stories", "daily_volume", "outlet_facts"]


def newest_time(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT max(sort_at) FROM articles").fetchone()
    return row[0]


def recent_stories(conn: sqlite3.Connection, since: str, outlet: str | None,
                   limit: int) -> list[StorySummary]:
    """Returns stories with an article at or after ``since`` (with coverage from ``outlet``
    when given), their last_seen being their newest article's time, newest first."""
    rows = conn.execute(
        "SELECT s.id, s.title, s.first_seen, max(a.sort_at) AS last_seen, "
        "count(a.rowid) AS articles, count(DISTINCT a.outlet_id) AS outlets, "
        "count(a.duplicate_of) AS reprints, "
        "sum(CASE WHEN o.name = ? COLLATE NOCASE THEN 1 ELSE 0 END) AS from_outlet "
        "FROM stories s JOIN articles a ON a.story_id = s.id "
        "LEFT JOIN outlets o ON o.id = a.outlet_id "
        # The recent stories are found through the sort index first, so the cost follows the
        # news of the window, not the size of the archive.
        "WHERE s.id IN (SELECT story_id FROM articles WHERE sort_at >= ? AND story_id IS NOT NULL) "
        "GROUP BY s.id HAVING (CAST(? AS TEXT) IS NULL "
        "OR sum(CASE WHEN o.name = ? COLLATE NOCASE THEN 1 ELSE 0 END) > 0) "
        "ORDER BY last_seen DESC LIMIT ?", (outlet, since, outlet, outlet, limit))
    return [StorySummary(id=r["id"], title=r["title"], first_seen=r["first_seen"],
                         last_seen=r["last_seen"], articles=int(r["articles"]),
                         outlets=int(r["outlets"]), reprints=int(r["reprints"] or 0))
            for r in rows]


def daily_volume(conn: sqlite3.Connection, since: str, outlet: str | None) -> list[tuple[str, int]]:
    """Returns (UTC day, article count) for days with articles since then."""
    rows = conn.execute(
        "SELECT substr(a.sort_at, 1, 10) AS day, count(*) AS n FROM articles a "
        "LEFT JOIN outlets o ON o.id = a.outlet_id WHERE a.sort_at >= ? "
        "AND (CAST(? AS TEXT) IS NULL OR o.name = ? COLLATE NOCASE) GROUP BY day ORDER BY day",
        (since, outlet, outlet))
    return [(r["day"], int(r["n"])) for r in rows]


def outlet_facts(conn: sqlite3.Connection, name: str) -> dict | None:
    """Returns an outlet's name, domain, article, original and reprint counts, or None."""
    row = conn.execute(
        "SELECT o.name, o.domain, count(a.rowid) AS articles, "
        "count(a.duplicate_of) AS reprints, count(a.credit) AS credited, "
        "min(a.sort_at) AS first, max(a.sort_at) AS last "
        "FROM outlets o LEFT JOIN articles a ON a.outlet_id = o.id WHERE o.name = ? COLLATE NOCASE "
        "GROUP BY o.id", (name,)).fetchone()
    if row is None:
        return None
    return {"name": row["name"], "domain": row["domain"], "articles": int(row["articles"]),
            "reprints": int(row["reprints"] or 0), "credited": int(row["credited"] or 0),
            "first": row["first"], "last": row["last"]}
