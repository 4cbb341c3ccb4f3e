"""Keeps the copy-detection index (exact keys, MinHash signatures, LSH bands) in SQLite, so it
survives restarts and serves every worker that shares the database."""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Callable

from ..enrich.copies import CopyCandidate, to_bytes

if TYPE_CHECKING:
    from ..enrich.copies import CopySignature

__all__ = ["SQLiteCopyIndex"]

_COLUMNS = "article_id, signature, published_at, credit, duplicate_of, outlet"


def _candidate(row: sqlite3.Row) -> CopyCandidate:
    return CopyCandidate(row["article_id"], bytes(row["signature"]), row["published_at"],
                         row["credit"], row["duplicate_of"], row["outlet"])


class SQLiteCopyIndex:
    """Implements ``newsdesk.enrich.copies.CopyIndex`` on the copy_signatures and copy_bands
    tables; ``repoint`` also moves the articles' own ``duplicate_of``, in one transaction."""

    def __init__(self, reader: Callable[[], sqlite3.Connection],
                 write: Callable[[], AbstractContextManager[sqlite3.Connection]]):
        self._reader = reader
        self._write = write

    def exact(self, key: str) -> list[CopyCandidate]:
        rows = self._reader().execute(
            f"SELECT {_COLUMNS} FROM copy_signatures WHERE exact = ? ORDER BY article_id", (key,))
        return [_candidate(r) for r in rows]

    def candidates(self, bands: list[str], limit: int) -> list[CopyCandidate]:
        if not bands:
            return []
        marks = ",".join("?" * len(bands))
        rows = self._reader().execute(
            f"SELECT {', '.join('s.' + c for c in _COLUMNS.split(', '))}, count(*) AS shared "
            f"FROM copy_bands b JOIN copy_signatures s ON s.article_id = b.article_id "
            f"WHERE b.band IN ({marks}) GROUP BY s.article_id "
            f"ORDER BY shared DESC, s.article_id LIMIT ?", (*bands, limit))
        return [_candidate(r) for r in rows]

    def get(self, article_id: str) -> CopyCandidate | None:
        row = self._reader().execute(
            f"SELECT {_COLUMNS} FROM copy_signatures WHERE article_id = ?", (article_id,)).fetchone()
        return _candidate(row) if row else None

    def add(self, article_id: str, sig: "CopySignature", *, published_at: str | None = None,
            credit: str | None = None, outlet: str | None = None,
            duplicate_of: str | None = None) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM copy_bands WHERE article_id = ?", (article_id,))
            conn.execute(
                "INSERT OR REPLACE INTO copy_signatures(article_id, exact, signature, "
                "published_at, credit, outlet, duplicate_of) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (article_id, sig.exact, to_bytes(sig), published_at, credit, outlet, duplicate_of))
            conn.executemany("INSERT OR IGNORE INTO copy_bands(band, article_id) VALUES (?, ?)",
                             [(band, article_id) for band in sig.bands])

    def repoint(self, old_original: str, new_original: str) -> None:
        with self._write() as conn:
            for table in ("copy_signatures", "articles"):
                key = "article_id" if table == "copy_signatures" else "id"
                conn.execute(f"UPDATE {table} SET duplicate_of = ? WHERE duplicate_of = ? "
                             f"AND {key} != ?", (new_original, old_original, new_original))
                conn.execute(f"UPDATE {table} SET duplicate_of = ? WHERE {key} = ?",
                             (new_original, old_original))
                conn.execute(f"UPDATE {table} SET duplicate_of = NULL WHERE {key} = ?",
                             (new_original,))
