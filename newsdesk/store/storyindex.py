"""Keeps the story clusterer's state (story states, term document frequencies) in SQLite.

Story states are mirrored in an in-memory ``MemoryStoryIndex`` so that finding candidates
stays one matrix product per article. The mirror is rebuilt from the database whenever
another connection (another worker process) has committed since it was built, which SQLite's
``PRAGMA data_version`` tells cheaply.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from typing import Callable, Iterable

import numpy as np

from ..enrich.stories import MemoryStoryIndex, StoryState
from . import stories

__all__ = ["SQLiteStoryIndex"]

_DOCS = "story_docs"


class SQLiteStoryIndex:
    """Implements ``newsdesk.enrich.stories.StoryIndex`` on the stories, story_terms and
    counters tables."""

    def __init__(self, writer: sqlite3.Connection, reader: Callable[[], sqlite3.Connection],
                 write: Callable[[], AbstractContextManager[sqlite3.Connection]]):
        self._writer = writer  # read only for data_version: it sees other processes' commits
        self._reader = reader
        self._write = write
        self._mirror: MemoryStoryIndex | None = None
        self._version: int | None = None

    def _cache(self) -> MemoryStoryIndex:
        version = self._writer.execute("PRAGMA data_version").fetchone()[0]
        if self._mirror is None or version != self._version:
            mirror = MemoryStoryIndex()
            rows = self._reader().execute("SELECT state FROM stories ORDER BY last_seen")
            for row in rows:
                mirror.save(StoryState.from_json(row["state"]))
            self._mirror, self._version = mirror, version
        return self._mirror

    def candidates(self, vector: np.ndarray, when: str | None, limit: int,
                   window_days: float) -> list[StoryState]:
        return self._cache().candidates(vector, when, limit, window_days)

    def get(self, story_id: str) -> StoryState | None:
        return self._cache().get(story_id)

    def save(self, state: StoryState) -> None:
        mirror = self._cache()
        with self._write() as conn:
            stories.save_state(conn, state.id, state.title, state.first_seen, state.last_seen,
                               state.size, state.to_json())
        mirror.save(state)

    def doc_freq(self, keys: list[str]) -> dict[str, int]:
        found = dict.fromkeys(keys, 0)
        conn = self._reader()
        for start in range(0, len(keys), 500):  # stay under SQLite's bound-parameter limit
            chunk = keys[start:start + 500]
            rows = conn.execute("SELECT term, df FROM story_terms WHERE term IN "
                                f"({','.join('?' * len(chunk))})", chunk)
            found.update((r["term"], int(r["df"])) for r in rows)
        return found

    def add_doc(self, keys: Iterable[str]) -> None:
        with self._write() as conn:
            conn.executemany("INSERT INTO story_terms(term, df) VALUES (?, 1) "
                             "ON CONFLICT(term) DO UPDATE SET df = df + 1",
                             [(k,) for k in set(keys)])
            conn.execute("INSERT INTO counters(name, value) VALUES (?, 1) "
                         "ON CONFLICT(name) DO UPDATE SET value = value + 1", (_DOCS,))

    def doc_count(self) -> int:
        row = self._reader().execute("SELECT value FROM counters WHERE name = ?",
                                     (_DOCS,)).fetchone()
        return int(row["value"]) if row else 0
