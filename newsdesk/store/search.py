"""Reads what search needs: filtered full-text candidates, vectors by rowid, and hit rows.

Articles are addressed by their integer rowid here (the key of the FTS index and of the vector
index file). Entity and hashtag filters read the enrichment JSON of the articles table with
``json_each``, so they work whatever tables the enrichment steps add beside it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Iterator

import numpy as np

from . import pgsearch
from .pgconn import is_postgres
from .timestamps import utc_iso

__all__ = ["SearchFilters", "VectorState", "fts_candidates", "filtered_rowids", "count_filtered",
           "vector_state", "iter_vectors", "vectors_for", "hit_rows", "rowids_matching",
           "rowids_of", "fingerprint", "count_after"]

# SQLite's default bound-parameter limit is 32,766; chunks stay well under it.
_CHUNK = 5000


@dataclass
class SearchFilters:
    """Restricts search results; every field set must hold (AND). Names compare case-insensitively."""

    outlet: str | None = None
    credit: str | None = None
    person: str | None = None
    organization: str | None = None
    place: str | None = None
    hashtag: str | None = None
    story: str | None = None
    language: str | None = None
    since: datetime | None = None  # published (else ingested) at or after
    until: datetime | None = None  # published (else ingested) before

    @property
    def empty(self) -> bool:
        return all(getattr(self, f.name) in (None, "") for f in fields(self))


@dataclass
class VectorState:
    """What the vectors of one model look like now: compared with the index file's sidecar."""

    model: str | None  # the model most article vectors were made with
    count: int  # vectors of that model
    max_rowid: int  # highest article rowid holding one
    dim: int


def _where(filters: SearchFilters, pg: bool = False) -> tuple[list[str], list[object]]:
    """Returns SQL conditions on ``a`` (articles) and ``o`` (outlets) and their parameters
    (``pg``: in PostgreSQL's spelling where the JSON functions differ)."""
    conds: list[str] = []
    params: list[object] = []
    if filters.outlet:
        conds.append("o.name = ? COLLATE NOCASE")
        params.append(filters.outlet)
    if filters.credit:
        conds.append("a.credit = ? COLLATE NOCASE")
        params.append(filters.credit)
    for kind in ("person", "organization", "place"):
        name = getattr(filters, kind)
        if name:
            conds.append(pgsearch.ENTITY_CONDITION if pg else
                         "EXISTS (SELECT 1 FROM json_each(a.enrichment, '$.entities') e "
                         "WHERE json_extract(e.value, '$.name') = ? COLLATE NOCASE "
                         "AND json_extract(e.value, '$.type') = ?)")
            params.extend([name, kind])
    if filters.hashtag:
        conds.append(pgsearch.HASHTAG_CONDITION if pg else
                     "EXISTS (SELECT 1 FROM json_each(a.enrichment, '$.hashtags') h "
                     "WHERE ltrim(h.value, '#') = ? COLLATE NOCASE)")
        params.append(filters.hashtag.lstrip("#"))
    if filters.story:
        conds.append("a.story_id = ?")
        params.append(filters.story)
    if filters.language:
        # "en" matches "en" and "en-GB".
        conds.append("(a.language = ? COLLATE NOCASE OR a.language LIKE ? ESCAPE '\\')")
        params.extend([filters.language, filters.language.replace("\\", "\\\\")
                       .replace("%", "\\%").replace("_", "\\_") + "-%"])
    if filters.since:
        conds.append("a.sort_at >= ?")
        params.append(utc_iso(filters.since))
    if filters.until:
        conds.append("a.sort_at < ?")
        params.append(utc_iso(filters.until))
    return conds, params


def _sql_where(conds: list[str]) -> str:
    return (" AND " + " AND ".join(conds)) if conds else ""


