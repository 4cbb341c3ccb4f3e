"""Scores story clustering on the DEV story sets: a TF-IDF single-pass baseline beside newsdesk.

    .venv/bin/python bench/stories.py [--embedders hashing,minilm-int8] [--cache DIR]
    .venv/bin/python bench/stories.py --sweep [--embedders hashing]   # the DEV grid search
    .venv/bin/python bench/stories.py --short    # short-input DEV variants and wikiref220 (topics)
    .venv/bin/python bench/stories.py --holdout                       # final check only
    .venv/bin/python bench/stories.py --config merge_threshold=0,merge_lead=2.5  # other settings

Each set is fed in its order (dated sets are in time order) as one batch, as one `.jsonl`
import would be. Metrics (datasets README): pair-counting and BCubed P/R/F1, cluster counts.

Baseline (the peers' protocol, datasets README): TF-IDF of title + text (lower-cased ``\\w\\w+``
tokens, smooth IDF fitted on the whole set, L2 rows, as scikit-learn's TfidfVectorizer does),
single pass: an article joins the story whose centroid (mean of member vectors) is most
similar if the cosine reaches t, else starts one; t is swept 0.05-0.95 in steps of 0.025 and
the best t of each set is reported (an oracle per set, so the bar is as high as it gets).

newsdesk: ``StoryClusterer`` with its one default configuration (``StoryConfig()``) for every
set; articles/second counts the clusterer alone (embedding time is reported apart).
``--short`` runs the short-input variants of the DEV sets (headline alone, headline + first
sentence: ``evaluation.SHORT_DEV_SETS``) and the topic-level DEV set wikiref220, on which the
length-dependent threshold was tuned. ``--holdout`` runs the HOLDOUT sets for the final
independent check; never tune on it.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsdesk.enrich.embeddings import article_text, get_embedder  # noqa: E402
from newsdesk.enrich.evaluation import (  # noqa: E402
    DEV_SETS,
    HOLDOUT_SETS,
    SHORT_DEV_SETS,
    TOPIC_DEV_SETS,
    Scores,
    StorySet,
    load_story_set,
    score,
)
from newsdesk.enrich.stories import MemoryStoryIndex, StoryClusterer, StoryConfig  # noqa: E402

THRESHOLDS = np.round(np.arange(0.05, 0.951, 0.025), 3)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")

from machine import describe_machine  # noqa: E402  (bench/ is on sys.path)


def machine() -> str:
    """Returns one line naming the CPU, its cores and the versions that matter here."""
    return describe_machine(f"numpy {np.__version__}")


# ------------------------------------------------------------------------------- baseline

def tfidf_matrix(texts: list[str]) -> sp.csr_matrix:
    """Returns L2-normalised TF-IDF rows (raw tf, smooth idf), as TfidfVectorizer's defaults."""
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, text in enumerate(texts):
        for word, n in Counter(_TOKEN.findall(text.lower())).items():
            rows.append(i)
            cols.append(vocab.setdefault(word, len(vocab)))
            vals.append(n)
    x = sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(vocab)), dtype=np.float64)
    df = np.bincount(x.indices, minlength=len(vocab))
    x = x @ sp.diags(np.log((1 + len(texts)) / (1 + df)) + 1)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sp.diags(1 / norms) @ x).tocsr()


def single_pass(gram: np.ndarray, t: float) -> np.ndarray:
    """Single-pass clustering on a Gram matrix of unit rows: cosine with a centroid is the
    dot product with the member sum over that sum's norm, kept incrementally."""
    n = gram.shape[0]
    labels = np.empty(n, dtype=np.int64)
    sq: list[float] = []  # squared norm of each story's member sum
    for i in range(n):
        if sq:
            dots = np.bincount(labels[:i], weights=gram[i, :i], minlength=len(sq))
            cos = dots / np.sqrt(np.asarray(sq))
            j = int(np.argmax(cos))
            if cos[j] >= t:
                labels[i] = j
                sq[j] += 2 * dots[j] + gram[i, i]
                continue
        labels[i] = len(sq)
        sq.append(gram[i, i])
    return labels


def baseline(story_set: StorySet) -> tuple[float, Scores]:
    """Returns the best threshold (by BCubed F1) and its scores for the TF-IDF single pass."""
    texts = [a.title if a.text == a.title else f"{a.title}\n{a.text}" for a in story_set.articles]
    x = tfidf_matrix(texts)
    gram = (x @ x.T).toarray()
    best: tuple[float, Scores] | None = None
    for t in THRESHOLDS:
        labels = single_pass(gram, float(t))
        pred = {a.id: str(k) for a, k in zip(story_set.articles, labels, strict=True)}
        scores = score(pred, story_set.gold)
        if best is None or scores.bcubed[2] > best[1].bcubed[2]:
            best = (float(t), scores)
    assert best is not None
    return best


# ------------------------------------------------------------------------------- newsdesk

def vectors(story_set: StorySet, embedder_name: str, cache: Path | None) -> tuple[np.ndarray, float]:
    """Returns the set's article vectors and the seconds spent embedding (0 when cached)."""
    path = cache / f"{story_set.name}.{embedder_name}.npy" if cache else None
    if path is not None and path.exists():
        return np.load(path), 0.0
    embedder = get_embedder(embedder_name)
    start = time.perf_counter()
    out = embedder.embed([article_text(a) for a in story_set.articles])
    took = time.perf_counter() - start
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, out)
    return out, took


