"""Benchmarks ingest throughput: pages/second through newsdesk's extract + store on real pages,
beside trafilatura alone on the same pages.

    .venv/bin/python bench/ingest.py [--repeat 3] [--split dev]

Pages: the extraction benchmark's DEV pages (../shared/datasets/extraction-benchmark, ids whose
first hex digit is 0-7). Each configuration runs ``--repeat`` times; the best run is reported
(the least disturbed by other load on the machine).
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsdesk.config import load_settings  # noqa: E402
from newsdesk.pipeline import Pipeline  # noqa: E402
from newsdesk.store import open_store  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets" / "extraction-benchmark"

from machine import describe_machine  # noqa: E402  (bench/ is on sys.path)


def machine() -> str:
    """Returns one line naming the CPU, its cores and the versions that matter here."""
    return describe_machine(f"trafilatura {trafilatura.__version__}")


def load_pages(split: str) -> list[tuple[str, bytes]]:
    digits = "01234567" if split == "dev" else "89abcdef"
    pages = []
    for path in sorted((DATA / "html").glob("*.html.gz")):
        if path.name[0] in digits:
            pages.append((path.name, gzip.decompress(path.read_bytes())))
    return pages


def run_newsdesk(pages: list[tuple[str, bytes]]) -> float:
    """Ingests each page as a file, as `newsdesk ingest` does: read, extract, store."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, html in pages:
            path = Path(tmp) / name.removesuffix(".gz")
            path.write_bytes(html)
            paths.append(str(path))
        settings = load_settings(environ={})
        with open_store(f"sqlite:///{tmp}/bench.db") as store:
            pipeline = Pipeline(settings, store=store, enrichers=[])
            start = time.perf_counter()
            for path in paths:
                pipeline.ingest(path)
            return time.perf_counter() - start


def run_trafilatura(pages: list[tuple[str, bytes]]) -> float:
    start = time.perf_counter()
    for _, html in pages:
        trafilatura.extract(html)
    return time.perf_counter() - start


def best_of(fn, pages, repeat: int) -> float:
    return min(fn(pages) for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--split", choices=("dev",), default="dev")
    args = parser.parse_args()
    pages = load_pages(args.split)
    if not pages:
        sys.exit(f"no pages under {DATA}")
    megabytes = sum(len(h) for _, h in pages) / 1e6
    t_traf = best_of(run_trafilatura, pages, args.repeat)
    t_news = best_of(run_newsdesk, pages, args.repeat)
    print(f"machine: {machine()}")
    print(f"pages: {len(pages)} DEV pages, {megabytes:.1f} MB of HTML; best of {args.repeat} runs\n")
    print(f"| {'configuration':<40} | {'seconds':>8} | {'pages/s':>8} | {'ms/page':>8} |")
    print(f"|{'-' * 42}|{'-' * 10}|{'-' * 10}|{'-' * 10}|")
    for label, t in (("trafilatura.extract alone", t_traf),
                     ("newsdesk extract + store (SQLite, WAL)", t_news)):
        print(f"| {label:<40} | {t:>8.2f} | {len(pages) / t:>8.1f} | {1000 * t / len(pages):>8.1f} |")
    print(f"\nratio newsdesk / trafilatura throughput: {t_traf / t_news:.2f}")


if __name__ == "__main__":
    main()
