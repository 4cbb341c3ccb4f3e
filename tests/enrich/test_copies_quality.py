"""Quality gate: copy-detection precision and recall on the DEV syndication set.

The set (newsdesk/enrich/syndication.py, ``build()`` defaults: seed 7, all wikinews handpicked
articles, ECB+ Train/Dev documents and 600 seeded neus train/val roundups, sources >= 50 words)
holds real DEV articles, 1-4 edited reprints of each, the real reprints found among the sources,
and the other articles of each event as hard negatives.

Metric (``syndication.score_pairs``): a pair is (copy id, id of its original). Predicted pairs
are the final ``duplicate_of`` of every article after the copies step has seen them all, swaps
applied; gold pairs map each reprint to its source (or to the source that source reprints).
Precision = |predicted & gold| / |predicted|; recall = |predicted & gold| / |gold|. A copy given
the wrong original is one false positive and one false negative. Gold pairs with a member under
MIN_WORDS (no signature by design) are left out, with any prediction for that copy, and counted.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from newsdesk.enrich.copies import MIN_WORDS, estimate_overlap, signature
from newsdesk.enrich.syndication import (
    INDEPENDENT,
    Source,
    SyndicationSet,
    build,
    load_sources,
    run_copies,
    score_pairs,
    unlabelled_pairs,
)
from newsdesk.models import Article

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"

# Floors: measured P 1.0000 / R 1.0000 (3,099 copy pairs, none unjudged) in publication order and
# in a shuffled arrival order on this set, and on another draw of edits (seed 11, 3,221 pairs),
# minus 0.005. On the full set (all 2,759 neus train/val roundups, bench/copies.py --full) the
# same code measures P 1.0000 / R 1.0000 over 13,550 judged pairs. The parameters were tuned on
# these DEV texts, so these are not held-out figures. Never lower a floor silently: a drop
# means copy detection got worse.
PRECISION_FLOOR = 0.995
RECALL_FLOOR = 0.995
# Recall with the copies under MIN_WORDS counted as misses: measured 1.0000, minus 0.005.
RECALL_ALL_FLOOR = 0.995


_SETS: dict[int, SyndicationSet] = {}


def syndication_set(seed: int) -> SyndicationSet:
    if not (DATASETS / "stories").is_dir():
        pytest.skip(f"story sets not found at {DATASETS / 'stories'} (shared datasets are absent)")
    if seed not in _SETS:
        _SETS[seed] = build(DATASETS, seed=seed)
    return _SETS[seed]


@pytest.fixture(scope="module")
def dev_set() -> SyndicationSet:
    return syndication_set(7)


def test_set_is_built_from_dev_splits_with_copies_and_hard_negatives(dev_set):
    ids = list(dev_set.gold)
    assert all(i.split(":")[1].startswith(("train-", "val-")) for i in ids if i.startswith("neus:"))
    assert dev_set.counts == {"wikinews": 74, "ecbplus": 116, "neus": 1052}
    copies = sum(1 for original in dev_set.gold.values() if original)
    assert (len(dev_set.articles), dev_set.sources, copies) == (4332, 1238, 3099)
    assert dev_set.natural_copies == 5 and dev_set.dropped_rewrites == 4
    assert dev_set.hard_negative_pairs == 1239


@pytest.fixture(scope="module")
def all_sources() -> list[Source]:
    """Every DEV source of >= 50 words (all neus train/val roundups, not the gate's sample)."""
    if not (DATASETS / "stories").is_dir():
        pytest.skip("shared datasets are absent")
    return load_sources(DATASETS, 10**6, random.Random(0), 50)[0]


def test_every_borderline_source_pair_is_hand_labelled(all_sources):
    assert unlabelled_pairs(all_sources) == []


def test_real_articles_quoting_the_same_statement_are_not_copies(all_sources):
    by_id = {s.id: s for s in all_sources}
    folded = []
    for pair in sorted(INDEPENDENT, key=sorted):
        a, b = (by_id[i] for i in sorted(pair))
        sig_a, sig_b = (signature(Article(title=s.title, text="\n\n".join(s.paragraphs)))
                        for s in (a, b))
        assert sig_a is not None and sig_b is not None
        if estimate_overlap(sig_a, sig_b).is_copy():
            folded.append((a.id, b.id))
    assert len(INDEPENDENT) == 11 and folded == []


def test_set_is_deterministic(dev_set):
    again = build(DATASETS)
    assert [(a.id, a.text, a.published_at) for a in again.articles] == [
        (a.id, a.text, a.published_at) for a in dev_set.articles]


@pytest.mark.parametrize(("set_seed", "shuffle_seed"), [(7, None), (7, 1), (11, 1)],
                         ids=["publication order", "shuffled", "other edits, shuffled"])
def test_copy_detection_holds_the_precision_and_recall_floors(set_seed, shuffle_seed):
    scores = run_copies(syndication_set(set_seed), shuffle_seed=shuffle_seed)
    summary = (f"P {scores.precision:.4f} R {scores.recall:.4f} (all {scores.recall_all:.4f}); "
               f"tp {scores.tp} fp {scores.fp} fn {scores.fn} unjudged {scores.unjudged} "
               f"(MIN_WORDS {MIN_WORDS})")
    assert scores.precision >= PRECISION_FLOOR, summary
    assert scores.recall >= RECALL_FLOOR, summary
    assert scores.recall_all >= RECALL_ALL_FLOOR, summary


# The metric itself, on hand-counted cases.


def test_a_wrong_original_counts_as_one_false_positive_and_one_false_negative():
    gold = {"src": None, "r1": "src", "r2": "src", "other": None}
    scores = score_pairs({"src": None, "r1": "src", "r2": "r1", "other": "src"}, gold)
    assert (scores.tp, scores.fp, scores.fn) == (1, 2, 1)
    assert scores.precision == pytest.approx(1 / 3) and scores.recall == pytest.approx(1 / 2)


def test_pairs_with_an_unjudged_member_are_left_out_and_counted():
    gold = {"src": None, "r1": "src", "short": "src"}
    scores = score_pairs({"r1": "src", "short": "r1"}, gold, judged={"src", "r1"})
    assert (scores.tp, scores.fp, scores.fn, scores.unjudged) == (1, 0, 0, 1)
    assert scores.recall_all == pytest.approx(1 / 2)
