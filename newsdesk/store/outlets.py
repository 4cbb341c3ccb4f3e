"""Reads and writes the outlets table: the publications and wire services articles come from."""

from __future__ import annotations

import sqlite3
from urllib.parse import urlsplit

from .timestamps import now_iso

__all__ = ["ensure", "with_counts"]


def _domain(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


def ensure(conn: sqlite3.Connection, name: str | None, url: str | None = None) -> int | None:
    """Returns the id of the outlet with this name (case-insensitive), adding it when new."""
    if not name or not name.strip():
        return None
    name = " ".join(name.split())
    row = conn.execute("SELECT id, domain FROM outlets WHERE name = ? COLLATE NOCASE", (name,)).fetchone()
    if row:
        if row["domain"] is None and _domain(url):
            conn.execute("UPDATE outlets SET domain = ? WHERE id = ?", (_domain(url), row["id"]))
        return int(row["id"])
    # Another worker may add the same outlet at the same moment: then its row is the one.
    row = conn.execute("INSERT OR IGNORE INTO outlets(name, domain, created_at) VALUES (?, ?, ?) "
                       "RETURNING id", (name, _domain(url), now_iso())).fetchone()
    if row is None:
        row = conn.execute("SELECT id FROM outlets WHERE name = ? COLLATE NOCASE", (name,)).fetchone()
    return int(row[0])


def with_counts(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Returns (outlet, article count) for outlets with articles, most articles first."""
    rows = conn.execute(
        "SELECT o.name, count(a.rowid) AS n FROM outlets o JOIN articles a ON a.outlet_id = o.id "
        "GROUP BY o.id ORDER BY n DESC, o.name COLLATE NOCASE")
    return [(r["name"], int(r["n"])) for r in rows]
