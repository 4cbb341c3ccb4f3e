"""Finds articles for a query: BM25 (FTS5) and vector neighbours, fused by reciprocal rank.

Each retriever ranks a few hundred candidates under the same filters; reciprocal rank fusion
(Cormack et al. 2009) adds 1/(k + rank) over the lists an article appears in, so neither
retriever's raw scores need calibrating against the other's. Syndicated copies are folded into
their original, which takes the best score of its group.

Operators typed by the user are hard constraints on every result: an ``"exact phrase"`` must
occur and a ``-word`` must not, whichever retriever found the article. Plain words are soft:
BM25 first requires them all and, when that finds too little, any of them; the vector side
reads their meaning.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..enrich.embeddings import Embedder, get_embedder
from ..errors import NewsdeskError
from ..store.search import SearchFilters
from .query import ParsedQuery, parse_query
from .text import snippet
from .vectorindex import vector_index

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["search", "retrieve", "Candidate", "MODES", "RRF_K", "query_embedder"]

log = logging.getLogger(__name__)

MODES = ("hybrid", "bm25", "vector")
# k of reciprocal rank fusion, BM25 and vector lists weighted alike. Swept on DEV (bench/search.py
# --fusion, neus-train and ecbplus-train, 150 stories each, headline queries): k 5-100 x vector
# weight 0.5-2; k 10 at weight 1 gives mean recall@10 0.828 and MRR 0.930, the best MRR and within
# 0.002 of the best recall (k 5, weight 0.75); Cormack et al.'s k 60 gives 0.822 / 0.928.
RRF_K = 10
# Candidates each retriever contributes: 5x the page, at least 100, so that fusion and the
# folding of copies still fill a page.
_DEPTH_FACTOR = 5
_MIN_DEPTH = 100
# With filters, when at most this many articles pass them, their vectors are compared exactly
# (one matrix product over rows read from SQLite, ~20 ms for 20k 512-d vectors); above it, the
# ANN index is asked for ever more neighbours until enough pass.
_EXACT_FILTERED = 20_000

# Least cosine for a vector neighbour to count, per model. use-multilingual 0.2: on neus-train
# and ecbplus-train (DEV, 100 stories each, headline queries) fewer than 1% of the story mates
# found in the top 10 lie below it (1st percentile 0.22 and 0.30), while nonsense queries
# ("xyzzy plugh", "purple monkey dishwasher") reach at most 0.19; so a query that means nothing
# in the archive finds nothing. Its cost on the quality check: vectors-alone recall@10 on the
# neus-val subset of tests/search/test_quality.py 0.881 -> 0.872, hybrid unchanged (0.903).
# Other models: not tuned, no floor.
VECTOR_MIN_COS = {"use-multilingual": 0.2}

_EMBEDDERS: dict[str, Embedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def query_embedder(model: str) -> Embedder | None:
    """Returns the embedder of a model name, built once per process; None when unavailable."""
    with _EMBEDDERS_LOCK:
        if model not in _EMBEDDERS:
            try:
                _EMBEDDERS[model] = get_embedder(model)
            except NewsdeskError as exc:
                log.warning("search: %s; searching by words alone", exc)
                return None
        return _EMBEDDERS[model]


# Query vectors are kept for the last few hundred distinct queries: paging through results, or
# the same query in hybrid and vector mode, embeds once.
_QUERY_CACHE: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_QUERY_CACHE_SIZE = 512


def _embed_query(embedder: Embedder, text: str) -> np.ndarray:
    key = (f"{embedder.name}:{embedder.dim}", text)
    with _EMBEDDERS_LOCK:
        hit = _QUERY_CACHE.get(key)
        if hit is not None:
            _QUERY_CACHE.move_to_end(key)
            return hit
    vector = embedder.embed([text])[0]
    with _EMBEDDERS_LOCK:
        _QUERY_CACHE[key] = vector
        while len(_QUERY_CACHE) > _QUERY_CACHE_SIZE:
            _QUERY_CACHE.popitem(last=False)
    return vector


@dataclass
class Candidate:
    """An article found by a retriever: its rowid and score (fused, then folded)."""

    rowid: int
    score: float


def _bm25(store: "Store", parsed: ParsedQuery, filters: SearchFilters, depth: int) -> list[int]:
    strict = parsed.strict_match()
    if strict is None:
        return []
    ranked = [rowid for rowid, _ in store.search_fts(strict, filters, depth)]
    relaxed = parsed.relaxed_match()
    if len(ranked) < depth and relaxed and relaxed != strict:
        seen = set(ranked)
        ranked += [r for r, _ in store.search_fts(relaxed, filters, depth) if r not in seen]
    return ranked[:depth]


def _vectors(store: "Store", parsed: ParsedQuery, filters: SearchFilters, depth: int) -> list[int]:
    index = vector_index(store)
    model = index.model
    if model is None:
        return []
    embedder = query_embedder(model)
    if embedder is None:
        return []
    query = _embed_query(embedder, parsed.text())
    if not np.any(query):
        return []
    require, exclude = parsed.constraint_match(), parsed.exclusion_match()
    floor = VECTOR_MIN_COS.get(model, -1.0)
    if not filters.empty and store.search_count(filters, _EXACT_FILTERED + 1) <= _EXACT_FILTERED:
        rowids, matrix = store.search_vectors(store.search_rowids(filters, model, _EXACT_FILTERED),
                                              model)
        if not rowids or matrix.shape[1] != query.shape[0]:
            return []
        cosines = matrix @ query
        order = np.argsort(-cosines, kind="stable")[: depth * 4]
        ranked = [rowids[i] for i in order if cosines[i] >= floor]
        if require or exclude:
            keep = store.search_filter(ranked, SearchFilters(), require, exclude)
            ranked = [r for r in ranked if r in keep]
        return ranked[:depth]
    constrained = not filters.empty or require or exclude
    k = depth * (4 if constrained else 1)
    while True:
        hits = index.search(query, k)
        found = [rowid for rowid, cos in hits if cos >= floor]
        if not constrained:
            return found[:depth]
        keep = store.search_filter(found, filters, require, exclude)
        ranked = [r for r in found if r in keep]
        # Stop when enough passed, or when the index has nothing more to give.
        if len(ranked) >= depth or len(hits) < k or len(found) < len(hits) or k >= 64 * depth:
            return ranked[:depth]
        k *= 4


def retrieve(store: "Store", parsed: ParsedQuery, filters: SearchFilters, depth: int,
             mode: str = "hybrid") -> list[Candidate]:
    """Returns fused candidates, best first (copies not yet folded)."""
    lists: list[list[int]] = []
    if mode in ("hybrid", "bm25"):
        lists.append(_bm25(store, parsed, filters, depth))
    if mode in ("hybrid", "vector"):
        lists.append(_vectors(store, parsed, filters, depth))
    scores: dict[int, float] = {}
    for ranked in lists:
        for rank, rowid in enumerate(ranked):
            scores[rowid] = scores.get(rowid, 0.0) + 1.0 / (RRF_K + rank + 1)
    order = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Candidate(rowid, score) for rowid, score in order]


def _fold(store: "Store", candidates: list[Candidate], filters: SearchFilters, limit: int,
          words: list[str]) -> list[dict[str, Any]]:
    """Groups copies under their originals and returns the hits of the first ``limit`` groups."""
    rows = store.search_hits([c.rowid for c in candidates[: limit * 4]])
    by_id = {row["id"]: rowid for rowid, row in rows.items()}
    # An original outside the candidates is fetched when nothing filters the results (it is
    # then as valid a result as its copy); under filters the copy stands for itself.
    missing = [row["duplicate_of"] for row in rows.values()
               if row["duplicate_of"] and row["duplicate_of"] not in by_id]
    if missing and filters.empty:
        extra = store.search_hits(list(store.search_rowids_of(missing).values()))
        rows.update(extra)
        by_id.update((row["id"], rowid) for rowid, row in extra.items())
    groups: dict[str, dict[str, Any]] = {}
    for cand in candidates[: limit * 4]:
        row = rows.get(cand.rowid)
        if row is None:
            continue
        lead = row["duplicate_of"] if row["duplicate_of"] in by_id else row["id"]
        group = groups.get(lead)
        if group is None:
            if len(groups) >= limit:
                continue  # later candidates may still be copies of the groups kept
            original = rows[by_id[lead]]
            groups[lead] = group = {
                "id": original["id"], "title": original["title"], "outlet": original["outlet"],
                "published_at": original["published_at"], "story_id": original["story_id"],
                "score": round(cand.score, 6), "snippet": snippet(original["text"], words),
                "copies": []}
        if row["id"] != lead:
            group["copies"].append(row["id"])
    return list(groups.values())[:limit]


def search(store: "Store", query: str, *, filters: SearchFilters | None = None, limit: int = 20,
           settings: Any = None, mode: str = "hybrid") -> list[dict[str, Any]]:
    """Returns the best articles for ``query`` under ``filters``, best first, as the search JSON
    of DESIGN.md (id, title, outlet, published_at, story_id, score, snippet) plus ``copies``,
    the ids of the syndicated copies folded into each hit. Any string is a valid query.

    ``mode`` "bm25" or "vector" runs one retriever alone (for comparisons); ``settings`` is
    accepted for symmetry with ``ask`` and reserved for search settings.
    """
    if mode not in MODES:
        raise ValueError(f"search: mode {mode!r} is not one of {', '.join(MODES)}")
    filters = filters or SearchFilters()
    limit = max(1, min(int(limit), 1000))
    parsed = parse_query(query)
    if parsed.empty:
        return []
    depth = max(limit * _DEPTH_FACTOR, _MIN_DEPTH)
    candidates = retrieve(store, parsed, filters, depth, mode)
    return _fold(store, candidates, filters, limit, parsed.words())
