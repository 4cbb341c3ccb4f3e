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

import hashlib
import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Protocol

import numpy as np
from datasketch import MinHash

from ..extract.credits import is_agency
from ..extract.text import paragraphs
from ..models import Article

if TYPE_CHECKING:
    from ..store import Store

__all__ = [
    "BANDS", "CONTAINMENT_MIN", "JACCARD_MIN", "MIN_WORDS", "NUM_PERM", "ROWS", "SHINGLE",
    "CopiesEnricher", "CopyCandidate", "CopyIndex", "CopySignature", "MemoryCopyIndex", "Overlap",
    "estimate_overlap", "exact_key", "find_original", "find_originals", "from_bytes",
    "normalize_for_copies", "outranks", "signature", "to_bytes",
]

# Bodies under 30 words are not judged: there a shared quote or tweet can be most of the text.
# On the DEV set built from sources down to 15 words (neus leads; 28,787 articles, 8,187
# hard-negative pairs), precision was 0.9997 judging from 15 words, 0.9999 from 20, 1.0000
# from 25 up; 30 keeps a margin above that knee.
MIN_WORDS = 30
SHINGLE = 5  # word 5-grams: 5 and 6 tie on DEV, 3 and 4 lose (module docstring)
# 128 permutations = 64 bands x 2 rows: a pair of Jaccard s becomes a candidate with
# probability 1 - (1 - s^2)^64: 0.998 at s = 0.3. 32 x 4 ties on DEV, where every copy keeps
# its lede and the lede keys find it, but gives 0.23 at s = 0.3: a wire story inside a longer
# local article (Jaccard 0.3, containment 0.8) would rarely be a candidate.
NUM_PERM = 128
BANDS = 64
ROWS = 2
# The copy test; P and R stay 1 / 1 on DEV from 0.50 / 0.75 to 0.55 / 0.80, 0.45 / 0.70 lets
# in 3 false positives.
JACCARD_MIN = 0.5
CONTAINMENT_MIN = 0.75
# The lede rule: the first 20 shingles (24 words) of DEV reprints share >= 0.45 with their
# source's (13,550 pairs, exact sets); articles of one event with different originals rarely
# share >= 0.5 (32 of 60,843 such pairs, all with Jaccard < 0.28 and containment < 0.44).
# Without the rule recall drops to 0.9792.
LEDE_SHINGLES = 20
LEDE_MIN = 0.5
LEDE_JACCARD_MIN = 0.3
LEDE_CONTAINMENT_MIN = 0.5
# 4 one-row MinHash keys of the lede: a second candidate lookup that a paragraph of boilerplate
# shared with hundreds of articles cannot crowd out (2 false positives, 3 misses on DEV without).
LEDE_BANDS = 4
# Texts with at most 256 distinct shingles (~260 words, 1 KB) keep them all, so short texts,
# where the MinHash estimate errs most, are compared exactly (2 false positives, 5 misses on
# DEV without).
EXACT_MAX = 256
# Containment estimated from MinHash is taken 2 standard errors low: its error grows with the
# size ratio, and a 60-shingle text sharing a boilerplate paragraph with a 1,500-shingle one
# read as contained on a DEV draw (seed 11, 8 false positives). Ties on the full DEV set.
CONFIDENCE_Z = 2.0
# Candidates read per lookup (bands, then lede keys), most shared keys first: a story reprinted
# by many outlets still finds its group, and the work per article stays bounded.
CANDIDATE_LIMIT = 16
_SEED = 20241121
_SCHEME = "affine32"  # pinned: sketches of another scheme cannot be compared

# -- normalisation -------------------------------------------------------------------------

