"""Retrieval quality on DEV story sets: a headline query must find the other articles of its
story. Floors pinned from bench/search.py --quality on these same subsets (docs/search.md);
never lower them silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.enrich.evaluation import load_story_set
from newsdesk.search.evaluation import load_archive, retrieval_scores

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT.parent / "shared" / "datasets"

pytestmark = pytest.mark.skipif(not DATASETS.is_dir(), reason="../shared/datasets is absent")

# (set, stories kept) -> mode -> (recall@10 floor, MRR floor): measured values less ~0.03.
FLOORS = {
    # measured: bm25 0.853 / 0.827, vector 0.872 / 0.839, hybrid 0.903 / 0.839 (180 queries)
    ("neus-val", 60): {"bm25": (0.82, 0.79), "vector": (0.85, 0.81), "hybrid": (0.87, 0.81)},
    # measured: bm25 0.821 / 0.759, vector 0.725 / 0.725, hybrid 0.851 / 0.805 (65 queries)
    ("wikinews-handpicked", None): {"bm25": (0.79, 0.72), "vector": (0.69, 0.69),
                                     "hybrid": (0.82, 0.77)},
}


@pytest.mark.parametrize("name, stories", list(FLOORS))
def test_headline_queries_find_the_rest_of_their_story(tmp_path, name, stories):
    story_set = load_story_set(name)
    articles = story_set.articles
    if stories:
        keep = set(list(dict.fromkeys(story_set.gold[a.id] for a in articles))[:stories])
        articles = [a for a in articles if story_set.gold[a.id] in keep]
    store = load_archive(tmp_path / "q.db", articles, "use-multilingual")
    try:
        scores = {s.mode: s for s in retrieval_scores(
            store, {a.id: story_set.gold[a.id] for a in articles}, {a.id: a.title for a in articles})}
    finally:
        store.close()
    for mode, (recall_floor, mrr_floor) in FLOORS[(name, stories)].items():
        assert scores[mode].recall_at_10 >= recall_floor, (mode, scores[mode])
        assert scores[mode].mrr >= mrr_floor, (mode, scores[mode])
    # Fusion must not lose to the better retriever by more than noise.
    assert scores["hybrid"].recall_at_10 >= max(scores["bm25"].recall_at_10,
                                                scores["vector"].recall_at_10) - 0.02