def run_newsdesk(story_set: StorySet, vecs: np.ndarray,
                 config: StoryConfig | None = None) -> tuple[Scores, float]:
    """Returns the clusterer's scores on a set and its articles per second."""
    clusterer = StoryClusterer(MemoryStoryIndex(), config)
    start = time.perf_counter()
    ids = clusterer.assign_batch(story_set.articles, vecs)
    took = time.perf_counter() - start
    pred = {a.id: sid for a, sid in zip(story_set.articles, ids, strict=True)}
    return score(pred, story_set.gold), len(ids) / took


# ------------------------------------------------------------------------------- reports

def _cell(s: Scores) -> str:
    return f"{s.bcubed[2]:.3f} | {s.pair[2]:.3f} | {s.clusters}"


def parse_config(text: str | None) -> StoryConfig:
    """Returns StoryConfig() with the ``name=value,...`` settings of ``text`` changed."""
    config = StoryConfig()
    for item in filter(None, (text or "").split(",")):
        key, _, value = item.partition("=")
        key = key.strip()
        if not hasattr(config, key) or not value:
            raise SystemExit(f"--config: {item!r} is not name=value with a StoryConfig setting")
        kind = type(getattr(config, key))
        try:
            config = replace(config, **{key: kind(float(value)) if kind is int else kind(value)})
        except ValueError:
            raise SystemExit(f"--config: {key} needs a {kind.__name__}, not {value!r}") from None
    return config


def table(names: list[str], embedders: list[str], cache: Path | None, holdout: bool,
          config: StoryConfig | None = None) -> None:
    config = config or StoryConfig()
    print(f"machine: {machine()}")
    print(f"config: {config}\n")
    head = "| set | articles | gold stories | baseline t | baseline B3 F1 | pair F1 | clusters |"
    rule = "|---|---|---|---|---|---|---|"
    for e in embedders:
        head += f" {e} B3 F1 | pair F1 | clusters |"
        rule += "---|---|---|"
    print(head)
    print(rule)
    speed: dict[str, list[tuple[int, float, float]]] = {e: [] for e in embedders}
    for name in names:
        story_set = load_story_set(name, holdout=holdout)
        t, base = baseline(story_set)
        row = (f"| {name} | {len(story_set.articles)} | {base.gold_clusters} | {t:.3f} | "
               f"{_cell(base)} |")
        for e in embedders:
            vecs, embed_s = vectors(story_set, e, cache)
            scores, rate = run_newsdesk(story_set, vecs, config)
            speed[e].append((len(story_set.articles), rate, embed_s))
            row += f" {_cell(scores)} |"
        print(row, flush=True)
    print()
    for e, runs in speed.items():
        total = sum(n for n, _, _ in runs)
        cluster_s = sum(n / r for n, r, _ in runs)
        embed_s = sum(s for _, _, s in runs)
        embed = f"; embedding {total / embed_s:.0f} articles/s" if embed_s else " (vectors cached)"
        print(f"{e}: clusterer {total / cluster_s:.0f} articles/s over {total} articles{embed}")


def sweep(names: list[str], embedder: str, cache: Path | None) -> None:
    """Grid-searches the clusterer's main settings on DEV; prints mean BCubed F1 per point."""
    grid = {"w_dense": [0.0, 0.2, 0.3, 0.4], "w_names": [0.1, 0.2],
            "threshold": [0.15, 0.2, 0.25, 0.3, 0.35]}
    sets = [load_story_set(n) for n in names]
    vecs = [vectors(s, embedder, cache)[0] for s in sets]
    for combo in itertools.product(*grid.values()):
        point = dict(zip(grid, combo, strict=True))
        point["w_terms"] = round(1.0 - point["w_dense"] - point["w_names"], 3)
        config = replace(StoryConfig(), **point)
        results = [run_newsdesk(s, v, config)[0] for s, v in zip(sets, vecs, strict=True)]
        mean = sum(r.bcubed[2] for r in results) / len(results)
        cells = " ".join(f"{r.bcubed[2]:.3f}/{r.pair[2]:.3f}" for r in results)
        print(f"{mean:.4f} {point} {cells}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedders", default="hashing",
                        help="comma-separated embedder names (newsdesk.enrich.embeddings)")
    parser.add_argument("--sets", default=None, help="comma-separated set names (default: all)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="folder to keep article vectors in between runs")
    parser.add_argument("--sweep", action="store_true", help="grid-search the settings on DEV")
    parser.add_argument("--short", action="store_true",
                        help="score the short-input DEV variants and the topic-level DEV set")
    parser.add_argument("--config", default=None,
                        help="StoryConfig settings to change, name=value,... (default: the defaults)")
    parser.add_argument("--holdout", action="store_true",
                        help="score the HOLDOUT sets (the final independent check; never tune)")
    args = parser.parse_args()
    pool = HOLDOUT_SETS if args.holdout else DEV_SETS
    if args.short:
        if args.holdout:
            parser.error("--short builds its sets from DEV sets only")
        pool = {**SHORT_DEV_SETS, **TOPIC_DEV_SETS}
    names = args.sets.split(",") if args.sets else list(pool)
    embedders = args.embedders.split(",")
    if args.sweep:
        if args.holdout:
            parser.error("--sweep tunes, so it runs on DEV sets only")
        sweep(names, embedders[0], args.cache)
    else:
        table(names, embedders, args.cache, args.holdout, parse_config(args.config))


if __name__ == "__main__":
    main()
