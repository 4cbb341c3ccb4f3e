"""Keeps an approximate-nearest-neighbour index (usearch HNSW) of article vectors in a file.

The file lives beside the SQLite database (``<db>.vectors.usearch``) with a JSON sidecar that
records what it was built from: the embedding model, the dimension, and the article count and
highest rowid of the database at the time. The database stays the source of truth: whenever the
file is missing, unreadable or out of date it is brought up to date from the database. When the
only change is new articles (the usual case: ingest appends), their vectors are added to the
loaded index; any other change (a deletion, another model) rebuilds it whole.

Keys are article rowids. Vectors are stored as float16: half the memory of float32 at a cosine
error (~1e-3) far below the gaps between neighbours that matter for ranking.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["VectorIndex", "DatabaseVectorIndex", "vector_index", "IndexStats"]

log = logging.getLogger(__name__)

_FORMAT = 1
# HNSW parameters: usearch's defaults for connectivity (16) and insertion breadth (128); search
# breadth 128 instead of 64 because a hybrid query asks for a few hundred neighbours at once.
_CONNECTIVITY = 16
_EXPANSION_ADD = 128
_EXPANSION_SEARCH = 128
_SAVE_EVERY = 1000


@dataclass
class IndexStats:
    """What the last ``ensure`` did: "fresh", "added", "built" or "empty", and how long it took."""

    action: str
    vectors: int
    seconds: float


class VectorIndex:
    """The ANN index of one store; ``search`` brings it up to date first."""

    def __init__(self, store: "Store", path: Path):
        self.store = store
        self.path = path
        self.sidecar = path.with_name(path.name + ".json")
        self._index = None
        self._meta: dict | None = None
        self._lock = threading.Lock()
        self._unsaved = 0  # vectors added since the file was written
        self.last = IndexStats("empty", 0, 0.0)

    @property
    def model(self) -> str | None:
        """The embedding model of the indexed vectors (None when there are none)."""
        return self._meta["model"] if self._meta else None

    def _new_index(self, dim: int):
        from usearch.index import Index

        return Index(ndim=dim, metric="cos", dtype="f16", connectivity=_CONNECTIVITY,
                     expansion_add=_EXPANSION_ADD, expansion_search=_EXPANSION_SEARCH)

    def _load(self) -> None:
        """Loads the file and its sidecar if both are there and readable."""
        if not self.path.exists() or not self.sidecar.exists():
            return
        try:
            meta = json.loads(self.sidecar.read_text())
            if meta.get("format") != _FORMAT:
                return
            index = self._new_index(int(meta["dim"]))
            index.load(str(self.path))
            if len(index) != int(meta["count"]):
                return
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            log.warning("search: vector index %s unreadable (%s); rebuilding it", self.path, exc)
            return
        self._index, self._meta = index, meta

    def _save(self) -> None:
        if self._index is None or self._meta is None:
            return
        tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        try:
            self._index.save(str(tmp))
            os.replace(tmp, self.path)
            side_tmp = self.sidecar.with_name(self.sidecar.name + f".{os.getpid()}.tmp")
            side_tmp.write_text(json.dumps(self._meta))
            os.replace(side_tmp, self.sidecar)
        except OSError as exc:  # a read-only folder still searches, from memory
            log.warning("search: cannot write vector index %s: %s", self.path, exc)
            return
        self._unsaved = 0

    def ensure(self) -> None:
        """Brings the index up to date with the database (loading, extending or rebuilding)."""
        with self._lock:
            start = time.perf_counter()
            if self._index is None:
                self._load()
            articles, max_rowid = self.store.search_fingerprint()
            meta = self._meta
            if meta and meta["articles"] == articles and meta["max_rowid"] == max_rowid:
                self.last = IndexStats("fresh", int(meta["count"]), time.perf_counter() - start)
                return
            if (meta and articles - meta["articles"] == self.store.search_count_after(meta["max_rowid"])
                    and articles >= meta["articles"]):
                added = self._extend(meta, articles, max_rowid)
                self._unsaved += added
                # Rewriting the file for every few new articles would cost more than adding
                # them again after a restart: save once 1,000 or 1% of the index are new.
                if self._unsaved >= max(_SAVE_EVERY, len(self._index) // 100):
                    self._save()
                self.last = IndexStats("added", added, time.perf_counter() - start)
            else:
                built = self._build(articles, max_rowid)
                self._save()
                self.last = IndexStats("built" if built else "empty", built,
                                       time.perf_counter() - start)

    def _extend(self, meta: dict, articles: int, max_rowid: int) -> int:
        added = 0
        for keys, vectors in self.store.search_iter_vectors(meta["model"], meta["max_rowid"]):
            if vectors.shape[1] != meta["dim"]:
                continue
            self._index.add(keys, vectors)
            added += len(keys)
        meta.update(articles=articles, max_rowid=max_rowid, count=len(self._index))
        return added

    def _build(self, articles: int, max_rowid: int) -> int:
        state = self.store.search_vector_state()
        if state.model is None or state.dim == 0:
            self._index, self._meta = None, None
            return 0
        index = self._new_index(state.dim)
        for keys, vectors in self.store.search_iter_vectors(state.model, 0):
            if vectors.shape[1] == state.dim:
                index.add(keys, vectors)
        self._index = index
        self._meta = {"format": _FORMAT, "model": state.model, "dim": state.dim,
                      "count": len(index), "articles": articles, "max_rowid": max_rowid}
        log.info("search: built vector index of %d %s vectors", len(index), state.model)
        return len(index)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Returns up to ``k`` (rowid, cosine) nearest to a unit vector, nearest first."""
        if self._index is None or len(self._index) == 0 or k <= 0:
            return []
        with self._lock:
            matches = self._index.search(np.asarray(vector, dtype=np.float32), min(k, len(self._index)))
        return [(int(key), 1.0 - float(dist)) for key, dist in zip(matches.keys, matches.distances,
                                                                    strict=False)]


class DatabaseVectorIndex:
    """The vector index of an engine that searches vectors itself (PostgreSQL's pgvector HNSW):
    nothing to build or keep here; the dominant model is looked up at most once a minute."""

    _MODEL_TTL = 60.0

    def __init__(self, store: "Store"):
        self.store = store
        self._model: tuple[float, str | None] | None = None

    @property
    def model(self) -> str | None:
        now = time.monotonic()
        if self._model is None or now - self._model[0] > self._MODEL_TTL:
            self._model = (now, self.store.search_vector_state().model)
        return self._model[1]

    def ensure(self) -> None:
        return None

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Returns up to ``k`` (rowid, cosine) nearest to a unit vector, nearest first."""
        model = self.model
        if model is None or k <= 0:
            return []
        return self.store.nearest_vectors(np.asarray(vector, dtype=np.float32), model, k)


_INDEXES: dict[str, VectorIndex | DatabaseVectorIndex] = {}
_INDEXES_LOCK = threading.Lock()


def vector_index(store: "Store") -> VectorIndex | DatabaseVectorIndex:
    """Returns the up-to-date vector index of a store (one per database per process): the
    index file beside it, or the engine's own when it keeps no file (``vector_index_path``)."""
    path = store.vector_index_path()
    key = str(path) if path else store.url
    with _INDEXES_LOCK:
        index = _INDEXES.get(key)
        if index is None or index.store is not store:
            index = _INDEXES[key] = VectorIndex(store, path) if path else DatabaseVectorIndex(store)
    index.ensure()
    return index
