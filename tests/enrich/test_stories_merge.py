"""Tests of the batch overlay (``BatchStoryIndex``) and the merges after a batch
(``StoryClusterer.merge_stories``): a piece born in the batch merges into its story, a stored
story keeps its id, stored stories never merge with each other, and nothing reaches the base
index before the batch is done."""

from __future__ import annotations

import math

import numpy as np
import pytest

from newsdesk.enrich.embeddings import HashingEmbedder, article_text
from newsdesk.enrich.stories import (
    BatchStoryIndex,
    MemoryStoryIndex,
    StoryClusterer,
    StoryConfig,
    StoryState,
)
from newsdesk.models import Article

WHEN = "2024-05-01T10:00:00+00:00"


def state(story_id: str, words: list[str], axis: int, size: int = 1, when: str | None = WHEN) -> StoryState:
    """Returns a story of ``size`` identical members with the words ``words`` and a centroid
    along ``axis`` (so stories on other axes are unrelated by embedding)."""
    weight = 1.0 / math.sqrt(len(words))
    terms = {w: weight * size for w in words}
    centroid = np.zeros(8, np.float32)
    centroid[axis] = 1.0
    return StoryState(id=story_id, centroid=centroid, terms=terms, size=size, first_seen=when,
                      last_seen=when, title=" ".join(words), title_article_id=story_id + "-a",
                      title_vector=centroid.copy(),
                      terms_norm=math.sqrt(sum(v * v for v in terms.values())))


QUAKE = ["quake", "chile", "iquique", "magnitude"]
BUDGET = ["budget", "assembly", "defense", "trillion"]


def test_stories_born_in_a_batch_reach_the_base_only_on_commit() -> None:
    base = MemoryStoryIndex()
    base.save(state("stored", QUAKE, 0))
    batch = BatchStoryIndex(base)
    fresh = state("fresh", BUDGET, 1)
    batch.add(fresh)
    stored = batch.get("stored")
    assert stored is not None
    stored.size += 1
    batch.save(stored)
    assert base.get("fresh") is None
    assert {s.id for s in batch.candidates(fresh.centroid, WHEN, 10, 3.0)} == {"stored", "fresh"}
    batch.commit()
    assert base.get("fresh") is fresh and base.get("stored").size == 2  # type: ignore[union-attr]


def test_only_a_story_born_in_the_batch_can_be_dropped() -> None:
    base = MemoryStoryIndex()
    base.save(state("stored", QUAKE, 0))
    batch = BatchStoryIndex(base)
    batch.add(state("fresh", BUDGET, 1))
    batch.drop("fresh")
    with pytest.raises(ValueError, match="'stored' was not born in this batch"):
        batch.drop("stored")
    batch.commit()
    assert base.get("fresh") is None and base.get("stored") is not None
    assert [s.id for s in base.candidates(np.eye(8, dtype=np.float32)[1], WHEN, 10, 3.0)] == ["stored"]


def test_the_candidates_of_a_batch_keep_the_limit() -> None:
    base = MemoryStoryIndex()
    for n in range(4):
        base.save(state(f"stored{n}", QUAKE, n))
    batch = BatchStoryIndex(base)
    for n in range(4, 8):
        batch.add(state(f"fresh{n}", BUDGET, n))
    query = np.zeros(8, np.float32)
    query[[2, 5]] = 1.0
    found = batch.candidates(query, WHEN, 2, 3.0)
    assert {s.id for s in found} == {"stored2", "fresh5"}


def test_a_piece_born_in_the_batch_merges_into_the_stored_story_which_keeps_its_id() -> None:
    base = MemoryStoryIndex()
    base.save(state("stored", QUAKE, 0, size=3))
    clusterer = StoryClusterer(base)
    batch = BatchStoryIndex(base)
    batch.add(state("piece", QUAKE, 0))
    batch.add(state("other", BUDGET, 1))
    alias = clusterer.merge_stories(batch)
    batch.commit()
    assert alias == {"piece": "stored"}
    merged = base.get("stored")
    assert merged is not None and merged.size == 4
    assert base.get("piece") is None and base.get("other") is not None


