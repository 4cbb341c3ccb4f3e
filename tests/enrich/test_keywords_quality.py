"""Quality gate of keyphrases on the DEV files of 500N-KPCrowd (../shared/datasets/keyphrases).

F1@10 as the datasets README defines it: phrases lower-cased and Porter-stemmed word by word,
exact match against the gold list, F1 per story averaged over the 247 DEV stories (files with
an even number in their name). The floor is the figure measured when it was set (0.1930), less
about 0.005; YAKE 0.7.3 (n=3, top 10) scores 0.0759 on the same files, pinned beside it and
re-measured here when yake is installed. Lower the floor only with a note in docs/summaries.md.
"""

from __future__ import annotations

import pytest

from newsdesk.enrich.keywords import keyphrases
from newsdesk.enrich.textquality import datasets_root, f1_at_k, load_kpcrowd

F1_FLOOR = 0.188  # measured 0.1930 (bench/enrich_text.py --quality)
YAKE_DEV_F1 = 0.0759  # yake 0.7.3, n=3, top 10, on the same DEV files

pytestmark = pytest.mark.skipif(not (datasets_root() / "keyphrases").is_dir(),
                                reason="../shared/datasets/keyphrases is absent")


@pytest.fixture(scope="module")
def dev():
    docs = load_kpcrowd()
    assert len(docs) == 247
    return docs


def test_dev_split_holds_only_even_numbered_files(dev):
    assert all(int(d.name.rsplit("-", 1)[1]) % 2 == 0 for d in dev)


def test_f1_at_10_beats_the_floor_and_yake(dev):
    predicted = [keyphrases(d.title, d.text) for d in dev]
    assert all(len(p) <= 10 for p in predicted)
    scores = f1_at_k(predicted, [d.gold for d in dev])
    assert scores["f1"] >= F1_FLOOR, scores
    assert scores["f1"] > 2 * YAKE_DEV_F1, scores


def test_yake_figure_beside_the_gate_still_holds(dev):
    yake = pytest.importorskip("yake")
    extractor = yake.KeywordExtractor(lan="en", n=3, top=10)
    predicted = [[k for k, _ in extractor.extract_keywords(d.title + "\n" + d.text)] for d in dev]
    scores = f1_at_k(predicted, [d.gold for d in dev])
    assert scores["f1"] == pytest.approx(YAKE_DEV_F1, abs=0.002)
