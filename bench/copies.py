"""Prints copy-detection precision, recall and cost on the DEV syndication set.

Builds the set of newsdesk/enrich/syndication.py from ../shared/datasets beside the repo root
(DEV splits only) and runs the copies step over it with an in-memory copy index:

    .venv/bin/python bench/copies.py           # the gate's set: 600 neus roundups (seed 7)
    .venv/bin/python bench/copies.py --full    # every neus train/val roundup
    .venv/bin/python bench/copies.py --store   # also through a SQLite store, batches of 100

Milliseconds per article are single-process wall time of the copies step (signature, lookup,
decision, indexing) over the whole set, so they depend on the machine named in the header and on
what else runs on it; "signature" is the share spent making signatures. With ``--store`` the
set also runs through a fresh SQLite store as ``ingest`` runs it: the copies step over each
batch of 100 against the store's copy index, then the batch saved (``save_articles`` where the
store has it, else ``save_article`` per article); its ms/article include the save.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import datasketch
from machine import describe_machine  # noqa: E402  (bench/ is on sys.path)

from newsdesk.enrich import copies
from newsdesk.enrich.syndication import (
    CopyScores,
    SyndicationSet,
    build,
    datasets_dir,
    run_copies,
    score_pairs,
)
from newsdesk.store import open_store


def run_store(data: SyndicationSet, batch: int = 100) -> CopyScores:
    """Runs the copies step and the save through a fresh SQLite store, in publication order."""
    articles = [replace(a, duplicate_of=None) for a in data.articles]
    judged = {a.id or "" for a in articles if copies.signature(a) is not None}
    step = copies.CopiesEnricher()
    with tempfile.TemporaryDirectory() as tmp, open_store(f"sqlite:///{tmp}/copies.db") as store:
        started = time.perf_counter()
        for i in range(0, len(articles), batch):
            chunk = articles[i:i + batch]
            step.enrich(chunk, store)
            save = getattr(store, "save_articles", None)
            if save is not None:
                save(chunk)
            else:  # a store of an older newsdesk: one transaction per article
                for article in chunk:
                    store.save_article(article)
        seconds = time.perf_counter() - started
        predicted = {a.id or "": a.duplicate_of for a in store.iter_articles()}
    scores = score_pairs(predicted, data.gold, judged)
    scores.seconds, scores.articles = seconds, len(articles)
    return scores


def machine() -> str:
    """Returns one line naming the CPU, its cores and the versions that matter here."""
    return "machine: " + describe_machine(f"datasketch {datasketch.__version__}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="all neus train/val roundups")
    parser.add_argument("--store", action="store_true", help="also run through a SQLite store")
    parser.add_argument("--data", type=Path, help="datasets folder (default: ../shared/datasets)")
    args = parser.parse_args(argv)
    root = args.data or datasets_dir()
    if not (root / "stories").is_dir():
        print(f"bench/copies: no story sets under {root}", file=sys.stderr)
        return 2
    data = build(root, neus_clusters=10**6 if args.full else 600)
    copy_pairs = sum(1 for original in data.gold.values() if original)
    started = time.perf_counter()
    for article in data.articles:
        copies.signature(article)
    signature_ms = 1000 * (time.perf_counter() - started) / len(data.articles)

    print(machine())
    print(f"set: {len(data.articles)} articles = {data.sources} sources "
          f"({', '.join(f'{k} {v}' for k, v in data.counts.items())}) + "
          f"{len(data.articles) - data.sources} reprints; {copy_pairs} gold copy pairs "
          f"({data.natural_copies} real reprints among the sources); "
          f"{data.hard_negative_pairs} hard-negative pairs (distinct originals of one event); "
          f"{data.dropped_rewrites} rewrites left out")
    print(f"settings: MIN_WORDS {copies.MIN_WORDS}, {copies.SHINGLE}-word shingles, "
          f"{copies.NUM_PERM} permutations = {copies.BANDS} bands x {copies.ROWS} rows, "
          f"Jaccard >= {copies.JACCARD_MIN} or containment >= {copies.CONTAINMENT_MIN}, or lede "
          f">= {copies.LEDE_MIN} and (Jaccard >= {copies.LEDE_JACCARD_MIN} or containment >= "
          f"{copies.LEDE_CONTAINMENT_MIN})")
    print()
    header = ("order", "precision", "recall", "recall (all)", "tp", "fp", "fn", "unjudged",
              "ms/article", "signature ms")
    rows = []
    runs = [("publication", lambda: run_copies(data)),
            ("shuffled (seed 1)", lambda: run_copies(data, shuffle_seed=1))]
    if args.store:
        runs.append(("publication, SQLite store", lambda: run_store(data)))
    for name, run in runs:
        s = run()
        rows.append((name, f"{s.precision:.4f}", f"{s.recall:.4f}", f"{s.recall_all:.4f}",
                     str(s.tp), str(s.fp), str(s.fn), str(s.unjudged), f"{s.ms_per_article:.2f}",
                     f"{signature_ms:.2f}"))
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