def fts_candidates(conn: sqlite3.Connection, match: str, filters: SearchFilters,
                   limit: int) -> list[tuple[int, float]]:
    """Returns (rowid, bm25) of articles matching a MATCH expression and the filters, best first.

    BM25 weighs the title 3x the text: a headline word says more about the article.
    """
    if is_postgres(conn):
        return pgsearch.fts_candidates(conn, match, filters, limit, *_where(filters, True))
    conds, params = _where(filters, is_postgres(conn))
    join = "LEFT JOIN outlets o ON o.id = a.outlet_id " if filters.outlet else ""
    if conds:
        sql = ("SELECT f.rowid, bm25(articles_fts, 3.0, 1.0) AS rank FROM articles_fts f "
               "JOIN articles a ON a.rowid = f.rowid " + join +
               "WHERE articles_fts MATCH ?" + _sql_where(conds) + " ORDER BY rank LIMIT ?")
    else:
        sql = ("SELECT rowid, bm25(articles_fts, 3.0, 1.0) AS rank FROM articles_fts "
               "WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?")
    rows = conn.execute(sql, [match, *params, limit])
    return [(int(r[0]), float(r[1])) for r in rows]


def filtered_rowids(conn: sqlite3.Connection, rowids: list[int], filters: SearchFilters,
                    require: str | None = None, exclude: str | None = None) -> set[int]:
    """Returns which of ``rowids`` pass the filters, match ``require`` and do not match
    ``exclude`` (MATCH expressions)."""
    pg = is_postgres(conn)
    conds, params = _where(filters, pg)
    for expression, negate in ((require, False), (exclude, True)):
        if expression:
            matching, matching_params = (
                pgsearch.matching_rowids(expression) if pg else
                ("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", [expression]))
            conds.append(f"a.rowid {'NOT IN' if negate else 'IN'} ({matching})")
            params += matching_params
    if not conds:
        return set(rowids)
    join = "LEFT JOIN outlets o ON o.id = a.outlet_id " if filters.outlet else ""
    found: set[int] = set()
    for start in range(0, len(rowids), _CHUNK):
        chunk = rowids[start:start + _CHUNK]
        sql = (f"SELECT a.rowid FROM articles a {join}WHERE a.rowid IN "
               f"({','.join('?' * len(chunk))})" + _sql_where(conds))
        found.update(int(r[0]) for r in conn.execute(sql, [*chunk, *params]))
    return found


def count_filtered(conn: sqlite3.Connection, filters: SearchFilters, cap: int) -> int:
    """Returns how many articles pass the filters, counting no further than ``cap``."""
    conds, params = _where(filters, is_postgres(conn))
    join = "LEFT JOIN outlets o ON o.id = a.outlet_id " if filters.outlet else ""
    row = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM articles a {join}WHERE 1 = 1"
                       + _sql_where(conds) + " LIMIT ?) AS passing", [*params, cap]).fetchone()
    return int(row[0])


def rowids_matching(conn: sqlite3.Connection, filters: SearchFilters, model: str,
                    limit: int) -> list[int]:
    """Returns rowids of articles that pass the filters and hold a vector of ``model``."""
    conds, params = _where(filters, is_postgres(conn))
    join = "LEFT JOIN outlets o ON o.id = a.outlet_id " if filters.outlet else ""
    rows = conn.execute(f"SELECT a.rowid FROM articles a JOIN article_vectors v "
                        f"ON v.article_id = a.id {join}WHERE v.model = ?" + _sql_where(conds)
                        + " LIMIT ?", [model, *params, limit])
    return [int(r[0]) for r in rows]


def fingerprint(conn: sqlite3.Connection, memo: Any = None) -> tuple[int, int]:
    """Returns (article count, highest article rowid): changed by any insert or delete.

    ``memo``, an object living as long as ``conn`` (the reader's thread-local), keeps the last
    answer with the connection's data_version: SQLite changes it when another connection
    commits, so an unchanged one spares counting the articles again (~15 ms at 100k).
    """
    if is_postgres(conn):  # no cheap commit counter to memo on: count each time
        row = conn.execute("SELECT count(*), coalesce(max(rowid), 0) FROM articles").fetchone()
        return int(row[0]), int(row[1])
    version = int(conn.execute("PRAGMA data_version").fetchone()[0])
    known = getattr(memo, "search_fingerprint", None)
    if known is not None and known[0] == version:
        return known[1]
    row = conn.execute("SELECT count(*), coalesce(max(rowid), 0) FROM articles").fetchone()
    found = (int(row[0]), int(row[1]))
    if memo is not None:
        memo.search_fingerprint = (version, found)
    return found


