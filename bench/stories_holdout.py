"""Runs the HOLDOUT check of story clustering once: newsdesk beside the TF-IDF single pass.

    .venv/bin/python bench/stories_holdout.py

Run only after code and settings are frozen; nothing may be tuned on what it prints. Sets
(``newsdesk.enrich.evaluation.HOLDOUT_SETS``): neus test, ECB+ Test, WikiNews articles.jsonl
(undated: its times are the crawl's), BASIL triplets and the UCI News Aggregator prefix (dated,
in time order). newsdesk runs ``StoryConfig()`` with the hashing embedder, as the DEV gate does.
The baseline's t is the best of the sweep on each HOLDOUT set itself (an oracle, above what a
peer with t tuned on DEV gets); the peers' own HOLDOUT figures (datasets README) are printed
beside it. Cells: BCubed F1 | pair F1 | clusters.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from stories import _cell, baseline, machine, run_newsdesk, vectors  # noqa: E402

from newsdesk.enrich.evaluation import HOLDOUT_SETS, load_story_set  # noqa: E402
from newsdesk.enrich.stories import StoryConfig  # noqa: E402

# Best single-pass peer BCubed F1 on each HOLDOUT set (../shared/datasets/README.md).
PEERS = {"neus-test": "0.825 (TF-IDF)", "ecbplus-test": "0.840 (TF-IDF); Barhom et al. batch 0.976",
         "wikinews-articles": "0.759 (TF-IDF)", "basil": "0.899 (MiniLM)", "uci": "0.563 (TF-IDF)"}


def main() -> None:
    print(f"machine: {machine()}")
    print(f"config: {StoryConfig()}\n")
    print("| set | articles | gold | baseline t (oracle) | baseline | newsdesk | best peer B3 F1 |")
    print("|---|---|---|---|---|---|---|")
    for name in HOLDOUT_SETS:
        story_set = load_story_set(name, holdout=True)
        t, base = baseline(story_set)
        vecs, _ = vectors(story_set, "hashing", None)
        ours, _ = run_newsdesk(story_set, vecs)
        print(f"| {name} | {len(story_set.articles)} | {base.gold_clusters} | {t:.3f} | "
              f"{_cell(base)} | {_cell(ours)} | {PEERS[name]} |", flush=True)


if __name__ == "__main__":
    main()
