"""Prints requests per second and p50/p95/p99 latency of the home, story and article pages at
50 concurrent clients, against a real `newsdesk serve` (uvicorn) process on the demo database.

    .venv/bin/python bench/web.py                   # 20 s per page, 50 clients
    .venv/bin/python bench/web.py --seconds 5 --clients 10

The load comes from a small asyncio client (httpx, one keep-alive connection per client) in
this process; on a small machine the client shares the CPUs with the server, so the figures
are what the server does with the cores left to it, a floor rather than a ceiling. Pages are
fetched anonymously (the cache-free path every reader hits); every response must be a 200.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from machine import describe_machine  # noqa: E402  (bench/ is on sys.path)

import newsdesk
from newsdesk.cli import main as cli
from newsdesk.demo import CAPTURED_AT, demo_inputs
from newsdesk.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(db: str, tmp: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    (tmp / "none.toml").write_text("")
    env = {**os.environ, "NEWSDESK_CONFIG": str(tmp / "none.toml")}
    log = open(tmp / "server.log", "wb")  # noqa: SIM115  (closed with the temporary folder)
    proc = subprocess.Popen([sys.executable, "-m", "newsdesk", "serve", "--db", db, "--port",
                             str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("bench: the server did not start") from None
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("bench: the server did not start within 60 s")


async def _load(base: str, path: str, clients: int, seconds: float) -> tuple[int, list[float]]:
    """Runs ``clients`` loops fetching ``path`` for ``seconds``; returns (errors, latencies)."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        for _ in range(20):  # warm up: worker threads, SQLite connections, template cache
            await client.get(path)
        stop = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                started = time.perf_counter()
                try:
                    response = await client.get(path)
                    ok = response.status_code == 200
                except httpx.TransportError:  # a dropped connection counts, and the run goes on
                    ok = False
                latencies.append(time.perf_counter() - started)
                errors += not ok

        await asyncio.gather(*(worker() for _ in range(clients)))
    return errors, latencies


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="load per page (default 20)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db = f"sqlite:///{tmp / 'demo.db'}"
        assert cli(["ingest", "--db", db, "--captured-at", CAPTURED_AT,
                    *[str(p) for p in demo_inputs()]]) == 0
        with open_store(db) as store:
            story = max(store.list_stories(100), key=lambda s: s.articles)
            article = store.story_articles(story.id)[0]
            count = store.count_articles()
        pages = [("home", "/"), (f"story ({story.articles} articles)", f"/stories/{story.id}"),
                 ("article", f"/articles/{article.id}")]
        proc, base = _start(db, tmp)
        try:
            print(f"machine: {describe_machine(f'newsdesk {newsdesk.__version__}')}")
            print(f"demo database: {count} articles; {args.clients} clients, {args.seconds:g} s "
                  "per page, one uvicorn process")
            print(f"{'page':<24}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
                  f"{'p99 ms':>9}{'errors':>8}")
            for name, path in pages:
                errors, lat = asyncio.run(_load(base, path, args.clients, args.seconds))
                print(f"{name:<24}{len(lat):>9}{len(lat) / args.seconds:>9.1f}"
                      f"{_pct(lat, 0.50):>9.1f}{_pct(lat, 0.95):>9.1f}{_pct(lat, 0.99):>9.1f}"
                      f"{errors:>8}")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            server_log = (tmp / "server.log").read_text(errors="replace").strip().splitlines()
            if any("Error" in line or "Traceback" in line for line in server_log):
                print("server log (last lines):", *server_log[-8:], sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