def count_after(conn: sqlite3.Connection, rowid: int) -> int:
    """Returns how many articles have a rowid above ``rowid``."""
    return int(conn.execute("SELECT count(*) FROM articles WHERE rowid > ?", (rowid,)).fetchone()[0])


def vector_state(conn: sqlite3.Connection) -> VectorState:
    """Returns the dominant vector model with its vector count, highest rowid and dimension."""
    row = conn.execute("SELECT model, count(*) AS n FROM article_vectors GROUP BY model "
                       "ORDER BY n DESC, model LIMIT 1").fetchone()
    if row is None:
        return VectorState(None, 0, 0, 0)
    model, n = row["model"], int(row["n"])
    top = conn.execute("SELECT max(a.rowid) AS m FROM articles a JOIN article_vectors v "
                       "ON v.article_id = a.id WHERE v.model = ?", (model,)).fetchone()
    size = conn.execute("SELECT length(vector) FROM article_vectors WHERE model = ? LIMIT 1",
                        (model,)).fetchone()
    return VectorState(model, n, int(top["m"] or 0), int(size[0]) // 4)


def iter_vectors(conn: sqlite3.Connection, model: str, after_rowid: int = 0,
                 batch: int = 10_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yields (rowids, vectors) of one model in rowid order, from ``after_rowid`` on, in batches."""
    last = after_rowid
    while True:
        rows = conn.execute("SELECT a.rowid, v.vector FROM articles a JOIN article_vectors v "
                            "ON v.article_id = a.id WHERE v.model = ? AND a.rowid > ? "
                            "ORDER BY a.rowid LIMIT ?", (model, last, batch)).fetchall()
        if not rows:
            return
        keys = np.fromiter((r[0] for r in rows), dtype=np.uint64, count=len(rows))
        vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
        yield keys, vectors.reshape(len(rows), -1)
        last = int(rows[-1][0])


def vectors_for(conn: sqlite3.Connection, rowids: list[int], model: str
                ) -> tuple[list[int], np.ndarray]:
    """Returns the rowids that hold a vector of ``model`` and those vectors, one row each."""
    keys: list[int] = []
    blobs: list[bytes] = []
    for start in range(0, len(rowids), _CHUNK):
        chunk = rowids[start:start + _CHUNK]
        rows = conn.execute("SELECT a.rowid, v.vector FROM articles a JOIN article_vectors v "
                            f"ON v.article_id = a.id WHERE v.model = ? AND a.rowid IN "
                            f"({','.join('?' * len(chunk))})", [model, *chunk])
        for r in rows:
            keys.append(int(r[0]))
            blobs.append(r[1])
    if not keys:
        return [], np.zeros((0, 0), dtype=np.float32)
    return keys, np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(keys), -1)


def hit_rows(conn: sqlite3.Connection, rowids: list[int]) -> dict[int, dict]:
    """Returns the fields a search hit shows (and the text), as plain dicts by rowid."""
    found: dict[int, dict] = {}
    for start in range(0, len(rowids), _CHUNK):
        chunk = rowids[start:start + _CHUNK]
        rows = conn.execute("SELECT a.rowid, a.id, a.title, a.text, a.published_at, a.story_id, "
                            "a.duplicate_of, a.language, o.name AS outlet FROM articles a "
                            "LEFT JOIN outlets o ON o.id = a.outlet_id WHERE a.rowid IN "
                            f"({','.join('?' * len(chunk))})", chunk)
        found.update((int(r["rowid"]), dict(r)) for r in rows)
    return found


def rowids_of(conn: sqlite3.Connection, ids: list[str]) -> dict[str, int]:
    """Returns the rowids of articles by id."""
    found: dict[str, int] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        rows = conn.execute(f"SELECT id, rowid FROM articles WHERE id IN "
                            f"({','.join('?' * len(chunk))})", chunk)
        found.update((r[0], int(r[1])) for r in rows)
    return found
