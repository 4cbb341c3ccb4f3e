"""Holds what the story clusterer keeps: ``StoryState`` (one story, one JSON value), the
``StoryIndex`` protocol a store implements, ``MemoryStoryIndex``, the in-memory index used
by tests, the evaluation and as the SQLite store's mirror, and ``BatchStoryIndex``, the
overlay one batch is clustered in before its stories reach the store."""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable, Protocol, runtime_checkable

import numpy as np

__all__ = ["FOLD_DIM", "BatchStoryIndex", "MemoryStoryIndex", "StoryIndex", "StoryState", "story_id_for",
           "to_days", "top_entries"]


# ------------------------------------------------------------------------------- state

def _encode(vector: np.ndarray | None) -> str | None:
    if vector is None:
        return None
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")


def _decode(text: str | None) -> np.ndarray | None:
    if text is None:
        return None
    return np.frombuffer(base64.b64decode(text), dtype="<f4").astype(np.float32)


@dataclass
class StoryState:
    """What the clusterer keeps of one story; ``to_json`` gives one JSON value for the store."""

    id: str
    centroid: np.ndarray  # float32 running mean of member vectors (not normalised)
    # Sums of the members' unit TF-IDF vectors of words and of names (IDF as of each join),
    # pruned to the largest max_terms / max_names entries.
    terms: dict[str, float] = field(default_factory=dict)
    names: dict[str, float] = field(default_factory=dict)
    size: int = 0  # articles assigned (copies join through their original and are not counted)
    first_seen: str | None = None  # ISO 8601 of the oldest dated member
    last_seen: str | None = None  # ISO 8601 of the newest dated member
    title: str = ""  # headline of the member closest to the centroid
    title_article_id: str = ""
    title_vector: np.ndarray | None = None  # that member's vector, to compare newcomers with
    terms_norm: float = 0.0  # L2 norm of terms
    names_norm: float = 0.0  # L2 norm of names
    named: int = 0  # members that had names

    def to_json(self) -> str:
        return json.dumps({
            "id": self.id, "centroid": _encode(self.centroid), "terms": self.terms,
            "names": self.names, "size": self.size, "first_seen": self.first_seen,
            "last_seen": self.last_seen, "title": self.title,
            "title_article_id": self.title_article_id, "title_vector": _encode(self.title_vector),
            "terms_norm": self.terms_norm, "names_norm": self.names_norm, "named": self.named,
        }, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "StoryState":
        data = json.loads(text)
        centroid = _decode(data["centroid"])
        return cls(id=data["id"], centroid=centroid if centroid is not None else np.zeros(0, np.float32),
                   terms={k: float(v) for k, v in data.get("terms", {}).items()},
                   names={k: float(v) for k, v in data.get("names", {}).items()},
                   size=int(data.get("size", 0)), first_seen=data.get("first_seen"),
                   last_seen=data.get("last_seen"), title=data.get("title", ""),
                   title_article_id=data.get("title_article_id", ""),
                   title_vector=_decode(data.get("title_vector")),
                   terms_norm=float(data.get("terms_norm", 0.0)),
                   names_norm=float(data.get("names_norm", 0.0)),
                   named=int(data.get("named", 0)))

    def add_weights(self, terms: dict[str, float], names: dict[str, float], max_terms: int,
                    max_names: int) -> None:
        """Adds word and name weights to the story's sums, prunes each sum to its largest
        entries once it holds twice its cap, and updates the norms."""
        for key, weight in terms.items():
            self.terms[key] = self.terms.get(key, 0.0) + weight
        for key, weight in names.items():
            self.names[key] = self.names.get(key, 0.0) + weight
        if len(self.terms) > 2 * max_terms:
            self.terms = top_entries(self.terms, max_terms)
        if len(self.names) > 2 * max_names:
            self.names = top_entries(self.names, max_names)
        self.terms_norm = math.sqrt(sum(v * v for v in self.terms.values()))
        self.names_norm = math.sqrt(sum(v * v for v in self.names.values()))


def to_days(when: str | None) -> float | None:
    """Returns an ISO 8601 time as days since the epoch (naive times read as UTC), or None."""
    if not when:
        return None
    try:
        moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp() / 86400.0


def top_entries(weights: dict[str, float], k: int) -> dict[str, float]:
    """Returns the ``k`` largest entries (how a story's word and name sums are pruned)."""
    ranked = sorted(weights, key=weights.__getitem__, reverse=True)
    return {key: weights[key] for key in ranked[:k]}


def story_id_for(article_id: str) -> str:
    """Returns the id of a story started by an article: "s" + 12 hex digits of its id's hash."""
    return "s" + hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:12]


# ------------------------------------------------------------------------------- index

