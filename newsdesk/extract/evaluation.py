"""Scores extracted article bodies with the extraction benchmark's shingle metric.

The metric is the one of scrapinghub's article-extraction-benchmark (re-implemented here, so that
the quality gate and ``bench/`` share it): tokens are ``\\w+`` matches with case kept; a page's
shingles are its word 4-grams, counted as a multiset (a text under four tokens is one shingle);
per page, true positives, false positives and false negatives are normalised to sum to one, so a
long page weighs no more than a short one; precision is averaged over the pages with a non-empty
prediction, recall over all pages with a non-empty ground truth (an empty prediction counts 0);
F1 is the harmonic mean of the two averages.

The benchmark's pages live in ``extraction-benchmark/`` of the shared datasets. Its DEV split is
the ids whose first hex digit is 0-7, HOLDOUT the ids 8-f; ``load_pages`` opens only the pages of
the split asked for.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BenchmarkPage",
    "PageCounts",
    "Scores",
    "Run",
    "benchmark_dir",
    "load_pages",
    "match_counts",
    "newsdesk_body",
    "page_split",
    "run_system",
    "score",
    "score_pages",
    "shingles",
    "trafilatura_body",
]

SHINGLE_SIZE = 4  # the benchmark's own n
SPLITS = ("dev", "holdout")

_TOKEN = re.compile(r"\w+")


def shingles(text: str | None, n: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """Returns the multiset of word n-grams of a text (one shingle when it has under n tokens)."""
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True)
class PageCounts:
    """One page's true positives, false positives and false negatives, normalised to sum to one."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float | None:
        """Returns the page's precision, or None when the prediction was empty."""
        if self.tp + self.fp == 0:
            return None
        return 1.0 if self.fp == self.fn == 0 else self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        """Returns the page's recall, or None when the ground truth was empty."""
        if self.tp + self.fn == 0:
            return None
        return 1.0 if self.fp == self.fn == 0 else self.tp / (self.tp + self.fn)


def match_counts(prediction: str | None, truth: str | None) -> PageCounts:
    """Compares a predicted body with the true one, shingle by shingle."""
    pred, true = shingles(prediction), shingles(truth)
    tp = float(sum((pred & true).values()))
    fp = float(sum((pred - true).values()))
    fn = float(sum((true - pred).values()))
    total = tp + fp + fn
    if total:
        tp, fp, fn = tp / total, fp / total, fn / total
    return PageCounts(tp, fp, fn)


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 averaged over a set of pages."""

    precision: float
    recall: float
    f1: float
    pages: int
    empty: int  # pages where the prediction was empty


def score_pages(counts: Iterable[PageCounts]) -> Scores:
    """Averages per-page precision and recall, and returns them with their harmonic mean."""
    counts = list(counts)
    precisions = [c.precision for c in counts if c.precision is not None]
    recalls = [c.recall for c in counts if c.recall is not None]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, len(counts), len(counts) - len(precisions))


def score(predictions: dict[str, str | None], truths: dict[str, str]) -> Scores:
    """Scores predicted bodies against true ones; an id missing from predictions counts as empty."""
    return score_pages(match_counts(predictions.get(key), truth) for key, truth in truths.items())


# Loading the benchmark


@dataclass(frozen=True)
class BenchmarkPage:
    """One benchmark page: its raw HTML bytes (ungzipped), its true body and its URL."""

    id: str
    html: bytes
    truth: str
    url: str | None


def page_split(page_id: str) -> str:
    """Returns "dev" for ids whose first hex digit is 0-7, else "holdout"."""
    return "dev" if page_id[:1].lower() in "01234567" and page_id[:1] else "holdout"


def benchmark_dir(start: Path) -> Path:
    """Returns where extraction-benchmark/ is expected: ../shared/datasets beside the repo root.

    ``start`` is any path inside the repository (a test's ``__file__``, say); the root is the
    nearest folder above it that holds pyproject.toml.
    """
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder.parent / "shared" / "datasets" / "extraction-benchmark"
    raise FileNotFoundError(f"evaluation: no pyproject.toml above {start}")


def load_pages(dataset: Path, split: str = "dev") -> list[BenchmarkPage]:
    """Reads the pages of one split (sorted by id); raises FileNotFoundError when absent."""
    if split not in SPLITS:
        raise ValueError(f"evaluation: unknown split {split!r}, expected one of {SPLITS}")
    with (dataset / "ground-truth.json").open(encoding="utf-8") as handle:
        truth = json.load(handle)
    pages = []
    for page_id in sorted(key for key in truth if page_split(key) == split):
        with gzip.open(dataset / "html" / f"{page_id}.html.gz", "rb") as handle:
            html = handle.read()
        item = truth[page_id]
        pages.append(BenchmarkPage(page_id, html, item.get("articleBody") or "", item.get("url")))
    return pages


# Systems under test: each maps a page to the body it extracts (None when it finds none).


def newsdesk_body(page: BenchmarkPage) -> str | None:
    """Returns the text newsdesk's extractor finds on a page, as a user would get it (the whole
    extract path: HTML extraction, then the shared clean-up of every article)."""
    from newsdesk.errors import ExtractError
    from newsdesk.extract import extract_document
    from newsdesk.models import RawDocument

    try:
        doc = RawDocument(input=page.id, content=page.html, url=page.url, content_type="text/html")
        return extract_document(doc)[0].text
    except ExtractError:
        return None


def trafilatura_body(**options: object) -> Callable[[BenchmarkPage], str | None]:
    """Returns a system running ``trafilatura.extract`` with the given options, fed the page as
    UTF-8 text, as the benchmark's own trafilatura runner does."""
    import trafilatura

    def body(page: BenchmarkPage) -> str | None:
        return trafilatura.extract(page.html.decode("utf-8", "replace"), **options)

    return body


@dataclass(frozen=True)
class Run:
    """A system's scores on a set of pages, with the seconds it spent extracting."""

    scores: Scores
    seconds: float


def run_system(system: Callable[[BenchmarkPage], str | None], pages: list[BenchmarkPage]) -> Run:
    """Runs a system over pages (one process, in order) and scores what it extracts."""
    counts, seconds = [], 0.0
    for page in pages:
        start = time.perf_counter()
        body = system(page)
        seconds += time.perf_counter() - start
        counts.append(match_counts(body, page.truth))
    return Run(score_pages(counts), seconds)
