"""Holds the copy index: what a store keeps of each indexed article (``CopyIndex``), and
``MemoryCopyIndex``, the one in dicts used by tests, evaluation and runs without a database."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator, Protocol

from .copysig import CopySignature, to_bytes

__all__ = ["CopyCandidate", "CopyIndex", "MemoryCopyIndex"]


@dataclass(frozen=True)
class CopyCandidate:
    """An indexed article as a lookup returns it."""

    article_id: str
    minhash: bytes  # the to_bytes blob
    published_at: str | None = None
    credit: str | None = None
    duplicate_of: str | None = None  # its original, always a root (never itself a copy)
    outlet: str | None = None
    approximate: bool = False  # published_at was read from an age ("2 days ago")


class CopyIndex(Protocol):
    """The persisted state of copy detection; the store implements it (``Store.copy_index()``).

    Rows: one per indexed article (id, exact key, ``to_bytes`` blob, published_at, credit,
    outlet, duplicate_of, whether the time is approximate), and one per (key, article id) for
    every key of ``sig.bands`` (the
    MinHash bands and the lede keys alike: 68 an article). The blob is all that is needed to
    rebuild the key rows; a blob ``from_bytes`` rejects means the article must be re-signed.
    """

    def exact(self, key: str) -> list[CopyCandidate]:
        """Returns the indexed articles whose exact key is ``key``."""

    def candidates(self, bands: list[str], limit: int) -> list[CopyCandidate]:
        """Returns up to ``limit`` indexed articles sharing any of ``bands``, those sharing
        the most first (ties by article id)."""

    def get(self, article_id: str) -> CopyCandidate | None:
        """Returns one indexed article, or None."""

    def add(self, article_id: str, sig: CopySignature, *, published_at: str | None = None,
            credit: str | None = None, outlet: str | None = None,
            duplicate_of: str | None = None, approximate: bool = False) -> None:
        """Indexes an article, replacing an earlier entry with the same id."""

    def repoint(self, old_original: str, new_original: str) -> None:
        """Makes ``new_original`` the original of ``old_original`` and of all its copies, and
        clears ``new_original``'s own duplicate_of."""


class MemoryCopyIndex:
    """A CopyIndex in dicts: for tests, evaluation and runs without a database."""

    def __init__(self) -> None:
        self._entries: dict[str, CopyCandidate] = {}
        self._keys: dict[str, tuple[str, list[str]]] = {}  # id -> exact key, band keys
        self._by_exact: dict[str, set[str]] = {}
        self._by_band: dict[str, set[str]] = {}
        self._copies: dict[str, set[str]] = {}  # original -> its copies

    def __len__(self) -> int:
        return len(self._entries)

    def exact(self, key: str) -> list[CopyCandidate]:
        return [self._entries[i] for i in sorted(self._by_exact.get(key, ()))]

    def candidates(self, bands: list[str], limit: int) -> list[CopyCandidate]:
        return [entry for _, entry in self.scored(bands, limit)]

    def scored(self, bands: list[str], limit: int) -> list[tuple[int, CopyCandidate]]:
        """Returns ``candidates`` with the number of ``bands`` each shares."""
        shared: dict[str, int] = {}
        for band in bands:
            for article_id in self._by_band.get(band, ()):
                shared[article_id] = shared.get(article_id, 0) + 1
        best = sorted(shared, key=lambda i: (-shared[i], i))[:limit]
        return [(shared[i], self._entries[i]) for i in best]

    def rows(self) -> "Iterator[tuple[CopyCandidate, str, list[str]]]":
        """Yields every entry with its exact key and band keys, for a store to write."""
        for article_id, entry in self._entries.items():
            exact, bands = self._keys[article_id]
            yield entry, exact, bands

    def get(self, article_id: str) -> CopyCandidate | None:
        return self._entries.get(article_id)

    def add(self, article_id: str, sig: CopySignature, *, published_at: str | None = None,
            credit: str | None = None, outlet: str | None = None,
            duplicate_of: str | None = None, approximate: bool = False) -> None:
        self._remove(article_id)
        self._entries[article_id] = CopyCandidate(
            article_id, to_bytes(sig), published_at, credit, duplicate_of, outlet, approximate)
        self._keys[article_id] = (sig.exact, list(sig.bands))
        self._by_exact.setdefault(sig.exact, set()).add(article_id)
        for band in sig.bands:
            self._by_band.setdefault(band, set()).add(article_id)
        if duplicate_of:
            self._copies.setdefault(duplicate_of, set()).add(article_id)

    def repoint(self, old_original: str, new_original: str) -> None:
        moved = self._copies.pop(old_original, set()) | {old_original}
        moved.discard(new_original)
        new = self._entries.get(new_original)
        if new is not None and new.duplicate_of:
            self._copies.get(new.duplicate_of, set()).discard(new_original)
            self._entries[new_original] = replace(new, duplicate_of=None)
        for article_id in moved:
            if article_id in self._entries:
                self._entries[article_id] = replace(self._entries[article_id],
                                                    duplicate_of=new_original)
        self._copies.setdefault(new_original, set()).update(moved)

    def originals(self) -> dict[str, str | None]:
        """Returns every indexed id with its original (None for an original)."""
        return {i: c.duplicate_of for i, c in self._entries.items()}

    def _remove(self, article_id: str) -> None:
        old = self._entries.pop(article_id, None)
        if old is None:
            return
        exact, bands = self._keys.pop(article_id)
        self._by_exact[exact].discard(article_id)
        for band in bands:
            self._by_band[band].discard(article_id)
        if old.duplicate_of:
            self._copies.get(old.duplicate_of, set()).discard(article_id)
