"""Signs article bodies for copy detection: normalisation, MinHash signatures with LSH band
keys, their BLOB format, and the overlap of two signatures with the copy test.

How these pieces decide a copy, and how every number here was chosen on the DEV syndication
set: ``newsdesk.enrich.copies``.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import zlib
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

from ..extract.credits import is_agency
from ..extract.text import paragraphs
from ..models import Article

__all__ = [
    "BANDS",
    "CONFIDENCE_Z",
    "CONTAINMENT_MIN",
    "EXACT_MAX",
    "JACCARD_MIN",
    "LEDE_BANDS",
    "LEDE_CONTAINMENT_MIN",
    "LEDE_JACCARD_MIN",
    "LEDE_MIN",
    "LEDE_SHINGLES",
    "MIN_WORDS",
    "NUM_PERM",
    "ROWS",
    "SHINGLE",
    "CopySignature",
    "Overlap",
    "estimate_overlap",
    "exact_key",
    "from_bytes",
    "normalize_for_copies",
    "signature",
    "to_bytes",
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
