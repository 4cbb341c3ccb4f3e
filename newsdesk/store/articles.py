"""Reads and writes the articles table and its full-text index."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime
from typing import Iterator

import numpy as np

from ..errors import StoreError
from ..models import ENRICH_FIELDS, Article
from .base import SaveResult
from .pgconn import is_postgres
from .timestamps import now_iso, sortable, utc_iso

__all__ = ["save", "existing_id", "get", "latest", "count", "iterate", "search"]

SELECT_ARTICLES = ("SELECT a.*, o.name AS outlet FROM articles a "
           "LEFT JOIN outlets o ON o.id = a.outlet_id ")
# A user's query never reaches FTS5 syntax: each word is quoted, so quotes, parentheses,
# operators and column filters are plain text. 32 words is far beyond any real query.
_WORD = re.compile(r"\w+")
_MAX_QUERY_WORDS = 32


def row_to_article(row: sqlite3.Row) -> Article:
    article = Article(
        id=row["id"], title=row["title"], text=row["text"], url=row["url"],
        outlet=row["outlet"], credit=row["credit"], byline=row["byline"],
        published_at=row["published_at"], language=row["language"],
        story_id=row["story_id"], duplicate_of=row["duplicate_of"])
    extra = json.loads(row["enrichment"] or "{}")
    for name in ENRICH_FIELDS:
        if name in extra:
            setattr(article, name, extra[name])
    return article


def save(conn: sqlite3.Connection, article: Article, outlet_id: int | None,
         document_id: int | None) -> SaveResult:
    """Inserts the article unless one with its id, or its URL, is stored already."""
    article_id = article.ensure_id()
    known = existing_id(conn, article_id, article.url)
    if known is not None:
        return SaveResult(id=known, created=False)
    ingested = now_iso()
    enrichment = {name: getattr(article, name) for name in ENRICH_FIELDS if getattr(article, name)}
    inserted = conn.execute(
        "INSERT OR IGNORE INTO articles(id, url, title, text, outlet_id, credit, byline, published_at, "
        "language, story_id, duplicate_of, enrichment, document_id, sort_at, ingested_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (article_id, article.url, article.title, article.text, outlet_id, article.credit,
         article.byline, article.published_at, article.language, article.story_id,
         article.duplicate_of, json.dumps(enrichment, ensure_ascii=False), document_id,
         sortable(article.published_at) or ingested, ingested)).rowcount
    if not inserted:  # another worker stored it since the check above: that row stands
        known = existing_id(conn, article_id, article.url)
        if known is None:
            raise StoreError(f"store: article {article_id!r} was refused by the database")
        return SaveResult(id=known, created=False)
    if article.vector is not None:
        conn.execute("INSERT INTO article_vectors(article_id, model, vector) VALUES (?, ?, ?) "
                     "ON CONFLICT(article_id) DO UPDATE SET model = excluded.model, "
                     "vector = excluded.vector", (article_id, article.vector_model or "",
                                         np.asarray(article.vector, dtype=np.float32).tobytes()))
    return SaveResult(id=article_id, created=True)


def existing_id(conn: sqlite3.Connection, article_id: str, url: str | None) -> str | None:
    """Returns the id of the stored article with this id or this URL, or None."""
    row = conn.execute("SELECT id FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None and url:
        row = conn.execute("SELECT id FROM articles WHERE url = ?", (url,)).fetchone()
    return row["id"] if row else None


def get(conn: sqlite3.Connection, article_id: str) -> Article | None:
    row = conn.execute(SELECT_ARTICLES + "WHERE a.id = ?", (article_id,)).fetchone()
    return row_to_article(row) if row else None


def latest(conn: sqlite3.Connection, limit: int, offset: int,
           outlet: str | None = None) -> list[Article]:
    """Returns articles newest first by published time (ingest time when undated)."""
    if outlet:
        rows = conn.execute(SELECT_ARTICLES + "WHERE o.name = ? COLLATE NOCASE "
                            "ORDER BY a.sort_at DESC, a.rowid DESC LIMIT ? OFFSET ?", (outlet, limit, offset))
    else:
        rows = conn.execute(SELECT_ARTICLES + "ORDER BY a.sort_at DESC, a.rowid DESC LIMIT ? OFFSET ?",
                            (limit, offset))
    return [row_to_article(r) for r in rows]


def count(conn: sqlite3.Connection, outlet: str | None = None) -> int:
    if outlet:
        row = conn.execute("SELECT count(*) FROM articles a JOIN outlets o ON o.id = a.outlet_id "
                           "WHERE o.name = ? COLLATE NOCASE", (outlet,)).fetchone()
    else:
        row = conn.execute("SELECT count(*) FROM articles").fetchone()
    return int(row[0])


def iterate(conn: sqlite3.Connection, since: datetime | None) -> Iterator[Article]:
    """Yields articles published (or, when undated, ingested) at or after ``since``, oldest
    first, in pages so that a large export does not hold the whole table in memory."""
    bound = utc_iso(since) if since else ""
    last_sort, last_rowid = bound, -1
    while True:
        rows = conn.execute(
            "SELECT a.*, o.name AS outlet FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id "
            "WHERE a.sort_at >= ? AND (a.sort_at > ? OR (a.sort_at = ? AND a.rowid > ?)) "
            "ORDER BY a.sort_at, a.rowid LIMIT 500",
            (bound, last_sort, last_sort, last_rowid)).fetchall()
        if not rows:
            return
        for row in rows:
            yield row_to_article(row)
        last_sort, last_rowid = rows[-1]["sort_at"], rows[-1]["rowid"]


def fts_query(query: str) -> str | None:
    """Returns a safe FTS5 MATCH expression for free text (all words required), or None."""
    words = _WORD.findall(query or "")[:_MAX_QUERY_WORDS]
    if not words:
        return None
    return " ".join('"' + w.replace('"', "") + '"' for w in words)


def search(conn: sqlite3.Connection, query: str, limit: int) -> list[Article]:
    """Returns articles matching every word of ``query``, best BM25 first (title weighs 3x)."""
    match = fts_query(query)
    if match is None:
        return []
    if is_postgres(conn):
        from . import pgsearch

        ranked = [rowid for rowid, _ in pgsearch.fts_candidates(conn, match, None, limit, [], [])]
        if not ranked:
            return []
        rows = conn.execute(SELECT_ARTICLES + f"WHERE a.rowid IN ({','.join('?' * len(ranked))})",
                            ranked).fetchall()
        by_rowid = {r["rowid"]: r for r in rows}
        return [row_to_article(by_rowid[r]) for r in ranked if r in by_rowid]
    rows = conn.execute(
        SELECT_ARTICLES + "JOIN articles_fts f ON f.rowid = a.rowid WHERE articles_fts MATCH ? "
        "ORDER BY bm25(articles_fts, 3.0, 1.0) LIMIT ?", (match, limit))
    return [row_to_article(r) for r in rows]
