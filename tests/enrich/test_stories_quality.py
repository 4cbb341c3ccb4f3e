"""Quality gate of story clustering on the DEV story sets (../shared/datasets/stories).

Each set is clustered as one import would be (one batch, in set order, dates in time order),
with the hashing embedder (numpy only, deterministic, always installed) and the default
``StoryConfig``. Both BCubed F1 and pair F1 must stay at or above pinned floors (the figure
measured when the floor was set, less about 0.01) and strictly above the TF-IDF single-pass
baseline of bench/stories.py, whose figures are pinned beside them (its threshold is the best
of a 0.05-0.95 sweep on each set, so it is an oracle per set). Lower a floor only with a note
in docs/stories.md saying why. Figures and how they were measured: docs/stories.md.

All of neus-train (7,356 articles) is used: the whole gate takes one to three minutes on 2
cores (neus-train scores 120 candidate stories an article).

``SHORT_GATE`` does the same for short inputs built from DEV sets only
(``evaluation.SHORT_DEV_SETS``: the headline alone, or the headline and the text's first
sentence), as a headline-only feed sends them; the baseline is run on the same short texts.
Where newsdesk is still below that per-set oracle baseline the row says so and only the floors
are asserted (docs/stories.md lists the gaps).
"""

from __future__ import annotations

import pytest

from newsdesk.enrich.embeddings import HashingEmbedder, article_text
from newsdesk.enrich.evaluation import DEV_SETS, SHORT_DEV_SETS, datasets_root, load_story_set, score
from newsdesk.enrich.stories import MemoryStoryIndex, StoryClusterer, StoryConfig

# set: (BCubed F1 floor, pair F1 floor, baseline BCubed F1, baseline pair F1).
# Floors: measured with StoryConfig() defaults and the hashing embedder, minus 0.01.
# Baseline: TF-IDF single pass, best BCubed F1 over t and best pair F1 over t (bench/stories.py).
GATE = {
    # measured B3 0.742, pair 0.470 with limit 120 (0.724 / 0.427 with limit 30 and merges,
    # 0.724 / 0.425 before the merges); baseline B3 0.711 (t 0.375), pair 0.318 (t 0.400).
    # Floors lowered from 0.722 / 0.433 with StoryConfig's lead 2.5 / threshold 0.31, which
    # trades neus-train for ECB+ and wikinews (docs/stories.md, second round); lead counted
    # from 2 live stories.
    # Floors raised in the fourth round (candidate limit 120) from 0.714 / 0.415.
    "neus-train": (0.732, 0.460, 0.711, 0.318),
    # measured B3 0.862, pair 0.730 with limit 120 (0.846 / 0.701 with limit 30 and merges,
    # 0.841 / 0.692 before the merges); baseline B3 0.809 (t 0.275), pair 0.612 (t 0.325)
    "neus-val": (0.852, 0.720, 0.809, 0.612),
    # measured B3 0.897, pair 0.791; baseline B3 0.727 (t 0.375), pair 0.412 (t 0.400)
    "neus-2021crawl": (0.887, 0.781, 0.727, 0.412),
    # measured B3 0.850, pair 0.803 (0.846 / 0.801 before the merges);
    # baseline B3 0.835 (t 0.225), pair 0.783 (t 0.225)
    "ecbplus-train": (0.840, 0.793, 0.835, 0.783),
    # measured B3 0.840, pair 0.808; baseline B3 0.766 (t 0.225), pair 0.713 (t 0.200)
    "ecbplus-dev": (0.830, 0.798, 0.766, 0.713),
    # measured B3 0.671, pair 0.368; baseline B3 0.617 (t 0.625), pair 0.242 (t 0.625)
    "wikinews-handpicked": (0.661, 0.358, 0.617, 0.242),
}