@runtime_checkable
class StoryIndex(Protocol):
    """Where story states and term document frequencies live (the store implements it)."""

    def candidates(self, vector: np.ndarray, when: str | None, limit: int,
                   window_days: float) -> list[StoryState]:
        """Returns up to ``limit`` stories, closest to ``vector`` first where the index can
        rank them: for a dated ``when``, stories whose [first_seen, last_seen] lies within
        ``window_days`` of it, and undated stories; for ``when`` None, the most recent
        stories of any date. The clusterer scores them all, so any order is correct."""
        ...

    def save(self, state: StoryState) -> None: ...

    def get(self, story_id: str) -> StoryState | None: ...

    def doc_freq(self, keys: list[str]) -> dict[str, int]:
        """Returns the number of documents holding each key (0 for an unknown key)."""
        ...

    def add_doc(self, keys: Iterable[str]) -> None:
        """Counts one more document, holding ``keys`` (each counted once)."""
        ...

    def doc_count(self) -> int: ...


# Width above which MemoryStoryIndex ranks candidates on folded vectors (see _fold).
FOLD_DIM = 1024


class MemoryStoryIndex:
    """Keeps stories in memory with their normalised centroids in one numpy matrix.

    ``candidates`` is one matrix-vector product over the stories in the time window, so 100k
    articles stay fast. Stories more than ``window_days`` older than the newest date seen drop
    out of the matrix (they stay readable through ``get``), which bounds it for dated streams.
    """

    def __init__(self) -> None:
        self.states: dict[str, StoryState] = {}
        self._row: dict[str, int] = {}
        self._ids: list[str | None] = []
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._first = np.zeros(0)
        self._last = np.zeros(0)
        self._live = np.zeros(0, dtype=bool)
        self._free: list[int] = []
        self._df: Counter[str] = Counter()
        self._docs = 0
        self._newest = -math.inf

    # -- states ---------------------------------------------------------------------------
    def get(self, story_id: str) -> StoryState | None:
        return self.states.get(story_id)

    def save(self, state: StoryState) -> None:
        self.states[state.id] = state
        vector = state.centroid.astype(np.float32)
        norm = float(np.linalg.norm(vector))
        row = self._row.get(state.id)
        if row is None:
            row = self._take_row(vector.shape[0])
            self._row[state.id] = row
            self._ids[row] = state.id
            self._live[row] = True
        folded = self._fold(vector / norm if norm else vector)
        # A vector of another width (no vector, or another embedder) cannot be ranked here.
        self._matrix[row] = folded if folded.shape[0] == self._matrix.shape[1] else 0.0
        first, last = to_days(state.first_seen), to_days(state.last_seen)
        self._first[row] = np.nan if first is None else first
        self._last[row] = np.nan if last is None else last
        if last is not None and last > self._newest:
            self._newest = last

    @staticmethod
    def _fold(vector: np.ndarray) -> np.ndarray:
        """Folds a wide vector to FOLD_DIM by summing its blocks, for ranking candidates only.

        A hashing embedder's 4096 signed buckets fold into 1024 signed buckets of the same
        kind (inner products keep their expectation), and the matrix-vector product that ranks
        stories, which is bound by memory bandwidth, reads a quarter of the bytes. Vectors of a
        dense model (384 or 512 wide) are left as they are. The clusterer scores candidates on
        the full centroids.
        """
        dim = vector.shape[-1]
        if dim > FOLD_DIM and dim % FOLD_DIM == 0:
            return vector.reshape(*vector.shape[:-1], dim // FOLD_DIM, FOLD_DIM).sum(axis=-2)
        return vector

    def _take_row(self, dim: int) -> int:
        dim = self._fold(np.zeros(dim, dtype=np.float32)).shape[0]
        if self._free:
            return self._free.pop()
        n = len(self._ids)
        if self._matrix.shape[1] == 0 and dim:
            # The first vector fixes the width (rows saved before it had none).
            self._matrix = np.zeros((self._matrix.shape[0], dim), dtype=np.float32)
        if n == self._matrix.shape[0]:
            grow = max(64, n)
            self._matrix = np.vstack([self._matrix, np.zeros((grow, dim), dtype=np.float32)])
            self._first = np.concatenate([self._first, np.full(grow, np.nan)])
            self._last = np.concatenate([self._last, np.full(grow, np.nan)])
            self._live = np.concatenate([self._live, np.zeros(grow, dtype=bool)])
        self._ids.append(None)
        return n

    def _retire(self, horizon: float) -> None:
        """Drops stories last seen before ``horizon`` from the matrix (not from ``states``)."""
        n = len(self._ids)
        old = np.nonzero(self._last[:n] < horizon)[0]
        for row in old:
            story_id = self._ids[row]
            if story_id is not None:
                del self._row[story_id]
                self._ids[row] = None
                self._live[row] = False
                self._matrix[row] = 0.0
                self._first[row] = self._last[row] = np.nan
                self._free.append(int(row))

    def candidates(self, vector: np.ndarray, when: str | None, limit: int,
                   window_days: float) -> list[StoryState]:
        n = len(self._ids)
        if n == 0:
            return []
        day = to_days(when)
        if day is not None and self._newest - day < window_days:
            # Only stories that could still be live for the newest dates stay in the matrix.
            self._retire(self._newest - 3 * window_days)
        query = self._fold(np.asarray(vector, dtype=np.float32))
        if query.shape[0] == self._matrix.shape[1]:
            sims = self._matrix[:n] @ query
        else:
            sims = np.zeros(n, dtype=np.float32)
        live = self._live[:n].copy()
        if day is not None:
            first, last = self._first[:n], self._last[:n]
            undated = np.isnan(last)
            near = (last >= day - window_days) & (first <= day + window_days)
            live &= undated | near
        rows = np.nonzero(live)[0]
        if len(rows) > limit:
            rows = rows[np.argpartition(-sims[rows], limit - 1)[:limit]]
        rows = rows[np.argsort(-sims[rows], kind="stable")]
        return [self.states[self._ids[r]] for r in rows]  # type: ignore[index]

    def remove(self, story_id: str) -> None:
        """Forgets a story (its row is reused); the batch overlay drops a merged-away story."""
        self.states.pop(story_id, None)
        row = self._row.pop(story_id, None)
        if row is not None:
            self._ids[row] = None
            self._live[row] = False
            self._matrix[row] = 0.0
            self._first[row] = self._last[row] = np.nan
            self._free.append(row)

    # -- document frequencies -------------------------------------------------------------
    def doc_freq(self, keys: list[str]) -> dict[str, int]:
        return {k: self._df.get(k, 0) for k in keys}

    def add_doc(self, keys: Iterable[str]) -> None:
        self._df.update(set(keys))
        self._docs += 1

    def doc_count(self) -> int:
        return self._docs


class BatchStoryIndex:
    """Overlays one batch on a ``StoryIndex``: stories born in the batch live in a private
    ``MemoryStoryIndex`` and stories of the base index that the batch changed are held here,
    until ``commit`` saves them all to the base.

    The clusterer can then merge a story born in the batch into another story (``drop``)
    before any of its articles is stored, so no stored or exported ``story_id`` ever changes,
    and the base never sees a story that was merged away. Document frequencies go straight to
    the base (the batch is counted before it is assigned)."""

    def __init__(self, base: StoryIndex) -> None:
        self.base = base
        self.fresh = MemoryStoryIndex()
        self.touched: dict[str, StoryState] = {}

    def is_fresh(self, story_id: str) -> bool:
        return story_id in self.fresh.states

    def candidates(self, vector: np.ndarray, when: str | None, limit: int,
                   window_days: float) -> list[StoryState]:
        found = [self.touched.get(s.id, s) for s in self.base.candidates(vector, when, limit, window_days)]
        if not found:  # a first import: every candidate was born in the batch
            return self.fresh.candidates(vector, when, limit, window_days)
        found += self.fresh.candidates(vector, when, limit, window_days)
        if len(found) <= limit:
            return found
        # Keep the base's contract: at most ``limit``, the closest by centroid cosine.
        query = np.asarray(vector, dtype=np.float32)

        def closeness(state: StoryState) -> float:
            if state.centroid.shape != query.shape:
                return -math.inf
            norm = float(np.linalg.norm(state.centroid))
            return float(state.centroid @ query) / norm if norm else 0.0
        return sorted(found, key=closeness, reverse=True)[:limit]

    def add(self, state: StoryState) -> None:
        """Saves a story born in this batch."""
        self.fresh.save(state)

    def save(self, state: StoryState) -> None:
        if state.id in self.fresh.states:
            self.fresh.save(state)
        else:
            self.touched[state.id] = state

    def drop(self, story_id: str) -> None:
        """Forgets a story born in this batch (it was merged into another)."""
        if story_id not in self.fresh.states:
            raise ValueError(f"story {story_id!r} was not born in this batch; only those can be dropped")
        self.fresh.remove(story_id)

    def get(self, story_id: str) -> StoryState | None:
        return self.fresh.get(story_id) or self.touched.get(story_id) or self.base.get(story_id)

    def doc_freq(self, keys: list[str]) -> dict[str, int]:
        return self.base.doc_freq(keys)

    def add_doc(self, keys: Iterable[str]) -> None:
        self.base.add_doc(keys)

    def doc_count(self) -> int:
        return self.base.doc_count()

    def commit(self) -> None:
        """Saves the batch's changed and new stories to the base index."""
        for state in self.touched.values():
            self.base.save(state)
        for state in self.fresh.states.values():
            self.base.save(state)
        self.touched = {}
        self.fresh = MemoryStoryIndex()