# Quote and dash variants -> ASCII (str.replace per character: faster than translate here).
_FOLD = [(c, '"') for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033"] + [
    (c, "'") for c in "\u2018\u2019\u201a\u201b\u2032"] + [
    (c, "-") for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"]
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
# Paragraphs that belong to the outlet, not the story: outlet and provenance lines, copyright,
# calls to follow or subscribe, reporting credits, photo captions. Only short paragraphs are
# tested, so a story paragraph that happens to mention "copyright" stays.
# Plain substrings of the lower-cased paragraph, tested with `in` (a regex alternation of them
# cost ~60 us a paragraph), then the few patterns that need one.
_BOILERPLATE_WORDS = (
    "provided by", "originally published", "originally appeared", "republished", "reprinted",
    "distributed by", "copyright", "\u00a9", "(c) ", "all rights reserved", "reporting by",
    "editing by", "writing by", "additional reporting", "contributed to this report",
    "contributed reporting", "follow us", "follow him", "follow her", "sign up", "subscribe",
    "newsletter", "click here", "read more", "read the full", "related coverage",
    "getty images", "ap photo", "file photo",
)
_BOILERPLATE_STARTS = ("related:", "see also", "photo:", "image:", "(end)")
_EMAIL = re.compile(r"\w@[\w-]+\.\w")
_BOILERPLATE_MAX_WORDS = 40
_BYLINE = re.compile(r"^(?:By|BY)\s+[A-Z]")
_BYLINE_MAX_WORDS = 12
# "SEOUL, Nov. 28 (Yonhap) --", "TUSCALOOSA, Ala. (AP) —", "MEXICO CITY —", "(CNN)—": a place
# in capitals with an optional date or state, a credit in brackets, or both, then a dash.
_PLACE = r"[A-Z][A-Z.'\-]+(?: [A-Z][A-Z.'\-]*){0,3}(?:,\s*[A-Z][a-z]{1,4}\.?(?:\s*\d{1,2})?)?"
_DATELINE = re.compile(
    rf"^(?:{_PLACE}\s*\([^()\n]{{1,40}}\)\s*-{{1,2}}|{_PLACE}\s+-{{1,2}}\s|\([^()\n]{{1,40}}\)\s*-{{1,2}})\s*"
)
# A credit closing the text: "... he said. (Yonhap)", "(END)", "- AFP".
_END_CREDIT = re.compile(r"(?<=[.!?\"'])\s*(?:\([^()]{1,40}\)|-\s*[A-Za-z][\w .]{0,30})\s*$")


def _is_outlet_paragraph(para: str) -> bool:
    words = len(para.split())
    if words <= _BYLINE_MAX_WORDS and _BYLINE.match(para):
        return True
    if words <= 4 and is_agency(para.strip("()-. ")):
        return True
    if words > _BOILERPLATE_MAX_WORDS:
        return False
    low = para.lower()
    return (any(w in low for w in _BOILERPLATE_WORDS) or low.startswith(_BOILERPLATE_STARTS)
            or bool(_EMAIL.search(low)))


def normalize_for_copies(text: str) -> str:
    """Returns the story part of a body, case-folded, on one line, with plain quotes and dashes.

    Bylines, datelines, wire credits, outlet lines and short boilerplate paragraphs are dropped,
    since reprints add, change or remove exactly those.
    """
    text = unicodedata.normalize("NFKC", text or "")
    for variant, plain in _FOLD:
        if variant in text:
            text = text.replace(variant, plain)
    kept = []
    for para in paragraphs(text):
        if _is_outlet_paragraph(para):
            continue
        if not kept:
            para = _DATELINE.sub("", para, count=1)
        kept.append(para)
    if kept:
        kept[-1] = _END_CREDIT.sub("", kept[-1])
    return _SPACE.sub(" ", " ".join(kept)).strip().casefold()


def _words(article: Article) -> list[str]:
    return _WORD.findall(normalize_for_copies(article.text))


def _digest(words: list[str]) -> str:
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:32]


def exact_key(article: Article) -> str:
    """Returns a 32-hex hash of the normalised body words; the title is left out (reprints
    re-headline), and so is punctuation, so quote and dash styles do not matter."""
    return _digest(_words(article))


# -- signatures ----------------------------------------------------------------------------

_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=_SCHEME).permutations
_LEDE_PERMUTATIONS = MinHash(num_perm=LEDE_BANDS, seed=_SEED + 1, scheme=_SCHEME).permutations


@dataclass(frozen=True, eq=False)
class CopySignature:
    """What the copy index keeps of an article: exact key, MinHash, LSH band keys, set size and
    the hashes of its lede's shingles."""

    exact: str  # 32 hex digits
    minhash: np.ndarray  # uint64, NUM_PERM values (32-bit hashes)
    bands: list[str]  # BANDS keys "band:16 hex", then LEDE_BANDS keys "Ln:8 hex"
    size: int = 0  # distinct shingles, for containment estimates
    lede: tuple[int, ...] = ()  # 32-bit hashes of the first LEDE_SHINGLES shingles, in order
    shingles: tuple[int, ...] = ()  # all distinct shingle hashes, sorted, when size <= EXACT_MAX

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, CopySignature) and self.exact == other.exact
            and self.size == other.size and self.lede == other.lede
            and self.shingles == other.shingles
            and bool(np.array_equal(self.minhash, other.minhash))
        )

    __hash__ = None  # type: ignore[assignment]