# set: (BCubed F1 floor, pair F1 floor, baseline BCubed F1, baseline pair F1, beats baseline).
# Floors: measured with StoryConfig() defaults, minus 0.01; baseline as above, on the short texts.
SHORT_GATE = {
    # measured B3 0.865, pair 0.747 (0.842 / 0.723 without the length-dependent threshold);
    # baseline B3 0.680 (t 0.275), pair 0.362 (t 0.275)
    "neus-2021crawl-titles": (0.855, 0.737, 0.680, 0.362, True),
    # measured B3 0.888, pair 0.774 (0.878 / 0.767); baseline 0.713 (t 0.300), 0.397 (t 0.375)
    "neus-2021crawl-first": (0.878, 0.764, 0.713, 0.397, True),
    # measured B3 0.757, pair 0.570 with limit 120 (0.750 / 0.559 with 30); baseline 0.726
    # (t 0.225), 0.465 (t 0.250)
    "neus-val-titles": (0.747, 0.560, 0.726, 0.465, True),
    # measured B3 0.794, pair 0.766 (undated: unchanged); baseline 0.758 (t 0.150), 0.709 (t 0.150)
    "ecbplus-dev-titles": (0.784, 0.756, 0.758, 0.709, True),
    # measured B3 0.836, pair 0.786 (0.829 / 0.777 before the merges after a batch);
    # baseline 0.813 (t 0.225), 0.763 (t 0.225)
    "ecbplus-train-first": (0.826, 0.776, 0.813, 0.763, True),
    # measured B3 0.823, pair 0.794 (0.814 / 0.783 before the merges); baseline 0.780 (t 0.200),
    # 0.721 (t 0.200)
    "ecbplus-dev-first": (0.813, 0.784, 0.780, 0.721, True),
    # Below the oracle baseline (each of its rows has the baseline's best t for that set alone):
    # measured B3 0.780, pair 0.744 (0.781 / 0.745 with limit 30, 0.765 / 0.735 before the
    # merges after a batch): level with the baseline's B3, so not asserted above it; baseline
    # 0.781 (t 0.175), 0.739 (t 0.175)
    "ecbplus-train-titles": (0.770, 0.734, 0.781, 0.739, False),
    # measured B3 0.697, pair 0.446 (0.663 / 0.379); baseline 0.719 (t 0.150), 0.561 (t 0.150)
    "wikinews-handpicked-titles": (0.687, 0.436, 0.719, 0.561, False),
    # measured B3 0.653, pair 0.368 (0.613 / 0.261); baseline 0.685 (t 0.200), 0.483 (t 0.200)
    "wikinews-handpicked-first": (0.643, 0.358, 0.685, 0.483, False),
}

pytestmark = pytest.mark.skipif(not (datasets_root() / "stories").is_dir(),
                                reason="../shared/datasets/stories is not there")


def test_every_dev_set_is_gated() -> None:
    assert set(GATE) == set(DEV_SETS)


def _scores(name: str) -> tuple[float, float, str]:
    story_set = load_story_set(name)
    vectors = HashingEmbedder().embed([article_text(a) for a in story_set.articles])
    ids = StoryClusterer(MemoryStoryIndex(), StoryConfig()).assign_batch(story_set.articles, vectors)
    scores = score({a.id: sid for a, sid in zip(story_set.articles, ids, strict=True)}, story_set.gold)
    return scores.bcubed[2], scores.pair[2], scores.row()


@pytest.mark.parametrize("name", list(GATE))
def test_story_quality(name: str) -> None:
    b3_floor, pair_floor, base_b3, base_pair = GATE[name]
    b3, pair, row = _scores(name)
    assert b3 >= b3_floor and pair >= pair_floor, f"{name}: {row}"
    assert b3 > base_b3 and pair > base_pair, f"{name} not above the TF-IDF baseline: {row}"


def test_short_gate_uses_short_dev_sets_only() -> None:
    assert set(SHORT_GATE) <= set(SHORT_DEV_SETS)


@pytest.mark.parametrize("name", list(SHORT_GATE))
def test_short_input_story_quality(name: str) -> None:
    b3_floor, pair_floor, base_b3, base_pair, beats = SHORT_GATE[name]
    b3, pair, row = _scores(name)
    assert b3 >= b3_floor and pair >= pair_floor, f"{name}: {row}"
    if beats:
        assert b3 > base_b3 and pair > base_pair, f"{name} not above the TF-IDF baseline: {row}"
