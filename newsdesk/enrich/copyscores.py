"""Scores copy detection on the syndication set: pairwise precision and recall of the
predicted originals, and a run of the copies step over the set."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .syndication import SyndicationSet

__all__ = ["CopyScores", "run_copies", "score_pairs"]


@dataclass
class CopyScores:
    """Pairwise copy-detection scores: a pair is (copy id, original id)."""

    tp: int
    fp: int
    fn: int
    unjudged: int = 0  # gold pairs left out: a member under MIN_WORDS words has no signature
    seconds: float = 0.0  # time spent in the copies step
    articles: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def recall_all(self) -> float:
        """Recall with the unjudged gold pairs counted as misses."""
        total = self.tp + self.fn + self.unjudged
        return self.tp / total if total else 1.0

    @property
    def ms_per_article(self) -> float:
        return 1000 * self.seconds / self.articles if self.articles else 0.0


def score_pairs(predicted: dict[str, str | None], gold: dict[str, str | None],
                judged: set[str] | None = None) -> CopyScores:
    """Scores predicted against gold originals.

    A pair is (copy id, id of its original). A true positive is a pair both predicted and gold;
    a predicted pair not in gold is a false positive (so a copy given the wrong original counts
    once as a false positive and once as a false negative); a gold pair not predicted is a false
    negative. Gold pairs with a member outside ``judged`` (articles too short to have a
    signature) are left out, with any prediction for their copy, and counted as ``unjudged``.
    """
    pred = {(a, o) for a, o in predicted.items() if o}
    true = {(a, o) for a, o in gold.items() if o}
    left_out = set()
    if judged is not None:
        left_out = {(a, o) for a, o in true if a not in judged or o not in judged}
        true -= left_out
        # Copies of an unjudged original can only be grouped among themselves: not scored.
        unscored = {a for a, _ in left_out}
        pred = {(a, o) for a, o in pred if a not in unscored}
    return CopyScores(len(pred & true), len(pred - true), len(true - pred), len(left_out))


def run_copies(data: SyndicationSet, *, shuffle_seed: int | None = None) -> CopyScores:
    """Runs the copies step over the set, one article at a time against a MemoryCopyIndex, in
    publication order or (with ``shuffle_seed``) in a seeded random arrival order, and scores
    the final originals, swaps applied."""
    import time
    from dataclasses import replace

    from .copies import CopiesEnricher, MemoryCopyIndex, signature

    articles = [replace(a, duplicate_of=None) for a in data.articles]
    judged = {a.id or "" for a in articles if signature(a) is not None}
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(articles)
    index, step = MemoryCopyIndex(), CopiesEnricher()
    started = time.perf_counter()
    for article in articles:
        step.add(article, index)
    seconds = time.perf_counter() - started
    predicted = {a.id or "": a.duplicate_of for a in articles}
    scores = score_pairs(predicted, data.gold, judged)
    scores.seconds, scores.articles = seconds, len(articles)
    return scores
