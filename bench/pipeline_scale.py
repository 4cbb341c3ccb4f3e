"""Benchmarks copies + embeddings + stories + store at scale, on synthetic articles made from
real DEV texts.

    .venv/bin/python bench/pipeline_scale.py --sizes 10000 100000 [--model NAME]

Articles: sentences of the DEV story sets (neus train/val leads, ECB+ Train/Dev, the WikiNews
handpicked set) recombined within their gold story, dated over a year so that each story spans
a few days, with one article in ten a syndicated copy of an earlier one (a new headline, the last
sentence dropped). Each size runs in a fresh SQLite file through ``Pipeline.store_articles`` in
batches of 100, as ``ingest`` does, with the steps of ``STEPS`` (dedupe, embed, cluster).
Reported: wall time, articles/second, stories/second (stories
created per second), time per step, and the time per article of the last tenth of the run
against the first tenth (how the cost grows with the archive).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsdesk.config import load_settings  # noqa: E402
from newsdesk.enrich import load_enrichers  # noqa: E402
from newsdesk.enrich.evaluation import load_story_set  # noqa: E402
from newsdesk.models import Article  # noqa: E402
from newsdesk.pipeline import Outcome, Pipeline  # noqa: E402
from newsdesk.store import open_store  # noqa: E402

STEPS = ("copies", "embeddings", "stories")
SETS = ("neus-train", "neus-val", "ecbplus-train", "ecbplus-dev", "wikinews-handpicked")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")

from machine import describe_machine  # noqa: E402  (bench/ is on sys.path)


def machine() -> str:
    """Returns one line naming the CPU, its cores and the versions that matter here."""
    return describe_machine()


def pools() -> list[tuple[list[str], list[str]]]:
    """Returns (titles, sentences) per gold story of the DEV sets."""
    stories: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for name in SETS:
        story_set = load_story_set(name)
        for article in story_set.articles:
            titles, sentences = stories[f"{name}/{story_set.gold[article.id or '']}"]
            titles.append(article.title)
            sentences.extend(s for s in _SENTENCE.split(article.text.replace("\n\n", " ")) if s)
    return [v for v in stories.values() if v[1]]


def synthetic(n: int, seed: int = 7) -> list[Article]:
    """Returns ``n`` articles in time order, as described in the module docstring."""
    rng = random.Random(seed)
    source = pools()
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    articles: list[Article] = []
    while len(articles) < n:
        titles, sentences = rng.choice(source)
        day = start + timedelta(days=rng.uniform(0, 365))
        version = len(articles)  # makes each synthetic story's texts distinct across reuses
        for k in range(rng.randint(2, 8)):
            if len(articles) >= n:
                break
            when = day + timedelta(hours=rng.uniform(0, 96))
            if articles and k and rng.random() < 0.1:
                base = articles[-1]
                text = base.text.rsplit("\n\n", 1)[0] if "\n\n" in base.text else base.text
                articles.append(Article(title=f"{rng.choice(titles)} ({k})", text=text,
                                        outlet=f"Outlet {rng.randint(1, 60)}",
                                        published_at=when.isoformat()))
                continue
            picked = rng.sample(sentences, min(len(sentences), rng.randint(3, 8)))
            paras = [" ".join(picked[i:i + 2]) for i in range(0, len(picked), 2)]
            paras.append(f"Edition {version}-{k}.")
            articles.append(Article(title=rng.choice(titles), text="\n\n".join(paras),
                                    outlet=f"Outlet {rng.randint(1, 60)}",
                                    published_at=when.isoformat()))
    articles.sort(key=lambda a: a.published_at or "")
    return articles


class Timed:
    """Wraps an enrichment step and adds up the time spent in it."""

    def __init__(self, step):
        self.step, self.name, self.seconds = step, step.name, 0.0

    def enrich(self, articles, store):
        start = time.perf_counter()
        self.step.enrich(articles, store)
        self.seconds += time.perf_counter() - start


def run(n: int, model: str | None, progress: int = 0) -> dict:
    articles = synthetic(n)
    environ = {"NEWSDESK_EMBEDDING_MODEL": model} if model else {}
    settings = load_settings(environ=environ)
    with tempfile.TemporaryDirectory() as tmp, open_store(f"sqlite:///{tmp}/scale.db") as store:
        # Only the steps measured here; other enrichers (entities, keywords, summaries) have
        # their own benchmarks.
        steps = [Timed(step) for step in load_enrichers(settings) if step.name in STEPS]
        pipeline = Pipeline(settings, store=store, enrichers=steps)
        per_batch: list[float] = []
        start = time.perf_counter()
        for i in range(0, n, 100):
            t0 = time.perf_counter()
            pipeline.store_articles(articles[i:i + 100], None, Outcome("bench"))
            per_batch.append(time.perf_counter() - t0)
            done = i + 100
            if progress and done % progress == 0 and done < n:
                last = sum(per_batch[-progress // 100:]) / progress
                steps_s = ", ".join(f"{s.name} {s.seconds:.0f} s" for s in steps)
                print(f"  {done} articles: {time.perf_counter() - start:.0f} s; last {progress}: "
                      f"{1000 * last:.1f} ms/article; {steps_s}", flush=True)
        total = time.perf_counter() - start
        stories = len(store.list_stories(limit=10 ** 9))
        tenth = max(1, len(per_batch) // 10)
        return {"n": n, "seconds": total, "stories": stories,
                "steps": {s.name: s.seconds for s in steps},
                "first": sum(per_batch[:tenth]) / (tenth * 100),
                "last": sum(per_batch[-tenth:]) / (tenth * 100)}


def embedder_cost(n: int) -> str:
    """Times the configured default embedder alone on ``n`` synthetic articles, in the
    embeddings step's batches of 64, and returns one line: the per-article cost to add to a
    run made with a faster embedder."""
    from newsdesk.enrich.embeddings import DEFAULT_EMBEDDER, article_text, get_embedder

    texts = [article_text(a) for a in synthetic(n, seed=11)]
    embedder = get_embedder(DEFAULT_EMBEDDER)
    embedder.embed(texts[:8])  # load the model outside the timing
    start = time.perf_counter()
    for i in range(0, n, 64):
        embedder.embed(texts[i:i + 64])
    seconds = time.perf_counter() - start
    return (f"embedder {embedder.name} alone: {n} articles in {seconds:.1f} s = "
            f"{1000 * seconds / n:.1f} ms/article ({n / seconds:.0f} articles/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--model", help="embedding model (default: the configured default)")
    parser.add_argument("--progress", type=int, default=0, metavar="N",
                        help="print a line every N articles (a multiple of 100)")
    parser.add_argument("--embed-sample", type=int, default=0, metavar="N",
                        help="also time the default embedder alone on N synthetic articles")
    args = parser.parse_args()
    print(f"machine: {machine()}\n")
    if args.embed_sample:
        print(embedder_cost(args.embed_sample) + "\n", flush=True)
    header = False
    for n in args.sizes:
        r = run(n, args.model, args.progress)
        names = list(r["steps"])
        if not header:
            head = " | ".join(f"{name} s" for name in names)
            print(f"| articles | seconds | articles/s | stories | stories/s | {head} | store s "
                  f"| ms/article first 10% | ms/article last 10% |")
            print("|" + "---|" * (8 + len(names)))
            header = True
        steps = " | ".join(f"{r['steps'][name]:.1f}" for name in names)
        store_s = r["seconds"] - sum(r["steps"].values())
        print(f"| {r['n']} | {r['seconds']:.1f} | {r['n'] / r['seconds']:.0f} | {r['stories']} "
              f"| {r['stories'] / r['seconds']:.0f} | {steps} | {store_s:.1f} "
              f"| {1000 * r['first']:.2f} | {1000 * r['last']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
