"""The Ray runner stores what the in-process runner stores: same articles, copies and stories.

Runs on a Ray cluster of one node with two worker CPUs (`ray start --head`, once for the module),
joined by the test process and, through Ray Client, by `newsdesk ingest --address ray://...`; on
SQLite and on a real PostgreSQL server (tests/support/pg.py). The input is real DEV articles (the WikiNews
handpicked set) with wire reprints and exact copies among them (tests/support/corpus.py) in four
JSONL files, plus the demo's page capture.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsdesk.config import load_settings
from newsdesk.demo import CAPTURED_AT, DEMO_DIR
from newsdesk.errors import ConfigError
from newsdesk.models import Article
from newsdesk.pipeline import Pipeline
from newsdesk.store import open_store
from tests.support.corpus import dev_corpus, write_jsonl

# Ray 2.60 secures a cluster started by `ray start` with a token (~/.ray/auth_token): whoever
# joins it needs token mode on, read when ray is imported (docs/scale-out.md). A local Ray
# started by ray.init turns it on for its process anyway.
RAY_ENV = {"RAY_AUTH_MODE": "token"}
os.environ.update(RAY_ENV)
ray = pytest.importorskip("ray")  # the test extra pins it: CI always has it

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
pytestmark = pytest.mark.skipif(not DATASETS.is_dir(), reason="../shared/datasets is absent")

# The hashing embedder keeps the run short; the stories step clusters with it whatever the
# setting, so stories and copies are those of the default configuration.
ENV = {"NEWSDESK_EMBEDDING_MODEL": "hashing"}
SETTINGS = load_settings(environ=ENV)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory):
    """A running Ray cluster of one node with 2 CPUs (`ray start --head`), joined by this
    process; yields its Ray Client address (ray://...). Stopping the blocking `ray start`
    stops every process it started."""
    folder = tmp_path_factory.mktemp("ray")
    gcs, client = _free_port(), _free_port()
    head = subprocess.Popen(
        [str(Path(sys.executable).parent / "ray"), "start", "--head", "--block", "--port", str(gcs),
         "--ray-client-server-port", str(client), "--num-cpus", "2", "--include-dashboard", "false",
         "--disable-usage-stats", "--temp-dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **RAY_ENV})
    try:
        for _ in range(120):  # the head takes a few seconds to listen
            try:
                socket.create_connection(("127.0.0.1", client), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        ray.init(address=f"127.0.0.1:{gcs}", log_to_driver=False, logging_level="WARNING")
        yield f"ray://127.0.0.1:{client}"
        ray.shutdown()
    finally:
        head.terminate()
        head.wait(timeout=60)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[list[str], dict[str, str]]:
    folder = tmp_path_factory.mktemp("corpus")
    articles, originals = dev_corpus(60)
    files = [write_jsonl(folder / f"part{i}.jsonl", articles[i::4]) for i in range(4)]
    return [*map(str, files), str(DEMO_DIR / "capture.txt")], originals


def _db_url(engine: str, tmp_path: Path, name: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / name}.db"
    from tests.support.pg import fresh_database_url

    return fresh_database_url()


def _snapshot(url: str) -> tuple[dict[str, dict], list[tuple[str, int]], set[frozenset[str]]]:
    """Returns every stored article, the stories (title, size) and the story partition."""
    with open_store(url) as store:
        articles = {a.id or "": a.to_dict() for a in store.iter_articles()}
        stories = sorted((s.title, s.articles) for s in store.list_stories(limit=10_000))
    groups: dict[str, set[str]] = {}
    for article_id, row in articles.items():
        groups.setdefault(row["story_id"], set()).add(article_id)
    return articles, stories, {frozenset(g) for g in groups.values()}


def _ingest(pipeline: Pipeline, inputs: list[str]) -> tuple[int, int, list[str]]:
    from datetime import datetime

    created = existing = 0
    errors: list[str] = []
    for outcome in pipeline.ingest_many(inputs, datetime.fromisoformat(CAPTURED_AT)):
        created, existing = created + outcome.created, existing + outcome.existing
        errors += outcome.errors
    return created, existing, errors


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_ray_runner_stores_what_the_local_runner_stores(local_ray, corpus, tmp_path, engine):
    from newsdesk.runners.ray import RayPipeline

    inputs, originals = corpus
    local_url, ray_url = _db_url(engine, tmp_path, "local"), _db_url(engine, tmp_path, "ray")
    with open_store(local_url) as store:
        local = _ingest(Pipeline(SETTINGS, store=store), inputs)
    with open_store(ray_url) as store:
        pipeline = RayPipeline(SETTINGS, store, batch_size=8)
        try:
            remote = _ingest(pipeline, inputs)
            again = _ingest(pipeline, inputs[:2])  # a re-ingest stores nothing new
        finally:
            pipeline.close()
    assert ray.is_initialized()  # a Ray the runner did not start is left running
    assert local == remote and local[2] == [] and local[0] > 80
    assert again[0] == 0 and again[1] > 0
    want, got = _snapshot(local_url), _snapshot(ray_url)
    assert got[0] == want[0]  # every field of every article, story_id and duplicate_of included
    assert got[1] == want[1] and got[2] == want[2]
    # The input really holds copies and stories to get right.
    found = {a: row["duplicate_of"] for a, row in got[0].items() if a in originals}
    assert sum(found[a] == originals[a] for a in found) >= 0.9 * len(originals)
    assert len(got[2]) < len(got[0]) - len(originals)


class PidStep:
    """An outside stateless step: notes the process that ran it, and the store it was given."""

    name = "pid"

    def enrich(self, articles: list[Article], store) -> None:
        for article in articles:
            article.keywords = [f"pid:{os.getpid()}", f"store:{store is not None}"]


def test_stateless_steps_run_in_several_worker_processes(local_ray, corpus, tmp_path):
    from newsdesk.runners.ray import RayPipeline

    with open_store(f"sqlite:///{tmp_path / 'pids.db'}") as store:
        pipeline = RayPipeline(SETTINGS, store, enrichers=[PidStep()], batch_size=4)
        try:
            created, _, errors = _ingest(pipeline, corpus[0][:2])
        finally:
            pipeline.close()
        keywords = [tuple(a.keywords) for a in store.iter_articles()]
    assert created > 20 and errors == []
    pids = {k[0] for k in keywords}
    assert len(pids) >= 2 and f"pid:{os.getpid()}" not in pids  # workers, not the driver
    assert {k[1] for k in keywords} == {"store:False"}  # workers never see the database


def _demo_feeds(srv) -> list[str]:
    """Serves the demo pages as two feeds on two host names; returns the feed URLs."""
    pages = sorted((DEMO_DIR / "pages").glob("*.html"))
    urls = []
    for k, host in enumerate(("127.0.0.1", "localhost")):
        base = srv.url("/").replace("127.0.0.1", host).rstrip("/")
        mine = pages[k::2]
        for page in mine:
            srv.route(f"/news/{page.stem}", body=page.read_bytes(), headers={"Content-Type": "text/html"})
        items = "".join(f"<item><title>{p.stem}</title><link>{base}/news/{p.stem}</link>"
                        f"<guid>{p.stem}</guid></item>" for p in mine)
        srv.route(f"/feed{k}.xml", headers={"Content-Type": "application/rss+xml"}, body=(
            f"<?xml version='1.0'?><rss version='2.0'><channel><title>Wire {k}</title>"
            f"<link>{base}/</link><description>demo</description>{items}</channel></rss>"))
        urls.append(f"{base}/feed{k}.xml")
    return urls


def test_crawl_on_ray_polls_feeds_at_once_and_stores_what_the_local_runner_stores(
        local_ray, http_server, tmp_path):
    from newsdesk.crawl import Crawler
    from newsdesk.runners.ray import RayPipeline

    feed_urls = _demo_feeds(http_server)
    settings = load_settings(environ={**ENV, "NEWSDESK_FETCH_ALLOW_NETWORKS": "127.0.0.0/8",
                                      "NEWSDESK_FETCH_HOST_DELAY": "0"})
    urls = {r: f"sqlite:///{tmp_path / r}.db" for r in ("local", "ray")}
    results = {}
    for runner, url in urls.items():
        with open_store(url) as store:
            pipeline = (Pipeline(settings, store=store) if runner == "local"
                        else RayPipeline(settings, store, batch_size=2))
            try:
                due = [store.add_feed(u) for u in feed_urls]
                results[runner] = list(pipeline.poll_feeds(Crawler(pipeline), due))
            finally:
                pipeline.close()
    assert [(r.status, r.error) for r in results["ray"]] == [("fetched", None)] * 2
    assert [r.created for r in results["ray"]] == [r.created for r in results["local"]]
    local, remote = _snapshot(urls["local"])[0], _snapshot(urls["ray"])[0]
    assert sum(r.created for r in results["ray"]) == len(remote) >= 10
    # The two feeds commit in either order on Ray: the same articles and the same originals;
    # every copy is in its original's story.
    assert {a: row["duplicate_of"] for a, row in remote.items()} == {
        a: row["duplicate_of"] for a, row in local.items()}
    copies = [row for row in remote.values() if row["duplicate_of"]]
    assert copies and all(row["story_id"] == remote[row["duplicate_of"]]["story_id"] for row in copies)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsdesk", *args], capture_output=True, text=True,
                          env={**os.environ, **ENV, **(env or {})}, timeout=300, cwd=ROOT)


def test_cli_ingest_on_a_local_ray_equals_the_local_runner(tmp_path):
    capture = str(DEMO_DIR / "capture.txt")
    archive = str(DEMO_DIR / "archive.jsonl")
    urls = {r: f"sqlite:///{tmp_path / r}.db" for r in ("local", "ray")}
    local = _cli("ingest", "--db", urls["local"], "--captured-at", CAPTURED_AT, capture, archive)
    remote = _cli("ingest", "--db", urls["ray"], "--captured-at", CAPTURED_AT, "--runner", "ray",
                  "--workers", "2", capture, archive)
    assert local.returncode == 0 and remote.returncode == 0, remote.stderr[-2000:]
    assert "12 new article(s)" in remote.stderr.splitlines()[-1]
    assert _snapshot(urls["ray"]) == _snapshot(urls["local"])


def test_cli_ingest_joins_a_running_cluster_through_ray_client(local_ray, tmp_path):
    archive = str(DEMO_DIR / "archive.jsonl")
    urls = {r: f"sqlite:///{tmp_path / r}.db" for r in ("local", "ray")}
    local = _cli("ingest", "--db", urls["local"], archive)
    remote = _cli("ingest", "--db", urls["ray"], "--runner", "ray", "--address", local_ray, archive,
                  env=RAY_ENV)
    assert local.returncode == 0 and remote.returncode == 0, remote.stderr[-2000:]
    assert "6 new article(s)" in remote.stderr.splitlines()[-1]
    assert _snapshot(urls["ray"]) == _snapshot(urls["local"])
    assert ray.is_initialized()  # the cluster outlives the driver that joined it


def test_cli_names_an_unreachable_cluster_in_one_line(tmp_path):
    done = _cli("ingest", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--runner", "ray",
                "--address", "127.0.0.1:1", str(DEMO_DIR / "archive.jsonl"))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "newsdesk: runner: cannot reach Ray at 127.0.0.1:1: Connection refused"]
    done = _cli("ingest", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--workers", "2",
                str(DEMO_DIR / "archive.jsonl"))
    assert done.returncode == 1 and "--address and --workers need --runner ray" in done.stderr
    done = _cli("ingest", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--runner", "ray", "--address",
                "auto", "--workers", "2", str(DEMO_DIR / "archive.jsonl"))
    assert done.returncode == 1 and "--workers sizes a local Ray" in done.stderr


def test_a_missing_ray_names_the_extra(monkeypatch):
    from newsdesk.runners.ray import ray_module

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    with pytest.raises(ConfigError, match=r"pip install 'newsdesk\[ray\]'"):
        ray_module()


def test_a_client_server_that_fails_to_start_is_asked_again(monkeypatch):
    # Ray Client's head forks one server per client, and under load the fork can die at once;
    # the driver then connects again (a new fork) instead of giving up the run.
    from newsdesk.runners import ray as runner

    class FlakyRay:
        def __init__(self, failures: int, message: str):
            self.failures, self.message, self.calls, self.shutdowns = failures, message, 0, 0

        def init(self, **kwargs):
            self.calls += 1
            if self.calls <= self.failures:
                raise ConnectionAbortedError(self.message)

        def shutdown(self):
            self.shutdowns += 1

    monkeypatch.setattr(runner.time, "sleep", lambda s: None)
    flaky = FlakyRay(2, "Initialization failure from server:\nTraceback ...")
    runner._init_client(flaky, "ray://127.0.0.1:10001")
    assert (flaky.calls, flaky.shutdowns) == (3, 2)
    hopeless = FlakyRay(9, "Initialization failure from server:\nTraceback ...")
    with pytest.raises(ConnectionAbortedError):
        runner._init_client(hopeless, "ray://127.0.0.1:10001")
    assert hopeless.calls == runner.CLIENT_ATTEMPTS
    refused = FlakyRay(1, "token authentication failed")
    with pytest.raises(ConnectionAbortedError):
        runner._init_client(refused, "ray://127.0.0.1:10001")
    assert refused.calls == 1