def _band_keys(values: np.ndarray, lede: tuple[int, ...]) -> list[str]:
    raw = values.astype("<u4").tobytes()
    step = ROWS * 4
    keys = [
        f"{band}:{hashlib.blake2b(raw[band * step:(band + 1) * step], digest_size=8).hexdigest()}"
        for band in range(BANDS)
    ]
    sketch = MinHash(num_perm=LEDE_BANDS, permutations=_LEDE_PERMUTATIONS, scheme=_SCHEME,
                     hashfunc=int)
    sketch.update_batch(set(lede))
    return keys + [f"L{i}:{int(v):08x}" for i, v in enumerate(sketch.hashvalues)]


def _hash32(shingle: str) -> int:
    # CRC-32: six times faster than SHA-1 here; MinHash mixes it (MurmurHash3 finalizer) before
    # permuting, and 32-bit collisions between an article's few hundred shingles are negligible.
    return zlib.crc32(shingle.encode("utf-8"))


def signature(article: Article) -> CopySignature | None:
    """Returns the copy signature of an article's body, or None when it has under MIN_WORDS words."""
    words = _words(article)
    if len(words) < MIN_WORDS:
        return None
    hashes = [_hash32(" ".join(words[i:i + SHINGLE])) for i in range(len(words) - SHINGLE + 1)]
    distinct = set(hashes)
    # The shingles are hashed here once, so the MinHash takes the hashes as they are.
    sketch = MinHash(num_perm=NUM_PERM, permutations=_PERMUTATIONS, scheme=_SCHEME, hashfunc=int)
    sketch.update_batch(distinct)
    values = sketch.hashvalues.astype(np.uint64)
    exact_set = tuple(sorted(distinct)) if len(distinct) <= EXACT_MAX else ()
    lede = tuple(hashes[:LEDE_SHINGLES])
    return CopySignature(_digest(words), values, _band_keys(values, lede), len(distinct), lede,
                         exact_set)


# Blob layout (little-endian): magic b"NDC3", uint32 shingle count, 16-byte exact key, uint32
# lede length, uint32 exact-set length, then uint32 arrays: NUM_PERM hash values, the lede, the
# exact set. 544 bytes + 4 per lede and exact-set hash: at most 1,648 bytes. A change of
# normalisation, shingles or permutations bumps the magic, so a store can tell stale blobs and
# rebuild them from the article texts.
_MAGIC = b"NDC3"
_HEAD = struct.Struct("<4sI16sII")


def to_bytes(sig: CopySignature) -> bytes:
    """Packs a signature for a BLOB column; ``from_bytes`` restores it whole."""
    head = _HEAD.pack(_MAGIC, sig.size, bytes.fromhex(sig.exact), len(sig.lede), len(sig.shingles))
    tail = np.array(sig.lede + sig.shingles, dtype="<u4")
    return head + sig.minhash.astype("<u4").tobytes() + tail.tobytes()


def from_bytes(blob: bytes, *, bands: bool = True) -> CopySignature:
    """Unpacks ``to_bytes`` output, recomputing the band keys unless ``bands`` is false (a
    comparison needs none); raises ValueError on a blob of another format."""
    if len(blob) < _HEAD.size or blob[:4] != _MAGIC:
        raise ValueError(f"copies: signature blob is not {_MAGIC!r} format")
    _, size, exact, n_lede, n_set = _HEAD.unpack_from(blob)
    if len(blob) != _HEAD.size + 4 * (NUM_PERM + n_lede + n_set):
        raise ValueError(f"copies: signature blob of {len(blob)} bytes is truncated")
    values = np.frombuffer(blob, dtype="<u4", count=NUM_PERM, offset=_HEAD.size).astype(np.uint64)
    tail = np.frombuffer(blob, dtype="<u4", offset=_HEAD.size + NUM_PERM * 4).tolist()
    lede = tuple(tail[:n_lede])
    return CopySignature(exact.hex(), values, _band_keys(values, lede) if bands else [], size,
                         lede, tuple(tail[n_lede:]))


