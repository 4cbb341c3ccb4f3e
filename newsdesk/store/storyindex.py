"""Keeps the story clusterer's state (story states, term document frequencies) in the store.

Story states are mirrored in an in-memory ``MemoryStoryIndex`` so that finding candidates
stays one matrix product per article. The mirror is rebuilt from the database whenever
another connection (another worker process) has committed since it was built, which the
engine's data version tells cheaply (SQLite's ``PRAGMA data_version``; on PostgreSQL a
counter that every batch with story writes bumps).

Writes are staged: ``save`` and ``add_doc`` change the mirror and an overlay that
``doc_freq`` and ``doc_count`` read with the tables, and ``flush`` writes them in the caller's
transaction, the one that stores the batch's articles (``SQLStore.save_articles``). Story
sizes, centroids and document counts then count exactly the stored articles, whatever point a
crash came at; ``discard`` drops a failed batch's writes and the mirror with them.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from typing import Callable, Iterable

import numpy as np

from ..enrich.storyindex import MemoryStoryIndex, StoryState
from . import stories

__all__ = ["StoredStoryIndex"]

_DOCS = "story_docs"


class StoredStoryIndex:
    """Implements ``newsdesk.enrich.stories.StoryIndex`` on the stories, story_terms and
    counters tables, with the writes of the open batch staged until ``flush``."""

    def __init__(self, version: Callable[[], int], reader: Callable[[], sqlite3.Connection]):
        self._data_version = version  # changes when another connection or worker commits
        self._reader = reader
        self._mirror: MemoryStoryIndex | None = None
        self._version: int | None = None
        self._states: dict[str, StoryState] = {}  # staged story states, by id
        self._df: Counter[str] = Counter()  # staged document frequencies
        self._docs = 0  # staged documents

    # -- staging ---------------------------------------------------------------------------
    @property
    def pending(self) -> int:
        """Returns how many staged writes (story states and documents) wait for ``flush``."""
        return len(self._states) + self._docs

    def discard(self) -> None:
        """Drops the staged writes; the mirror, which holds them too, is rebuilt on next use."""
        self._states, self._df, self._docs = {}, Counter(), 0
        self._mirror = None

    def flush(self, conn: sqlite3.Connection) -> None:
        """Writes the staged states and frequencies with ``conn`` (inside the caller's
        transaction), then clears them."""
        for state in self._states.values():
            stories.save_state(conn, state.id, state.title, state.first_seen, state.last_seen,
                               state.size, state.to_json())
        if self._docs:
            conn.executemany("INSERT INTO story_terms(term, df) VALUES (?, ?) "
                             "ON CONFLICT(term) DO UPDATE SET df = story_terms.df + excluded.df",
                             list(self._df.items()))
            conn.execute("INSERT INTO counters(name, value) VALUES (?, ?) "
                         "ON CONFLICT(name) DO UPDATE SET value = counters.value + excluded.value",
                         (_DOCS, self._docs))
        self._states, self._df, self._docs = {}, Counter(), 0

    def _cache(self) -> MemoryStoryIndex:
        version = self._data_version()
        if self._mirror is None or version != self._version:
            mirror = MemoryStoryIndex()
            rows = self._reader().execute("SELECT state FROM stories ORDER BY last_seen")
            for row in rows:
                mirror.save(StoryState.from_json(row["state"]))
            for state in self._states.values():  # another worker committed mid-batch
                mirror.save(state)
            self._mirror, self._version = mirror, version
        return self._mirror

    # -- StoryIndex ------------------------------------------------------------------------
    def candidates(self, vector: np.ndarray, when: str | None, limit: int,
                   window_days: float) -> list[StoryState]:
        return self._cache().candidates(vector, when, limit, window_days)

    def get(self, story_id: str) -> StoryState | None:
        return self._cache().get(story_id)

    def save(self, state: StoryState) -> None:
        self._cache().save(state)
        self._states[state.id] = state

    def doc_freq(self, keys: list[str]) -> dict[str, int]:
        found = dict.fromkeys(keys, 0)
        conn = self._reader()
        for start in range(0, len(keys), 500):  # stay under SQLite's bound-parameter limit
            chunk = keys[start:start + 500]
            rows = conn.execute("SELECT term, df FROM story_terms WHERE term IN "
                                f"({','.join('?' * len(chunk))})", chunk)
            found.update((r["term"], int(r["df"])) for r in rows)
        if self._df:
            for key in keys:
                found[key] += self._df.get(key, 0)
        return found

    def add_doc(self, keys: Iterable[str]) -> None:
        self._df.update(set(keys))
        self._docs += 1

    def doc_count(self) -> int:
        row = self._reader().execute("SELECT value FROM counters WHERE name = ?",
                                     (_DOCS,)).fetchone()
        return (int(row["value"]) if row else 0) + self._docs
