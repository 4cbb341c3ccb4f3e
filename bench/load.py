"""Serves readers while ingest writes: prints page latency and errors of many concurrent readers on
a real `newsdesk serve` (uvicorn) process while `newsdesk ingest` runs at full speed in another
process, and checks that every ingested article is stored exactly once.

    .venv/bin/python bench/load.py                           # 100 readers, ingest for >= 60 s
    .venv/bin/python bench/load.py --readers 20 --seconds 15

The database starts as the demo; the ingest corpus is DEV stories of neus_allsides (train split,
title and lead of each article) as JSONL parts of 20 articles, so each part is one batch
transaction. Ingest runs `newsdesk ingest` processes one after another over the next parts until
``--seconds`` have passed, each one to its end (never killed), so the articles it was given are
the articles that must be there. Readers (asyncio + httpx, one keep-alive connection each) cycle
through the home page, an article page, a story page and a search, picking article and story ids
from what the database holds at that moment (fresh ingests included). Every response must be a
200; the server's log must hold no traceback and no "database is locked".
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.machine import describe_machine  # noqa: E402

PART_SIZE = 20  # articles per JSONL part: one ingest batch each
PARTS_PER_RUN = 5  # parts one ingest process takes before the next one starts
SEARCH_WORDS = ("election", "court", "president", "climate", "police", "vaccine", "border", "tax")


@dataclass
class LoadResult:
    """What one load run measured and found."""

    readers: int
    seconds: float  # how long ingest and readers ran together
    latencies: dict[str, list[float]] = field(default_factory=dict)  # page kind -> seconds
    errors: list[str] = field(default_factory=list)  # one line per failed response (first 20)
    error_count: int = 0
    ingest_runs: int = 0
    ingest_failures: list[str] = field(default_factory=list)
    expected_ids: set[str] = field(default_factory=set)  # every article that must be stored
    stored: int = 0  # rows in articles at the end
    missing: list[str] = field(default_factory=list)
    duplicate_urls: int = 0
    integrity: str = ""
    log_problems: list[str] = field(default_factory=list)  # server/ingest log lines that alarm

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())


# -- the corpus ----------------------------------------------------------------------------------
def write_corpus(folder: Path, articles: int) -> list[tuple[Path, list[str]]]:
    """Writes up to ``articles`` DEV articles as JSONL parts; returns (path, ids) per part."""
    from newsdesk.enrich.evaluation import load_story_set

    folder.mkdir(parents=True, exist_ok=True)
    chosen = load_story_set("neus-train").articles[:articles]
    parts = []
    for start in range(0, len(chosen), PART_SIZE):
        path = folder / f"part{start // PART_SIZE:05d}.jsonl"
        batch = chosen[start:start + PART_SIZE]
        with path.open("w", encoding="utf-8") as out:
            for article in batch:
                out.write(json.dumps(article.to_dict(("id", "title", "text")),
                                     ensure_ascii=False) + "\n")
        parts.append((path, [a.id for a in batch]))
    return parts


# -- processes -----------------------------------------------------------------------------------
def _env(tmp: Path) -> dict[str, str]:
    config = tmp / "none.toml"
    config.write_text("")  # the user's own config file must not change the run
    return {**os.environ, "NEWSDESK_CONFIG": str(config), "PYTHONHASHSEED": "0"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: str, tmp: Path) -> tuple[subprocess.Popen, str]:
    """Starts `newsdesk serve` on a free port; returns the process and its base URL."""
    port = _free_port()
    log = open(tmp / "server.log", "wb")  # noqa: SIM115  (the child keeps its own descriptor)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "newsdesk", "serve", "--db", db, "--port",
                                 str(port)], cwd=ROOT, env=_env(tmp), stdout=log,
                                stderr=subprocess.STDOUT)
    finally:
        log.close()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with httpx.Client(timeout=5) as client:
                if client.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    return proc, f"http://127.0.0.1:{port}"
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"load: the server exited: {(tmp / 'server.log').read_text()[-500:]}")
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError("load: the server did not answer /healthz within 120 s")


def _ingest_loop(db: str, parts: list[tuple[Path, list[str]]], seconds: float, tmp: Path,
                 result: LoadResult, done: threading.Event) -> None:
    """Runs ingest processes over the next parts until ``seconds`` pass; each runs to its end."""
    env = _env(tmp)
    stop = time.monotonic() + seconds
    try:
        for run in itertools.count():
            chunk = parts[run * PARTS_PER_RUN:(run + 1) * PARTS_PER_RUN]
            if not chunk or time.monotonic() >= stop:
                break
            for _, ids in chunk:
                result.expected_ids.update(ids)
            proc = subprocess.run([sys.executable, "-m", "newsdesk", "ingest", "--db", db,
                                   *(str(p) for p, _ in chunk)], cwd=ROOT, env=env,
                                  capture_output=True, text=True, errors="replace")
            result.ingest_runs += 1
            if proc.returncode != 0:
                result.ingest_failures.append(f"exit {proc.returncode}: "
                                              f"{proc.stderr.strip().splitlines()[-1:]}")
            result.log_problems += [line for line in proc.stderr.splitlines()
                                    if "Traceback" in line or "locked" in line]
    finally:
        done.set()


# -- readers -------------------------------------------------------------------------------------
class _Pool:
    """Article and story ids readers pick from, refreshed from the database as ingest adds."""

    def __init__(self, path: Path):
        self.path = path
        self.articles: list[str] = []
        self.stories: list[str] = []

    def refresh(self) -> None:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        try:
            rows = conn.execute("SELECT id, story_id FROM articles ORDER BY rowid DESC "
                                "LIMIT 200").fetchall()
        finally:
            conn.close()
        self.articles = [r[0] for r in rows]
        self.stories = sorted({r[1] for r in rows if r[1]})


async def _read(base: str, readers: int, pool: _Pool, done: threading.Event,
                result: LoadResult) -> None:
    limits = httpx.Limits(max_connections=readers, max_keepalive_connections=readers)
    kinds = ("home", "article", "story", "search")
    for kind in kinds:
        result.latencies[kind] = []

    async def refresher() -> None:
        while not done.is_set():
            await asyncio.to_thread(pool.refresh)
            await asyncio.sleep(0.5)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
        async def reader(n: int) -> None:
            for turn in itertools.count(n):
                if done.is_set():
                    return
                kind = kinds[turn % len(kinds)]
                if kind == "home":
                    path = "/"
                elif kind == "article" and pool.articles:
                    path = f"/articles/{pool.articles[turn % len(pool.articles)]}"
                elif kind == "story" and pool.stories:
                    path = f"/stories/{pool.stories[turn % len(pool.stories)]}"
                else:
                    kind, path = "search", f"/search?q={SEARCH_WORDS[turn % len(SEARCH_WORDS)]}"
                started = time.perf_counter()
                try:
                    response = await client.get(path)
                    problem = None if response.status_code == 200 else \
                        f"{path}: HTTP {response.status_code}"
                except httpx.TransportError as exc:
                    problem = f"{path}: {type(exc).__name__}: {exc}"
                result.latencies[kind].append(time.perf_counter() - started)
                if problem:
                    result.error_count += 1
                    if len(result.errors) < 20:
                        result.errors.append(problem)

        refresh = asyncio.create_task(refresher())
        await asyncio.gather(*(reader(n) for n in range(readers)))
        await refresh


# -- one run -------------------------------------------------------------------------------------
def run_load(tmp: Path, readers: int, seconds: float, articles: int) -> LoadResult:
    """Seeds a demo database, serves it, and runs ``readers`` against it while ingest runs for
    at least ``seconds``; returns what was measured and what the final database holds."""
    from newsdesk.demo import CAPTURED_AT, demo_inputs

    path = tmp / "load.db"
    db = f"sqlite:///{path}"
    subprocess.run([sys.executable, "-m", "newsdesk", "ingest", "--db", db, "--captured-at",
                    CAPTURED_AT, *[str(p) for p in demo_inputs()]], cwd=ROOT, env=_env(tmp),
                   check=True, capture_output=True)
    parts = write_corpus(tmp / "corpus", articles)
    result = LoadResult(readers=readers, seconds=0.0)
    pool = _Pool(path)
    pool.refresh()
    result.expected_ids.update(pool.articles)
    proc, base = start_server(db, tmp)
    done = threading.Event()
    try:
        ingest = threading.Thread(target=_ingest_loop, args=(db, parts, seconds, tmp, result, done))
        started = time.monotonic()
        ingest.start()
        asyncio.run(_read(base, readers, pool, done, result))
        ingest.join()
        result.seconds = time.monotonic() - started
    finally:
        done.set()
        proc.terminate()
        proc.wait(timeout=60)
    server_log = (tmp / "server.log").read_text(errors="replace").splitlines()
    result.log_problems += [line for line in server_log
                            if "Traceback" in line or "locked" in line or " 500 " in line]
    _check_store(path, result)
    return result


def _check_store(path: Path, result: LoadResult) -> None:
    conn = sqlite3.connect(path)
    try:
        result.integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        ids = [r[0] for r in conn.execute("SELECT id FROM articles")]
        result.stored = len(ids)
        result.missing = sorted(result.expected_ids - set(ids))
        result.duplicate_urls = conn.execute(
            "SELECT count(*) FROM (SELECT url FROM articles WHERE url IS NOT NULL GROUP BY url "
            "HAVING count(*) > 1)").fetchone()[0]
    finally:
        conn.close()


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def print_table(result: LoadResult) -> None:
    import newsdesk

    print(f"machine: {describe_machine(f'newsdesk {newsdesk.__version__}')}")
    print(f"{result.readers} readers on one uvicorn process for {result.seconds:.0f} s while "
          f"{result.ingest_runs} ingest process(es) ran back to back "
          f"({len(result.expected_ids)} articles expected)")
    print(f"{'page':<10}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'max ms':>9}")
    everything = [x for values in result.latencies.values() for x in values]
    for kind, values in [*result.latencies.items(), ("all", everything)]:
        print(f"{kind:<10}{len(values):>9}{len(values) / max(result.seconds, 1e-9):>8.1f}"
              f"{_pct(values, 0.50):>9.0f}{_pct(values, 0.95):>9.0f}{_pct(values, 0.99):>9.0f}"
              f"{(max(values) * 1000 if values else float('nan')):>9.0f}")
    print(f"error responses: {result.error_count}; ingest failures: {len(result.ingest_failures)}; "
          f"stored {result.stored} of {len(result.expected_ids)} expected, "
          f"missing {len(result.missing)}, duplicate URLs {result.duplicate_urls}, "
          f"integrity {result.integrity}; alarming log lines: {len(result.log_problems)}")
    for line in (result.errors + result.ingest_failures + result.log_problems)[:20]:
        print(f"  {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=100, help="concurrent readers (100)")
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="least seconds ingest keeps running (60)")
    parser.add_argument("--articles", type=int, default=6000,
                        help="most articles the ingest corpus holds (6000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsdesk-load-") as tmp_name:
        result = run_load(Path(tmp_name), args.readers, args.seconds, args.articles)
    print_table(result)
    ok = (result.error_count == 0 and not result.missing and not result.ingest_failures
          and not result.log_problems and result.integrity == "ok" and not result.duplicate_urls)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