@dataclass(frozen=True)
class Overlap:
    """How much two signatures share: MinHash estimates, and the lede measured exactly."""

    jaccard: float  # |A & B| / |A | B| of the shingle sets
    containment: float  # |A & B| / min(|A|, |B|); a lower bound when estimated
    lede: float  # share of the shorter lede's distinct shingles found in the other lede

    def is_strong(self) -> bool:
        """Tells whether the overlap alone makes a copy, without the lede rule."""
        return self.jaccard >= JACCARD_MIN or self.containment >= CONTAINMENT_MIN

    def is_copy(self) -> bool:
        """Applies the copy test (module docstring)."""
        if self.is_strong():
            return True
        return self.lede >= LEDE_MIN and (
            self.jaccard >= LEDE_JACCARD_MIN or self.containment >= LEDE_CONTAINMENT_MIN)


def estimate_overlap(a: CopySignature, b: CopySignature) -> Overlap:
    """Returns the overlap of two signatures: exact when both keep their shingle sets (short
    texts, where a MinHash estimate is least precise), else estimated from the MinHashes."""
    if a.exact == b.exact:
        return Overlap(1.0, 1.0, 1.0)
    if a.shingles and b.shingles:
        shared = float(len(set(a.shingles).intersection(b.shingles)))
        jaccard = shared / (a.size + b.size - shared)
    else:
        jaccard = float(np.count_nonzero(a.minhash == b.minhash)) / NUM_PERM
        # Containment from an estimated Jaccard scales its error by the size ratio (x25 for a
        # 60-shingle brief against a 1,500-shingle article), so it is taken at the lower end
        # of the estimate's ~95% interval.
        low = max(0.0, jaccard - CONFIDENCE_Z * (jaccard * (1 - jaccard) / NUM_PERM) ** 0.5)
        shared = low * (a.size + b.size) / (1.0 + low)
    containment = min(1.0, shared / max(1, min(a.size, b.size)))
    lede_a, lede_b = set(a.lede), set(b.lede)
    lede = len(lede_a & lede_b) / max(1, min(len(lede_a), len(lede_b)))
    return Overlap(jaccard, containment, lede)


# -- the index the store implements --------------------------------------------------------


@dataclass(frozen=True)
class CopyCandidate:
    """An indexed article as a lookup returns it."""

    article_id: str
    minhash: bytes  # the to_bytes blob
    published_at: str | None = None
    credit: str | None = None
    duplicate_of: str | None = None  # its original, always a root (never itself a copy)
    outlet: str | None = None


class CopyIndex(Protocol):
    """The persisted state of copy detection; the store implements it (``Store.copy_index()``).

    Rows: one per indexed article (id, exact key, ``to_bytes`` blob, published_at, credit,
    outlet, duplicate_of), and one per (key, article id) for every key of ``sig.bands`` (the
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
            duplicate_of: str | None = None) -> None:
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
        shared: dict[str, int] = {}
        for band in bands:
            for article_id in self._by_band.get(band, ()):
                shared[article_id] = shared.get(article_id, 0) + 1
        best = sorted(shared, key=lambda i: (-shared[i], i))[:limit]
        return [self._entries[i] for i in best]

    def get(self, article_id: str) -> CopyCandidate | None:
        return self._entries.get(article_id)

    def add(self, article_id: str, sig: CopySignature, *, published_at: str | None = None,
            credit: str | None = None, outlet: str | None = None,
            duplicate_of: str | None = None) -> None:
        self._remove(article_id)
        self._entries[article_id] = CopyCandidate(
            article_id, to_bytes(sig), published_at, credit, duplicate_of, outlet)
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


def _rank(outlet: str | None, credit: str | None, published_at: str | None) -> tuple:
    moment = _instant(published_at)
    return (
        0 if is_agency(outlet) else 1,  # the wire service's own article is the original
        moment is None,  # a dated article before an undated one
        moment or datetime.max.replace(tzinfo=timezone.utc),  # then the earliest
        credit is None,  # then one that carries the wire credit
    )


def _rank_of(item: Article | CopyCandidate | None) -> tuple:
    if item is None:  # an original missing from the index never wins
        return (2,)
    return _rank(item.outlet, item.credit, item.published_at)


def outranks(article: Article | CopyCandidate | None, original: CopyCandidate | None) -> bool:
    """Tells whether an article should replace the current original of its group.

    The original is the wire agency's own article if the group has one (outlet "Yonhap",
    "AP", ...), else the earliest published, an undated article counting as latest; a credited
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
                  credit=article.credit, outlet=article.outlet, duplicate_of=article.duplicate_of)
