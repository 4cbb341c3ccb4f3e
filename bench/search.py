"""Benchmarks search: retrieval quality on DEV story sets, the ask threshold, and latency at scale.

    nice -n 10 .venv/bin/python bench/search.py --quality [--model use-multilingual]
    nice -n 10 .venv/bin/python bench/search.py --ask [--model use-multilingual]
    nice -n 10 .venv/bin/python bench/search.py --scale 10000 100000 [--queries 200]
    nice -n 10 .venv/bin/python bench/search.py --scale 10000 100000 --engine postgresql

--quality prints recall@10 and MRR of headline queries (the other articles of the story are the
targets) for BM25 alone, vectors alone and hybrid, on the DEV story sets.
--ask prints the answer / no-answer accuracy of ``ask`` over thresholds on the DEV ask set
(newsdesk.search.evaluation) and the best one.
--scale builds synthetic archives from real texts (DEV story sets, cycled, each copy's words
shuffled a little so rows differ) embedded with the fast ``hashing`` embedder at 256 dims (a
model embedder would take hours for 1M texts on 2 cores; search latency depends on the
dimension, not on the model), then times search (hybrid and FTS5 alone), reports peak memory,
the vector index's build time, and the time to bring it up to date after 1% more articles.
With ``--engine postgresql`` the archive goes to a fresh database on a local PostgreSQL 16 with
pgvector (pgserver, or the server named by NEWSDESK_TEST_PG): full text by tsvector/GIN, vectors
by the HNSW index the store keeps up to date on every insert (so no build step to time).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import describe_machine  # noqa: E402
from newsdesk.enrich.embeddings import HashingEmbedder  # noqa: E402
from newsdesk.enrich.evaluation import load_story_set  # noqa: E402
from newsdesk.models import Article  # noqa: E402
from newsdesk.search import search, vector_index  # noqa: E402
from newsdesk.search.evaluation import ask_scores, load_archive, retrieval_scores  # noqa: E402
from newsdesk.store import open_store  # noqa: E402

QUALITY_SETS = ("neus-val", "ecbplus-dev", "wikinews-handpicked", "neus-train", "ecbplus-train")


def quality(model: str, sets: list[str], limit: int | None) -> None:
    print(f"# retrieval quality, headline queries, model {model}; {describe_machine()}")
    print(f"{'set':<22}{'queries':>8}  {'mode':<7}{'recall@10':>10}{'MRR':>8}")
    for name in sets:
        story_set = load_story_set(name)
        articles = story_set.articles
        if limit:  # whole stories only: keep the first `limit` stories
            keep = list(dict.fromkeys(story_set.gold[a.id] for a in articles))[:limit]
            articles = [a for a in articles if story_set.gold[a.id] in set(keep)]
        gold = {a.id: story_set.gold[a.id] for a in articles}
        with tempfile.TemporaryDirectory() as tmp:
            store = load_archive(Path(tmp) / "q.db", articles, model)
            try:
                titles = {a.id: a.title for a in articles}
                for row in retrieval_scores(store, gold, titles):
                    print(f"{name:<22}{row.queries:>8}  {row.mode:<7}{row.recall_at_10:>10.3f}"
                          f"{row.mrr:>8.3f}")
            finally:
                store.close()


def fusion(model: str, sets: list[str], limit: int | None) -> None:
    """Sweeps the k of reciprocal rank fusion and the weight of the vector list."""
    from newsdesk.search import SearchFilters, parse_query
    from newsdesk.search.hybrid import retrieve

    grid = [(k, w) for k in (5, 10, 20, 40, 60, 100) for w in (0.5, 0.75, 1.0, 1.5, 2.0)]
    totals = {g: [0.0, 0.0] for g in grid}
    print(f"# fusion sweep, headline queries, model {model}; {describe_machine()}")
    for name in sets:
        story_set = load_story_set(name)
        articles = story_set.articles
        if limit:
            keep = set(list(dict.fromkeys(story_set.gold[a.id] for a in articles))[:limit])
            articles = [a for a in articles if story_set.gold[a.id] in keep]
        gold = {a.id: story_set.gold[a.id] for a in articles}
        mates: dict[str, set[str]] = {}
        for a in articles:
            mates.setdefault(gold[a.id], set()).add(a.id)
        queries = [a for a in articles if len(mates[gold[a.id]]) > 1]
        with tempfile.TemporaryDirectory() as tmp:
            store = load_archive(Path(tmp) / "f.db", articles, model)
            lists = []
            for a in queries:
                parsed = parse_query(a.title)
                lists.append([[c.rowid for c in retrieve(store, parsed, SearchFilters(), 100, m)]
                              for m in ("bm25", "vector")])
            rowids = sorted({r for pair in lists for ranked in pair for r in ranked})
            ids = {r: row["id"] for r, row in store.search_hits(rowids).items()}
            store.close()
        for g in grid:
            k, w = g
            recall = mrr = 0.0
            for a, (bm, vec) in zip(queries, lists, strict=True):
                scores: dict[int, float] = {}
                for weight, ranked in ((1.0, bm), (w, vec)):
                    for rank, r in enumerate(ranked):
                        scores[r] = scores.get(r, 0.0) + weight / (k + rank + 1)
                top = [ids[r] for r, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]
                top = [i for i in top if i != a.id][:10]
                want = mates[gold[a.id]] - {a.id}
                recall += len(want & set(top)) / len(want)
                mrr += next((1 / (i + 1) for i, x in enumerate(top) if x in want), 0.0)
            n = len(queries)
            totals[g][0] += recall / n / len(sets)
            totals[g][1] += mrr / n / len(sets)
            print(f"{name:<20} k {k:>3} vector weight {w:<5} recall@10 {recall / n:.3f}  MRR {mrr / n:.3f}")
    best = max(grid, key=lambda g: totals[g][0])
    for g in grid:
        print(f"mean k {g[0]:>3} w {g[1]:<5} recall@10 {totals[g][0]:.3f}  MRR {totals[g][1]:.3f}")
    print(f"best mean recall@10: k {best[0]}, vector weight {best[1]}: {totals[best][0]:.3f}")


def ask_threshold(model: str, name: str, stories: int) -> None:
    story_set = load_story_set(name)
    found = ask_scores(story_set.articles, story_set.gold, model, stories)
    print(f"# ask set from {name}: {len(found)} questions, model {model}; {describe_machine()}")
    best = (0.0, 0.0)
    for t in np.arange(0.20, 0.705, 0.01):
        pos = [s >= t for a, s in found if a]
        neg = [s < t for a, s in found if not a]
        bacc = (sum(pos) / max(1, len(pos)) + sum(neg) / max(1, len(neg))) / 2
        if bacc > best[0]:
            best = (bacc, float(t))
        print(f"threshold {t:.2f}  answered-when-answerable {np.mean(pos):.3f}  "
              f"silent-when-not {np.mean(neg):.3f}  balanced {bacc:.3f}")
    print(f"best threshold {best[1]:.2f}: balanced accuracy {best[0]:.3f}")


def _texts() -> list[tuple[str, str]]:
    found = []
    for name in ("neus-train", "neus-val", "ecbplus-train", "wikinews-handpicked"):
        found += [(a.title, a.text) for a in load_story_set(name).articles]
    return found


def _synthetic(texts: list[tuple[str, str]], start: int, count: int, rng: random.Random):
    for n in range(start, start + count):
        title, text = texts[n % len(texts)]
        words = text.split()
        # Swap a few words so that copies of one text differ (as rewrites of a story do).
        for _ in range(min(3, len(words) // 2)):
            i, j = rng.randrange(len(words)), rng.randrange(len(words))
            words[i], words[j] = words[j], words[i]
        yield Article(id=f"syn-{n}", title=title, text=" ".join(words), outlet=f"Outlet {n % 40}",
                      published_at=f"20{10 + n % 15:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}T12:00:00+00:00")


def _fill(store, texts, start: int, count: int, embedder) -> None:
    rng = random.Random(start)
    batch = []
    for article in _synthetic(texts, start, count, rng):
        batch.append(article)
        if len(batch) == 500:
            _save(store, batch, embedder)
            batch = []
    if batch:
        _save(store, batch, embedder)


def _save(store, batch, embedder) -> None:
    vectors = embedder.embed([f"{a.title}\n{a.text[:600]}" for a in batch])
    for article, vector in zip(batch, vectors, strict=False):
        article.vector, article.vector_model = vector, "hashing"
    store.save_articles(batch)


def _pcts(values: list[float]) -> str:
    ms = np.array(values) * 1000
    return "  ".join(f"{p}:{np.percentile(ms, p):7.1f}" for p in (50, 95, 99))


def _open(engine: str, tmp: str):
    if engine == "postgresql":
        from tests.support.pg import fresh_database_url

        return open_store(fresh_database_url())
    return open_store(f"sqlite:///{tmp}/s.db")


def _size_mb(store, tmp: str) -> float:
    if store.url.startswith("postgresql"):
        row = store._reader().execute("SELECT pg_database_size(current_database())").fetchone()
        return int(row[0]) / 2**20
    return (Path(tmp) / "s.db").stat().st_size / 2**20


def scale(sizes: list[int], queries: int, engine: str = "sqlite") -> None:
    texts = _texts()
    embedder = HashingEmbedder(dim=256)
    rng = random.Random(7)
    print(f"# search at scale on {engine}, hashing embedder 256-d, {queries} headline queries; "
          f"{describe_machine()}")
    for size in sizes:
        with tempfile.TemporaryDirectory(dir=Path.home()) as tmp:
            store = _open(engine, tmp)
            t = time.perf_counter()
            _fill(store, texts, 0, size, embedder)
            fill_s = time.perf_counter() - t
            # A search must embed its query with the articles' model: register this one.
            from newsdesk.search import hybrid

            hybrid._EMBEDDERS["hashing"] = embedder
            t = time.perf_counter()
            index = vector_index(store)
            build_s = time.perf_counter() - t
            _fill(store, texts, size, size // 100, embedder)
            t = time.perf_counter()
            vector_index(store)
            add_s = time.perf_counter() - t
            picks = [texts[rng.randrange(len(texts))][0] for _ in range(queries)]
            timings = {}
            for mode in ("bm25", "hybrid"):
                search(store, picks[0], limit=20, mode=mode)  # warm the caches
                spent = []
                for q in picks:
                    t = time.perf_counter()
                    search(store, q, limit=20, mode=mode)
                    spent.append(time.perf_counter() - t)
                timings[mode] = spent
            spent = []
            for q in picks[: queries // 2]:
                t = time.perf_counter()
                search(store, q, limit=20, mode="hybrid", filters=_outlet_filter())
                spent.append(time.perf_counter() - t)
            timings["hybrid+outlet"] = spent
            rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            db_mb = _size_mb(store, tmp)
            if engine == "postgresql":
                print(f"\n## {size:,} articles (filled in {fill_s:.0f} s, {size / fill_s:.0f} "
                      f"articles/s; database {db_mb:.0f} MB incl. GIN and HNSW indexes, "
                      f"peak client RSS {rss_mb:.0f} MB)")
            else:
                file_mb = Path(index.path).stat().st_size / 2**20
                print(f"\n## {size:,} articles (filled in {fill_s:.0f} s; db {db_mb:.0f} MB, "
                      f"index file {file_mb:.0f} MB, peak RSS {rss_mb:.0f} MB)")
                print(f"vector index: build {build_s:.1f} s; up to date after +1% articles "
                      f"{add_s:.2f} s; fresh check {index.last.seconds * 1000:.1f} ms")
            for mode, spent in timings.items():
                label = ("FTS5 alone" if engine == "sqlite" else "tsvector alone") \
                    if mode == "bm25" else mode
                print(f"{label:<15} ms  {_pcts(spent)}")
            store.close()


def _outlet_filter():
    from newsdesk.search import SearchFilters

    return SearchFilters(outlet="Outlet 3")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--ask", action="store_true")
    parser.add_argument("--fusion", action="store_true")
    parser.add_argument("--scale", type=int, nargs="*")
    parser.add_argument("--model", default="use-multilingual")
    parser.add_argument("--sets", nargs="*", default=list(QUALITY_SETS))
    parser.add_argument("--stories", type=int, help="first N stories of each set only")
    parser.add_argument("--ask-set", default="neus-train")
    parser.add_argument("--ask-stories", type=int, default=300)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite",
                        help="the store of --scale")
    args = parser.parse_args()
    if args.quality:
        quality(args.model, args.sets, args.stories)
    if args.fusion:
        fusion(args.model, args.sets, args.stories)
    if args.ask:
        ask_threshold(args.model, args.ask_set, args.ask_stories)
    if args.scale:
        scale(args.scale, args.queries, args.engine)


if __name__ == "__main__":
    main()
