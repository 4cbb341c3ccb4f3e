"""Finds syndicated copies: exact and near-duplicate reprints of one story, and their original.

A reprint differs from its original by a headline, a trimmed ending, an added outlet line or
paragraph, a byline, quote marks and small copy edits; a different article on the same event,
even one quoting the same statement, is not a copy. Only the body is compared:

- ``normalize_for_copies`` folds case, quotes and dashes and drops bylines, datelines, credits,
  outlet lines and boilerplate paragraphs; ``exact_key`` hashes the words that remain.
- ``signature`` keeps a MinHash of the word ``SHINGLE``-grams, banded for LSH, the hashes of the
  first ``LEDE_SHINGLES`` shingles (the lede) with ``LEDE_BANDS`` keys of their own and, for
  short texts, the whole shingle set; None under ``MIN_WORDS`` words. ``to_bytes`` and
  ``from_bytes`` make it one BLOB.
- ``find_originals`` asks a ``CopyIndex`` for the same exact key, then for candidates sharing
  bands or lede keys, and calls a candidate a copy when Jaccard >= ``JACCARD_MIN`` or
  containment (shared shingles over the smaller set) >= ``CONTAINMENT_MIN``; or, since reprints
  cut from the bottom and keep the lede, when the ledes share >= ``LEDE_MIN`` and Jaccard >=
  ``LEDE_JACCARD_MIN`` or containment >= ``LEDE_CONTAINMENT_MIN``. Overlaps are exact when both
  texts keep their shingle set.
- ``CopiesEnricher`` sets ``duplicate_of`` and says which originals were replaced (``swaps``).

Tuned on the DEV syndication set (``newsdesk.enrich.syndication``; all 2,759 neus train/val
roundups: 18,925 articles, 13,551 copy pairs, 4,892 hard-negative pairs; publication order;
bench/copies.py --full). Chosen: P 1.0000 / R 1.0000. Alternatives, P / R: 4-word shingles
0.9992 / 0.9994, 3-word 0.9988 / 0.9991, 6-word 1 / 1; no lede rule 0.9959 / 0.9792; no exact
sets 0.9999 / 0.9996; no lede keys 0.9999 / 0.9998; thresholds 0.45 / 0.70 0.9998 / 0.9999,
0.55 / 0.80 1 / 1; lede thresholds 0.25 / 0.45 0.9998 / 0.9999, 0.35 / 0.55 0.9999 / 0.9997;
32 bands x 4 rows 1 / 1. These are DEV figures of the data the numbers were chosen on.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..extract.credits import is_agency
from ..models import Article
from .copyindex import CopyCandidate, CopyIndex, MemoryCopyIndex
from .copysig import (
    BANDS,
    CONFIDENCE_Z,
    CONTAINMENT_MIN,
    EXACT_MAX,
    JACCARD_MIN,
    LEDE_BANDS,
    LEDE_CONTAINMENT_MIN,
    LEDE_JACCARD_MIN,
    LEDE_MIN,
    LEDE_SHINGLES,
    MIN_WORDS,
    NUM_PERM,
    ROWS,
    SHINGLE,
    CopySignature,
    Overlap,
    estimate_overlap,
    exact_key,
    from_bytes,
    normalize_for_copies,
    signature,
    to_bytes,
)

if TYPE_CHECKING:
    from ..store import Store

__all__ = [
    "BANDS",
    "CANDIDATE_LIMIT",
    "CONFIDENCE_Z",
    "CONTAINMENT_MIN",
    "CopiesEnricher",
    "CopyCandidate",
    "CopyIndex",
    "CopySignature",
    "EXACT_MAX",
    "JACCARD_MIN",
    "LEDE_BANDS",
    "LEDE_CONTAINMENT_MIN",
    "LEDE_JACCARD_MIN",
    "LEDE_MIN",
    "LEDE_SHINGLES",
    "MIN_WORDS",
    "MemoryCopyIndex",
    "NUM_PERM",
    "Overlap",
    "ROWS",
    "SHINGLE",
    "estimate_overlap",
    "exact_key",
    "find_original",
    "find_originals",
    "from_bytes",
    "normalize_for_copies",
    "outranks",
    "signature",
    "to_bytes",
]

# Candidates read per lookup (bands, then lede keys), most shared keys first: a story reprinted
# by many outlets still finds its group, and the work per article stays bounded.
CANDIDATE_LIMIT = 16


# -- decisions -----------------------------------------------------------------------------


def _root(entry: CopyCandidate, index: CopyIndex) -> str:
    """Follows duplicate_of to the original; the index keeps chains flat, this guards anyway."""
    seen = {entry.article_id}
    while entry.duplicate_of and entry.duplicate_of not in seen:
        seen.add(entry.duplicate_of)
        parent = index.get(entry.duplicate_of)
        if parent is None:
            return entry.duplicate_of
        entry = parent
    return entry.article_id


def find_originals(article: Article, sig: CopySignature, index: CopyIndex) -> list[str]:
    """Returns the originals of every indexed group this article copies, best match first.

    Indexed articles with the same exact key come first; then, of the ``CANDIDATE_LIMIT``
    candidates sharing the most LSH bands, those passing the copy test (``Overlap.is_copy``),
    highest Jaccard first. Each is resolved to its root, so chains never form. More than one
    root means the article bridges groups that arrived apart (reprints before their wire
    story); a group after the first counts only on a strong match (``Overlap.is_strong``) and
    when its original looks like a version of the first one's (``_related``): on DEV, reprints
    made mostly of a shared lede or a shared statement linked independent articles otherwise.
    """
    own = article.id
    matches = [(2.0, True, e) for e in index.exact(sig.exact) if e.article_id != own]
    seen = {own}
    for keys in (sig.bands[:BANDS], sig.bands[BANDS:]):  # the MinHash bands, then the lede's
        for entry in index.candidates(keys, CANDIDATE_LIMIT):
            if entry.article_id in seen:
                continue
            seen.add(entry.article_id)
            overlap = estimate_overlap(sig, from_bytes(entry.minhash, bands=False))
            if overlap.is_copy():
                matches.append((overlap.jaccard, overlap.is_strong(), entry))
    roots: list[str] = []
    for _, strong, entry in sorted(matches, key=lambda m: -m[0]):
        root = _root(entry, index)
        if root == own or root in roots:
            continue
        if not roots or (strong and _related(roots[0], root, index)):
            roots.append(root)
    return roots


def _related(first: str, other: str, index: CopyIndex) -> bool:
    """Tells whether two originals look like versions of one text (the same lede, or a copy),
    as two groups of reprints of one wire story do; two independent articles that a short,
    quote-heavy reprint matches both do not (DEV: a trimmed reprint of a White House
    statement linked two outlets' independent stories)."""
    a, b = index.get(first), index.get(other)
    if a is None or b is None:
        return False
    overlap = estimate_overlap(from_bytes(a.minhash, bands=False), from_bytes(b.minhash, bands=False))
    return overlap.lede >= LEDE_MIN or overlap.is_copy()


def find_original(article: Article, sig: CopySignature, index: CopyIndex) -> str | None:
    """Returns the id of the original this article copies (the best match's root), or None."""
    roots = find_originals(article, sig, index)
    return roots[0] if roots else None


def _instant(published_at: str | None) -> datetime | None:
    if not published_at:
        return None
    try:
        moment = datetime.fromisoformat(published_at)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _rank(outlet: str | None, credit: str | None, published_at: str | None,
          approximate: bool = False) -> tuple:
    moment = _instant(published_at)
    return (
        0 if is_agency(outlet) else 1,  # the wire service's own article is the original
        # A printed time before one read from an age ("2 days ago" in a page capture, which
        # may be off by most of its unit), before none.
        2 if moment is None else int(approximate),
        moment or datetime.max.replace(tzinfo=timezone.utc),  # then the earliest
        credit is None,  # then one that carries the wire credit
    )


def _rank_of(item: Article | CopyCandidate | None) -> tuple:
    if item is None:  # an original missing from the index never wins
        return (2,)
    approximate = (item.published_approximate if isinstance(item, Article)
                   else item.approximate)
    return _rank(item.outlet, item.credit, item.published_at, approximate)


def outranks(article: Article | CopyCandidate | None, original: CopyCandidate | None) -> bool:
    """Tells whether an article should replace the current original of its group.

    The original is the wire agency's own article if the group has one (outlet "Yonhap",
    "AP", ...), else the earliest published with a printed time, then the earliest with a time
    read from an age ("2 days ago": ``Article.published_approximate``), an undated article
    counting as latest; a credited
    article beats an uncredited one published at the same time. On a full tie the incumbent
    stays, so the original never flips back and forth.
    """
    return _rank_of(article) < _rank_of(original)


# -- the enrichment step -------------------------------------------------------------------


class CopiesEnricher:
    """Sets ``duplicate_of`` on syndicated copies and keeps the store's copy index current.

    For each article with a signature, ``find_originals`` against ``store.copy_index()`` gives
    the groups it copies; the original of the result is the best-ranked (``outranks``: the
    wire's own article, else the earliest) of their originals and the article itself. Every
    other original loses its place: the index is re-pointed (``CopyIndex.repoint``) and
    ``(old_original_id, new_original_id)`` is appended to ``self.swaps`` - when the article is
    earlier than its group's original, and when it bridges two groups. Articles of the batch
    are updated in place; for stored articles the pipeline applies each swap in order: set
    duplicate_of = new for the old original and for every article whose duplicate_of is the
    old original (the copies follow the new original's story). Without a store (or one without
    ``copy_index()``) nothing happens.
    """

    name = "copies"
    ordered = True  # reads and stages the copy index: runs under Store.exclusive(), in order

    def __init__(self) -> None:
        self.swaps: list[tuple[str, str]] = []
        self._groups: dict[str, list[Article]] = {}  # original id -> batch articles of its group

    def enrich(self, articles: list[Article], store: "Store | None") -> None:
        self.swaps, self._groups = [], {}
        copy_index = getattr(store, "copy_index", None)  # a store without one yet: no copies
        if copy_index is None:
            return
        index: CopyIndex = copy_index()
        for article in articles:
            self.add(article, index)
        self._groups = {}

    def add(self, article: Article, index: CopyIndex) -> None:
        """Decides one article's original against the index, then indexes it."""
        article_id = article.ensure_id()
        sig = signature(article)
        if sig is None:
            return
        roots = find_originals(article, sig, index)
        winner = roots[0] if roots else article_id
        entries = {root: index.get(root) for root in roots}
        for root in roots[1:]:
            if outranks(entries[root], entries[winner]):
                winner = root
        if roots and outranks(article, entries[winner]):
            winner = article_id
        article.duplicate_of = None if winner == article_id else winner
        self._index(index, article, sig)
        group = self._groups.setdefault(winner, [])
        group.append(article)
        for root in roots:
            if root != winner:
                index.repoint(root, winner)
                self.swaps.append((root, winner))
                for other in self._groups.pop(root, []):
                    other.duplicate_of = winner
                    group.append(other)

    @staticmethod
    def _index(index: CopyIndex, article: Article, sig: CopySignature) -> None:
        index.add(article.ensure_id(), sig, published_at=article.published_at,
                  credit=article.credit, outlet=article.outlet, duplicate_of=article.duplicate_of,
                  approximate=article.published_approximate)
