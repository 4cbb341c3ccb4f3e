"""Fuzzes the parsers of untrusted input with atheris (coverage-guided libFuzzer) and prints a table.

    python bench/fuzz.py [--runs 200000] [--targets html,capture,feed,...] [--seconds 0]
    python bench/fuzz.py --runs feed=150000,opml=250000,html=40000 --targets feed,opml,html

Each target runs in its own process, seeded with the project's test pages, feeds and captures, the
demo news and feedparser's ill-formed feeds (``../shared/datasets/feeds-badinput``), so the
mutations start from real documents. An input passes when the parser returns or raises one of
newsdesk's own errors (a clean one-line refusal); any other exception, a hang over the per-input
timeout or memory over the limit is a finding: libFuzzer stops, saves the input under
``bench/fuzz-findings/`` and the table marks the target FAIL.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.machine import describe_machine  # noqa: E402

TARGETS = ("document", "html", "capture", "feed", "opml", "jsonl", "htmltext")
MAX_LEN = 65_536  # bytes an input may grow to; pages over it are tested in tests/, not here
FINDINGS = ROOT / "bench" / "fuzz-findings"


def _seed_files(target: str) -> list[Path]:
    tests = ROOT / "tests" / "data"
    demo = ROOT / "newsdesk" / "demo"
    shared = ROOT.parent / "shared" / "datasets"
    html = sorted((tests / "html").glob("*.html")) + sorted((demo / "pages").glob("*.html"))
    feeds = (sorted((tests / "feeds").glob("*.*ml")) + sorted((tests / "feeds").glob("*.rdf"))
             + sorted((tests / "feeds").glob("*.json")) + [demo / "feed.xml", demo / "feed.json"]
             + sorted((shared / "feeds-badinput").rglob("*.xml"))[:400])
    captures = sorted((tests / "captures").glob("*.txt")) + [demo / "capture.txt"]
    by_target = {
        "document": html + feeds[:20] + captures + [demo / "archive.jsonl"],
        "html": html + _benchmark_pages(shared, 20),
        "capture": captures,
        "feed": feeds,
        "opml": sorted((tests / "feeds").glob("*.opml")),
        "jsonl": [demo / "archive.jsonl"],
        "htmltext": html,
    }
    return [p for p in by_target[target] if p.is_file()]


def _benchmark_pages(shared: Path, limit: int) -> list[Path]:
    """Returns a few DEV pages of the extraction benchmark, unpacked into a temporary folder."""
    pages = sorted((shared / "extraction-benchmark" / "html").glob("[0-7]*.html.gz"))[:limit]
    out = Path(tempfile.mkdtemp(prefix="newsdesk-fuzz-pages-"))
    for page in pages:
        (out / page.name[:-3]).write_bytes(gzip.decompress(page.read_bytes())[:MAX_LEN])
    return sorted(out.iterdir())


# -- the worker: one target in this process ----------------------------------------------------
def _one_input(target: str):
    """Returns the function libFuzzer calls with each input for ``target``."""
    from newsdesk.errors import NewsdeskError
    from newsdesk.extract import extract_document
    from newsdesk.extract.capture import split_capture
    from newsdesk.ingest.feeds import parse_feed
    from newsdesk.ingest.htmltext import html_to_text
    from newsdesk.ingest.jsonl import read_jsonl
    from newsdesk.ingest.opml import parse_opml
    from newsdesk.models import RawDocument

    captured = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)

    def run(data: bytes) -> None:
        try:
            if target == "document":
                extract_document(RawDocument("fuzz", data, captured_at=captured))
            elif target == "html":
                extract_document(RawDocument("fuzz.html", data, content_type="text/html",
                                             captured_at=captured))
            elif target == "capture":
                split_capture(data.decode("utf-8", "replace"), captured, "fuzz.txt")
            elif target == "feed":
                parse_feed(data, "https://example.com/feed", None, None, source="fuzz.xml")
            elif target == "opml":
                parse_opml(data, "fuzz.opml")
            elif target == "jsonl":
                for _ in read_jsonl(data, "fuzz.jsonl"):
                    pass
            elif target == "htmltext":
                html_to_text(data.decode("utf-8", "replace"))
        except NewsdeskError as exc:
            message = str(exc)
            # A refusal is one line that names the input: anything else is a finding too.
            if "\n" in message or not message:
                raise AssertionError(f"refusal is not one line: {message!r}") from exc

    return run


def _worker(target: str, runs: int, seconds: int, corpus: Path) -> None:
    import atheris

    with atheris.instrument_imports(include=["newsdesk"]):
        run = _one_input(target)
    FINDINGS.mkdir(parents=True, exist_ok=True)
    args = [sys.argv[0], str(corpus), f"-runs={runs}", f"-max_len={MAX_LEN}", "-timeout=20",
            "-rss_limit_mb=4096", f"-artifact_prefix={FINDINGS}/{target}-", "-print_final_stats=1"]
    if seconds:
        args.append(f"-max_total_time={seconds}")
    atheris.Setup(args, run)
    atheris.Fuzz()


# -- the driver ----------------------------------------------------------------------------------
_RUNS = re.compile(r"stat::number_of_executed_units:\s*(\d+)")
_COV = re.compile(r"cov: (\d+)")


def _fuzz(target: str, runs: int, seconds: int) -> dict:
    corpus = Path(tempfile.mkdtemp(prefix=f"newsdesk-fuzz-{target}-"))
    for i, seed in enumerate(_seed_files(target)):
        shutil.copyfile(seed, corpus / f"seed-{i:04d}")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--worker", target, "--runs", str(runs),
                           "--seconds", str(seconds), "--corpus", str(corpus)],
                          capture_output=True, text=True, errors="replace")
    elapsed = time.perf_counter() - start
    log = proc.stderr
    executed = int(_RUNS.findall(log)[-1]) if _RUNS.findall(log) else 0
    coverage = int(_COV.findall(log)[-1]) if _COV.findall(log) else 0
    shutil.rmtree(corpus, ignore_errors=True)
    finding = ""
    if proc.returncode != 0:
        tail = [line for line in log.splitlines() if "Error" in line or "==" in line]
        finding = (tail[0] if tail else log.strip().splitlines()[-1])[:120]
    return {"target": target, "seeds": len(_seed_files(target)), "runs": executed,
            "seconds": elapsed, "coverage": coverage, "ok": proc.returncode == 0,
            "finding": finding}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="200000",
                        help="inputs per target: one number, or target=N pairs separated by commas")
    parser.add_argument("--seconds", type=int, default=0, help="time cap per target (0: none)")
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker, int(args.runs), args.seconds, Path(args.corpus))
        return 0
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    runs = _runs_per_target(args.runs, targets)
    print(describe_machine(f"atheris {_version('atheris')}"))
    print(f"{'target':<10} {'seeds':>6} {'inputs':>10} {'seconds':>8} {'inputs/s':>9} "
          f"{'edges':>6}  result")
    total, failed = 0, 0
    for target in targets:
        row = _fuzz(target, runs[target], args.seconds)
        total += row["runs"]
        failed += not row["ok"]
        rate = row["runs"] / row["seconds"] if row["seconds"] else 0.0
        print(f"{row['target']:<10} {row['seeds']:>6} {row['runs']:>10,} {row['seconds']:>8.0f} "
              f"{rate:>9,.0f} {row['coverage']:>6}  {'ok' if row['ok'] else 'FAIL ' + row['finding']}",
              flush=True)
    print(f"{'total':<10} {'':>6} {total:>10,}   {failed} target(s) with findings")
    return 1 if failed else 0


def _runs_per_target(spec: str, targets: list[str]) -> dict[str, int]:
    """Returns the inputs each target runs, from "N" (every target) or "target=N,..." pairs."""
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        raise SystemExit(f"fuzz: unknown target(s) {', '.join(unknown)}; known: {', '.join(TARGETS)}")
    if "=" not in spec:
        return {t: int(spec) for t in targets}
    pairs = dict(part.split("=", 1) for part in spec.split(",") if part.strip())
    missing = [t for t in targets if t not in pairs]
    if missing:
        raise SystemExit(f"fuzz: --runs gives no count for {', '.join(missing)}")
    return {t: int(pairs[t]) for t in targets}


def _version(name: str) -> str:
    from importlib.metadata import version

    try:
        return version(name)
    except Exception:  # noqa: BLE001 - a missing package only blanks the header
        return "?"


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
