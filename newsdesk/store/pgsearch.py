"""Runs search on PostgreSQL: tsvector/GIN full text, JSON filters, and pgvector HNSW neighbours.

The search layer compiles a user's query to the small FTS5 MATCH grammar of
``search/query.py`` (quoted phrases, ``*`` prefixes, AND, OR, NOT, parentheses). Here that
grammar becomes a tsquery built by PostgreSQL itself (``phraseto_tsquery`` per phrase, so a
phrase is split into words exactly as the indexed text was), and BM25's 3:1 title weighting
becomes ``ts_rank`` weights on the title (A) and body (B) parts of ``article_search.doc``.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import numpy as np

from ..errors import StoreError

__all__ = ["ENTITY_CONDITION", "HASHTAG_CONDITION", "tsquery", "fts_candidates",
           "matching_rowids", "ensure_vector_index", "nearest", "vector_literal"]

# Entity and hashtag filters read the enrichment JSON, as the SQLite spelling does.
ENTITY_CONDITION = (
    "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(a.enrichment::jsonb "
    "-> 'entities') = 'array' THEN a.enrichment::jsonb -> 'entities' ELSE '[]'::jsonb END) e "
    "WHERE lower(e ->> 'name') = lower(?) AND e ->> 'type' = ?)")
HASHTAG_CONDITION = (
    "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(a.enrichment::jsonb "
    "-> 'hashtags') = 'array' THEN a.enrichment::jsonb -> 'hashtags' ELSE '[]'::jsonb END) h "
    "WHERE jsonb_typeof(h) = 'string' AND lower(ltrim(h #>> '{}', '#')) = lower(?))")

_TOKEN = re.compile(r'"((?:[^"]|"")*)"(\s*\*)?|(\()|(\))|\b(AND|OR|NOT)\b|(\S)')
_OPERATORS = {"AND": " && ", "OR": " || ", "NOT": " && !! "}
_WORD = re.compile(r"\w+")
# ts_rank weights (at most 1) for D, C, B (body), A (title): the title counts 3x, as in bm25.
_WEIGHTS = "{0.0, 0.0, 0.33, 1.0}"


def _prefix_query(phrase: str) -> str:
    words = [w.lower() for w in _WORD.findall(phrase)]
    if not words:
        return ""
    quoted = ["'" + w.replace("'", "''").replace("\\", "\\\\") + "'" for w in words]
    return " <-> ".join(quoted) + ":*"


def tsquery(match: str) -> tuple[str, list[str]]:
    """Returns a SQL tsquery expression and its parameters for a MATCH expression of the
    search layer's grammar; anything outside it raises StoreError (a bug, not user input)."""
    sql: list[str] = []
    params: list[str] = []
    operand = False  # the last token ended an operand: a next operand is ANDed (FTS5's juxtaposition)
    for m in _TOKEN.finditer(match):
        phrase, star, opened, closed, operator, stray = m.groups()
        if operand and (phrase is not None or opened):
            sql.append(" && ")
        operand = phrase is not None or bool(closed)
        if phrase is not None:
            text = phrase.replace('""', '"')
            if star:
                sql.append("to_tsquery('simple', ?)")
                params.append(_prefix_query(text))
            else:
                sql.append("phraseto_tsquery('simple', ?)")
                params.append(text)
        elif opened:
            sql.append("(")
        elif closed:
            sql.append(")")
        elif operator:
            sql.append(_OPERATORS[operator])
        else:
            raise StoreError(f"store: unexpected {stray!r} in search expression {match!r}")
    return "(" + "".join(sql) + ")", params


def _where(conds: list[str]) -> str:
    return (" AND " + " AND ".join(conds)) if conds else ""


def fts_candidates(conn: Any, match: str, filters: Any, limit: int, conds: list[str],
                   params: list[object]) -> list[tuple[int, float]]:
    """Returns (rowid, -rank) of matching articles passing the filters, best first (lowest)."""
    query, qparams = tsquery(match)
    join = "LEFT JOIN outlets o ON o.id = a.outlet_id " if filters and filters.outlet else ""
    sql = (f"SELECT s.rowid, -ts_rank('{_WEIGHTS}', s.doc, query.q, 1) AS rank "
           f"FROM article_search s CROSS JOIN (SELECT {query} AS q) AS query "
           f"JOIN articles a ON a.rowid = s.rowid {join}"
           f"WHERE s.doc @@ query.q" + _where(conds) + " ORDER BY rank, s.rowid LIMIT ?")
    rows = conn.execute(sql, [*qparams, *params, limit])
    return [(int(r[0]), float(r[1])) for r in rows]


def matching_rowids(expression: str) -> tuple[str, list[str]]:
    """Returns a query of the rowids of articles matching a MATCH expression, and its
    parameters."""
    query, params = tsquery(expression)
    return f"SELECT s.rowid FROM article_search s WHERE s.doc @@ {query}", params


# -- vectors: pgvector HNSW, one partial index per model and dimension ----------------------
def vector_literal(vector: np.ndarray) -> str:
    """Returns pgvector's text form of a vector."""
    return "[" + ",".join(repr(float(x)) for x in np.asarray(vector, dtype=np.float32)) + "]"


def _index_name(model: str, dim: int) -> str:
    return f"article_vectors_hnsw_{hashlib.sha1(model.encode()).hexdigest()[:12]}_{dim}"


# pgvector indexes vectors of at most 2,000 dimensions with HNSW; wider ones are searched exactly.
HNSW_MAX_DIM = 2000


def ensure_vector_index(conn: Any, model: str, dim: int) -> None:
    """Creates the HNSW index of one model's vectors unless it exists (inside the caller's
    transaction; callers hold the store's exclusive lock, so two workers never race here)."""
    from psycopg import sql

    if dim > HNSW_MAX_DIM:
        return
    # DDL takes no parameters: psycopg's sql module quotes the name and the model's literal.
    statement = sql.SQL(
        "CREATE INDEX IF NOT EXISTS {} ON article_vectors USING hnsw "
        "((embedding::vector({})) vector_cosine_ops) WHERE model = {}").format(
        sql.Identifier(_index_name(model, dim)), sql.Literal(int(dim)), sql.Literal(model))
    conn.execute_native(statement)


def nearest(conn: Any, vector: np.ndarray, model: str, k: int) -> list[tuple[int, float]]:
    """Returns up to ``k`` (rowid, cosine) of the model's vectors nearest to ``vector``."""
    dim = int(len(vector))
    literal = vector_literal(vector)
    expr = f"(v.embedding::vector({dim}))"
    with conn.raw.transaction():
        # HNSW returns at most ef_search rows; the search layer asks for up to 64x its depth.
        conn.execute_native("SELECT set_config('hnsw.ef_search', %s, true)",
                            (str(max(40, min(int(k), 1000))),))
        # Never a prepared statement: PostgreSQL then plans with the model's value at hand and
        # can use that model's partial HNSW index (a generic plan could not).
        rows = conn.execute_native(
            f"SELECT a.rowid, 1 - ({expr} <=> %s::vector({dim})) AS cos FROM "
            f"(SELECT v.article_id, v.embedding FROM article_vectors v WHERE v.model = %s "
            f"AND vector_dims(v.embedding) = {dim} ORDER BY {expr} <=> %s::vector({dim}) "
            f"LIMIT %s) AS v JOIN articles a ON a.id = v.article_id "
            f"ORDER BY {expr} <=> %s::vector({dim})",
            (literal, model, literal, int(k), literal), prepare=False).fetchall()
    return [(int(r[0]), float(r[1])) for r in rows]