def test_stored_stories_never_merge_with_each_other() -> None:
    base = MemoryStoryIndex()
    base.save(state("stored1", QUAKE, 0))
    base.save(state("stored2", QUAKE, 0))
    batch = BatchStoryIndex(base)
    batch.add(state("other", BUDGET, 1))
    assert StoryClusterer(base).merge_stories(batch) == {}


def test_two_pieces_of_a_batch_merge_into_the_larger_and_then_the_earlier_born() -> None:
    for first_size, second_size, keeper in ((1, 2, "second"), (1, 1, "first"), (2, 1, "first")):
        base = MemoryStoryIndex()
        batch = BatchStoryIndex(base)
        batch.add(state("first", QUAKE, 0, size=first_size))
        batch.add(state("second", QUAKE, 0, size=second_size))
        batch.add(state("other", BUDGET, 1))
        alias = StoryClusterer(base).merge_stories(batch)
        gone = "first" if keeper == "second" else "second"
        assert alias == {gone: keeper}
        merged = batch.get(keeper)
        assert merged is not None and merged.size == first_size + second_size
        assert batch.get(gone) is None


def test_no_merge_across_the_cold_window_or_when_switched_off() -> None:
    base = MemoryStoryIndex()
    batch = BatchStoryIndex(base)
    batch.add(state("may", QUAKE, 0, when="2024-05-01T10:00:00+00:00"))
    batch.add(state("june", QUAKE, 0, when="2024-06-01T10:00:00+00:00"))
    assert StoryClusterer(base).merge_stories(batch) == {}
    batch = BatchStoryIndex(base)
    batch.add(state("first", QUAKE, 0))
    batch.add(state("second", QUAKE, 0))
    assert StoryClusterer(base, StoryConfig(merge_threshold=0.0)).merge_stories(batch) == {}
    assert StoryClusterer(base).merge_stories(batch) == {"second": "first"}


def test_a_merged_story_sums_its_members_and_spans_both() -> None:
    base = MemoryStoryIndex()
    batch = BatchStoryIndex(base)
    batch.add(state("first", QUAKE, 0, size=2, when="2024-05-01T10:00:00+00:00"))
    batch.add(state("second", QUAKE + ["tsunami"], 0, when="2024-05-02T10:00:00+00:00"))
    assert StoryClusterer(base).merge_stories(batch) == {"second": "first"}
    merged = batch.get("first")
    assert merged is not None
    assert merged.first_seen == "2024-05-01T10:00:00+00:00"
    assert merged.last_seen == "2024-05-02T10:00:00+00:00"
    assert merged.terms["tsunami"] == pytest.approx(1 / math.sqrt(5))
    assert merged.terms["quake"] == pytest.approx(2 / 2 + 1 / math.sqrt(5))
    assert merged.terms_norm == pytest.approx(math.sqrt(sum(v * v for v in merged.terms.values())))


def test_assign_batch_returns_the_surviving_ids_and_saves_only_them() -> None:
    embedder = HashingEmbedder()
    texts = [("Magnitude 6.1 earthquake shakes northern Chile near Iquique",
              "A strong earthquake struck off northern Chile near Iquique on Tuesday."),
             ("Assembly passes 66.8 trillion won defense budget",
              "The National Assembly approved the defense budget for 2027 on Friday."),
             ("Chile earthquake: magnitude 6.1 quake hits near Iquique",
              "The magnitude 6.1 earthquake hit near Iquique in northern Chile, officials said.")]
    articles = [Article(id=f"a{n}", title=t, text=x, published_at=WHEN) for n, (t, x) in enumerate(texts)]
    vectors = embedder.embed([article_text(a) for a in articles])
    base = MemoryStoryIndex()
    ids = StoryClusterer(base).assign_batch(articles, vectors)
    assert ids[0] == ids[2] != ids[1]
    assert set(base.states) == set(ids)
    assert sum(s.size for s in base.states.values()) == 3
