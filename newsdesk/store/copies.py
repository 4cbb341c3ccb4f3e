"""Keeps the copy-detection index (exact keys, MinHash signatures, LSH bands) in the store, so it
survives restarts and serves every worker that shares the database.

Writes are staged: ``add`` and ``repoint`` change an in-memory overlay that every lookup reads
together with the tables, and ``flush`` writes the overlay in the caller's transaction, the one
that stores the batch's articles (``SQLStore.save_articles``). A crash between the copies
step and the save then leaves neither index rows nor articles of the batch, and a re-run finds
the index as it was; ``discard`` drops the overlay of a batch that failed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from typing import TYPE_CHECKING, Callable

from ..enrich.copyindex import CopyCandidate, MemoryCopyIndex
from ..enrich.copysig import from_bytes

if TYPE_CHECKING:
    from ..enrich.copysig import CopySignature

__all__ = ["StoredCopyIndex"]

_COLUMNS = "article_id, signature, published_at, credit, duplicate_of, outlet"


# A time read from an age ("2 days ago") is kept in copy_signatures.published_at with this
# prefix: the column is the index's own, and the mark travels with the time it qualifies.
_APPROXIMATE = "~"


def _candidate(row: sqlite3.Row) -> CopyCandidate:
    when = row["published_at"]
    approximate = bool(when) and when.startswith(_APPROXIMATE)
    return CopyCandidate(row["article_id"], bytes(row["signature"]),
                         when[len(_APPROXIMATE):] if approximate else when, row["credit"],
                         row["duplicate_of"], row["outlet"], approximate)


def _bands_of(blob: bytes) -> list[str]:
    try:
        return from_bytes(bytes(blob)).bands
    except ValueError:  # a blob of an older format: its band keys cannot be recomputed
        return []


def _stored_time(entry: CopyCandidate) -> str | None:
    if entry.approximate and entry.published_at:
        return _APPROXIMATE + entry.published_at
    return entry.published_at


class StoredCopyIndex:
    """Implements ``newsdesk.enrich.copies.CopyIndex`` on the copy_signatures and copy_bands
    tables, with the writes of the open batch staged in memory until ``flush``."""

    def __init__(self, reader: Callable[[], sqlite3.Connection]):
        self._reader = reader
        self.discard()

    # -- staging ---------------------------------------------------------------------------
    def discard(self) -> None:
        """Drops the staged writes (the batch they belong to will not be stored)."""
        self._pending = MemoryCopyIndex()
        self._moves: list[tuple[str, str]] = []  # repoints in order, for the tables
        self._moved: dict[str, str] = {}  # stored original -> its new original
        self._rooted: set[str] = set()  # stored copies made originals by a repoint

    @property
    def pending(self) -> int:
        """Returns how many staged writes wait for ``flush``."""
        return len(self._pending) + len(self._moves)

    def flush(self, conn: sqlite3.Connection) -> None:
        """Writes the staged adds and repoints with ``conn`` (inside the caller's transaction),
        in one statement per table and kind, then clears them."""
        for old, new in self._moves:
            for table, key in (("copy_signatures", "article_id"), ("articles", "id")):
                conn.execute(f"UPDATE {table} SET duplicate_of = ? WHERE duplicate_of = ? "
                             f"AND {key} != ?", (new, old, new))
                conn.execute(f"UPDATE {table} SET duplicate_of = ? WHERE {key} = ?", (new, old))
                conn.execute(f"UPDATE {table} SET duplicate_of = NULL WHERE {key} = ?", (new,))
        rows = list(self._pending.rows())
        if rows:
            # An article indexed again replaces its entry. copy_bands is keyed (band, article_id),
            # so its old band rows are deleted by their keys, recomputed from the old signature:
            # a DELETE by article_id alone would scan the whole table for every article.
            old_bands = []
            for start in range(0, len(rows), 500):  # stay under the bound-parameter limit
                ids = [entry.article_id for entry, _, _ in rows[start:start + 500]]
                for row in conn.execute("SELECT article_id, signature FROM copy_signatures "
                                        f"WHERE article_id IN ({','.join('?' * len(ids))})", ids):
                    old_bands += [(band, row["article_id"]) for band in _bands_of(row["signature"])]
            conn.executemany("DELETE FROM copy_bands WHERE band = ? AND article_id = ?", old_bands)
            conn.executemany(
                "INSERT INTO copy_signatures(article_id, exact, signature, published_at, credit, "
                "outlet, duplicate_of) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(article_id) DO UPDATE "
                "SET exact = excluded.exact, signature = excluded.signature, "
                "published_at = excluded.published_at, credit = excluded.credit, "
                "outlet = excluded.outlet, duplicate_of = excluded.duplicate_of",
                [(e.article_id, exact, e.minhash, _stored_time(e), e.credit, e.outlet,
                  e.duplicate_of) for e, exact, _ in rows])
            conn.executemany("INSERT OR IGNORE INTO copy_bands(band, article_id) VALUES (?, ?)",
                             [(band, e.article_id) for e, _, bands in rows for band in bands])
        self.discard()

    def _view(self, entry: CopyCandidate) -> CopyCandidate:
        """Returns a stored entry as the staged repoints leave it."""
        if entry.article_id in self._moved:
            return replace(entry, duplicate_of=self._moved[entry.article_id])
        if entry.article_id in self._rooted:
            return replace(entry, duplicate_of=None) if entry.duplicate_of else entry
        if entry.duplicate_of in self._moved:
            return replace(entry, duplicate_of=self._moved[entry.duplicate_of])
        return entry

    # -- CopyIndex -------------------------------------------------------------------------
    def exact(self, key: str) -> list[CopyCandidate]:
        rows = self._reader().execute(
            f"SELECT {_COLUMNS} FROM copy_signatures WHERE exact = ? ORDER BY article_id", (key,))
        found = {c.article_id: self._view(c) for c in map(_candidate, rows)}
        found.update((c.article_id, c) for c in self._pending.exact(key))
        return [found[i] for i in sorted(found)]

    def candidates(self, bands: list[str], limit: int) -> list[CopyCandidate]:
        if not bands:
            return []
        marks = ",".join("?" * len(bands))
        rows = self._reader().execute(
            f"SELECT {', '.join('s.' + c for c in _COLUMNS.split(', '))}, count(*) AS shared "
            f"FROM copy_bands b JOIN copy_signatures s ON s.article_id = b.article_id "
            f"WHERE b.band IN ({marks}) GROUP BY s.article_id "
            f"ORDER BY shared DESC, s.article_id LIMIT ?", (*bands, limit))
        scored = {r["article_id"]: (int(r["shared"]), self._view(_candidate(r))) for r in rows}
        scored.update((c.article_id, (n, c)) for n, c in self._pending.scored(bands, limit))
        best = sorted(scored, key=lambda i: (-scored[i][0], i))[:limit]
        return [scored[i][1] for i in best]

    def get(self, article_id: str) -> CopyCandidate | None:
        staged = self._pending.get(article_id)
        if staged is not None:
            return staged
        row = self._reader().execute(
            f"SELECT {_COLUMNS} FROM copy_signatures WHERE article_id = ?", (article_id,)).fetchone()
        return self._view(_candidate(row)) if row else None

    def add(self, article_id: str, sig: "CopySignature", *, published_at: str | None = None,
            credit: str | None = None, outlet: str | None = None,
            duplicate_of: str | None = None, approximate: bool = False) -> None:
        self._pending.add(article_id, sig, published_at=published_at, credit=credit,
                          outlet=outlet, duplicate_of=duplicate_of, approximate=approximate)

    def repoint(self, old_original: str, new_original: str) -> None:
        """Stages the repoint for the tables (copy_signatures and the articles' own
        duplicate_of) and applies it to the staged entries at once."""
        self._pending.repoint(old_original, new_original)
        self._moves.append((old_original, new_original))
        for key, value in self._moved.items():
            if value == old_original:
                self._moved[key] = new_original
        self._moved[old_original] = new_original
        self._moved.pop(new_original, None)
        self._rooted.discard(old_original)
        self._rooted.add(new_original)
