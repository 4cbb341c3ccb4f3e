"""Prints body-text precision, recall and F1 of newsdesk's HTML extractor against trafilatura.

Reads the extraction benchmark from ../shared/datasets/extraction-benchmark beside the repo root
and scores each system with the benchmark's shingle metric (newsdesk/extract/evaluation.py):

    .venv/bin/python bench/extraction_quality.py               # DEV pages (ids 0-7): tune here
    .venv/bin/python bench/extraction_quality.py --split holdout  # the final independent check

Pages a second are single-process wall time of the extraction calls alone (no loading, no
scoring), so they depend on the machine named in the header.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import trafilatura

from newsdesk.extract.evaluation import (
    benchmark_dir,
    load_pages,
    newsdesk_body,
    run_system,
    trafilatura_body,
)

SYSTEMS = {
    "newsdesk": newsdesk_body,
    "trafilatura default": trafilatura_body(),
    "trafilatura include_comments=False": trafilatura_body(include_comments=False),
}

from machine import describe_machine  # noqa: E402  (bench/ is on sys.path)


def machine() -> str:
    """Returns one line naming the CPU, its cores and the versions that matter here."""
    return "machine: " + describe_machine(f"trafilatura {trafilatura.__version__}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "holdout"), default="dev")
    parser.add_argument("--data", type=Path, help="extraction-benchmark folder (default: shared)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # trafilatura logs a warning for every page it discards
    dataset = args.data or benchmark_dir(Path(__file__))
    try:
        pages = load_pages(dataset, args.split)
    except FileNotFoundError as err:
        print(f"extraction_quality: benchmark not found: {err}", file=sys.stderr)
        return 2
    print(machine())
    print(f"extraction-benchmark {args.split.upper()} split: {len(pages)} pages")
    print(f"{'system':<36} {'precision':>9} {'recall':>7} {'F1':>7} {'empty':>6} {'pages/s':>8}")
    for name, system in SYSTEMS.items():
        run = run_system(system, pages)
        s = run.scores
        rate = len(pages) / run.seconds if run.seconds else float("inf")
        print(f"{name:<36} {s.precision:9.4f} {s.recall:7.4f} {s.f1:7.4f} {s.empty:6d} {rate:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
