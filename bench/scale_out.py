"""Articles per second of the in-process runner on SQLite and of the Ray runner on PostgreSQL
with 1 and 2 workers, the share of the serial part, and what that predicts per added machine.

    .venv/bin/python bench/scale_out.py [--articles 300] [--fast] [--pg URL]

Input: real DEV articles (the WikiNews handpicked set, then ECB+ Dev/Train) with wire reprints
and exact copies among them (tests/support/corpus.py), as JSONL files of ``--per-file``
articles, ingested in order as `newsdesk ingest` does. Each configuration gets a fresh
database and first ingests a small warm-up file (models load in every process once), then the
corpus is timed. ``--fast`` uses the hashing embedder instead of the default (USE).

The serial part is ``Pipeline.commit``: under ``Store.exclusive()`` the copies and stories steps
and the batch's write. However many machines run the rest, ingest cannot go faster than one
commit after the other: 1 / (serial seconds per article). PostgreSQL without ``--pg`` is the
``pgserver`` package's PostgreSQL 16 on this machine (tests/support/pg.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from machine import describe_machine  # noqa: E402  (bench/ is on sys.path)

from newsdesk.config import load_settings  # noqa: E402
from newsdesk.demo import DEMO_DIR  # noqa: E402
from newsdesk.pipeline import Pipeline  # noqa: E402
from newsdesk.store import open_store  # noqa: E402
from tests.support.corpus import dev_corpus, write_jsonl  # noqa: E402


class Timed:
    """Wraps a pipeline's ``commit`` (the serial part) and counts the seconds spent in it."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.seconds = 0.0
        inner = pipeline.commit

        def commit(*args, **kwargs):
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
        pipeline.commit = commit  # type: ignore[method-assign]


def run(label: str, url: str, settings, runner: str, workers: int, warmup: list[str],
        inputs: list[str]) -> dict:
    """Ingests the warm-up file, then times the corpus; returns one table row."""
    start = time.perf_counter()
    with open_store(url) as store:
        if runner == "local":
            pipeline = Pipeline(settings, store=store)
        else:
            from newsdesk.runners.ray import RayPipeline

            pipeline = RayPipeline(settings, store, workers=workers)
        try:
            for _ in pipeline.ingest_many(warmup):
                pass
            ready = time.perf_counter()
            timer = Timed(pipeline)
            created = errors = 0
            for outcome in pipeline.ingest_many(inputs):
                created += outcome.created
                errors += len(outcome.errors)
            wall = time.perf_counter() - ready
        finally:
            pipeline.close()
    return {"label": label, "startup": ready - start, "wall": wall, "created": created,
            "errors": errors, "rate": created / wall, "serial": timer.seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300, help="DEV originals (default 300)")
    parser.add_argument("--per-file", type=int, default=20, help="articles per INPUT (default 20)")
    parser.add_argument("--fast", action="store_true", help="hashing embedder instead of USE")
    parser.add_argument("--pg", help="PostgreSQL server URL (default: start pgserver)")
    args = parser.parse_args()

    env = {"NEWSDESK_EMBEDDING_MODEL": "hashing"} if args.fast else {}
    os.environ.update(env)  # Ray workers of a local Ray inherit it
    settings = load_settings(environ=env)
    folder = Path(tempfile.mkdtemp(prefix="scale-out-"))
    articles, copies = dev_corpus(args.articles)
    body = articles
    warmup = [str(DEMO_DIR / "archive.jsonl")]  # other articles: loads the models, folds nothing
    inputs = [str(write_jsonl(folder / f"part{n:03}.jsonl", body[i:i + args.per_file]))
              for n, i in enumerate(range(0, len(body), args.per_file))]

    def pg_url() -> str:
        if args.pg:
            import psycopg

            name = f"bench_{int(time.time() * 1000)}"
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')  # our own name: digits only
            return args.pg.rsplit("/", 1)[0] + "/" + name
        from tests.support.pg import fresh_database_url

        return fresh_database_url()

    rows = [
        run("in-process, SQLite", f"sqlite:///{folder / 'local.db'}", settings, "local", 0,
            warmup, inputs),
        run("in-process, PostgreSQL", pg_url(), settings, "local", 0, warmup, inputs),
        run("Ray 1 worker, PostgreSQL", pg_url(), settings, "ray", 1, warmup, inputs),
        run("Ray 2 workers, PostgreSQL", pg_url(), settings, "ray", 2, warmup, inputs),
    ]
    import ray

    print(describe_machine(f"ray {ray.__version__}"))
    print(f"{len(body)} DEV articles ({len(copies)} of them reprints) in {len(inputs)} JSONL "
          f"INPUTs of {args.per_file}; embedder "
          f"{'hashing' if args.fast else 'default (use-multilingual)'}\n")
    print(f"{'runner, store':<28}{'start s':>9}{'ingest s':>10}{'art/s':>8}{'serial s':>10}"
          f"{'serial %':>10}{'ceiling art/s':>15}")
    for r in rows:
        assert r["errors"] == 0 and r["created"] == len(body), r
        ceiling = r["created"] / r["serial"] if r["serial"] else float("inf")
        print(f"{r['label']:<28}{r['startup']:>9.1f}{r['wall']:>10.1f}{r['rate']:>8.1f}"
              f"{r['serial']:>10.1f}{100 * r['serial'] / r['wall']:>9.0f}%{ceiling:>15.0f}")
    alone, one, two = rows[1], rows[2], rows[3]
    # Per article: the commit when nothing else competes for the CPU (the in-process run commits
    # between its batches), and the rest on one CPU. On a cluster the driver and PostgreSQL have
    # their machine to themselves, so these, not the 2-worker run's contended commit, predict it.
    serial = alone["serial"] / alone["created"]
    parallel = max(alone["wall"] - alone["serial"], 0.0) / alone["created"]
    overhead = one["wall"] / alone["wall"] - 1
    print(f"\nRay: {two['rate'] / one['rate']:.2f}x from 1 to 2 workers on this {os.cpu_count()}-core "
          "machine, where the driver, PostgreSQL and the workers share the cores.")
    print(f"Serial part (commit under the lock): {1000 * serial:.1f} ms per article alone, "
          f"{1000 * two['serial'] / two['created']:.1f} ms beside 2 workers; the rest "
          f"{1000 * parallel:.1f} ms per article on one CPU; Ray 1 worker against in-process: "
          f"{100 * overhead:+.0f}% time.")
    cap = 1 / serial if serial else float("inf")
    print("Predicted articles/s with the driver and PostgreSQL on one machine and M added "
          "machines of 2 worker CPUs:")
    for machines in (1, 2, 4, 8, 16):
        workers = 2 * machines
        predicted = min(workers / parallel if parallel else float("inf"), cap)
        print(f"  {machines:>2} machine(s), {workers:>2} workers: {predicted:8.1f}"
              f"{'  (serial ceiling)' if predicted == cap else ''}")
    print(f"Each machine adds {2 / parallel:.1f} articles/s up to the ceiling of {cap:.0f} articles/s "
          "(one commit after another), whatever the cluster size.")

if __name__ == "__main__":
    main()
