"""Runs the pipeline on Ray: extraction and the stateless enrichers as Ray tasks, in batches;
the ordered steps and the writes in this process, under ``Store.exclusive()``, in input order.

The driver (this process) reads each INPUT (local files are not on the cluster's machines, and
one fetcher keeps the per-host politeness delay), then hands the raw document to a task that
extracts it (and fetches the pages of a feed's entries, one feed per task, so one host is asked
one page at a time). The new articles of each INPUT go out again in batches of ``batch_size``
to tasks that run the stateless steps (embeddings, entities, keywords, summaries). Back in the
driver, each INPUT is committed as the in-process runner commits it (``Pipeline.commit``: the
copies and stories steps, then ``save_articles``, under the lock), in input order and with the
same batch boundaries, so the stored articles, copies and stories equal the in-process ones.
While one INPUT commits, the tasks of the next ``window`` INPUTs run.

Workers never open the database: a task gets a document or articles and returns articles.
Each worker process builds its steps once (``_worker_pipeline``) and keeps the models loaded.
``crawl`` runs through the same class: ``entry_articles`` and ``enrich_stateless`` are overridden.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import urlsplit

from ..errors import ConfigError, NewsdeskError
from ..ingest import feeds
from ..ingest.sources import is_url
from ..models import Article, Feed, FeedEntry, RawDocument
from ..pipeline import Outcome, Pipeline

if TYPE_CHECKING:
    from ..config import Settings
    from ..crawl import Crawler, PollResult
    from ..enrich import Enricher
    from ..store import Store

__all__ = ["RayPipeline", "BATCH_SIZE", "ray_module"]

log = logging.getLogger(__name__)

# Articles per enrichment task (not swept): small enough that a 20-article INPUT feeds two
# workers, large enough that Ray's per-task cost stays small beside the batch's stateless
# steps, ~90 ms per article with the default embedder (bench/scale_out.py: DEV WikiNews and
# ECB+ articles, 2-core AMD EPYC).
BATCH_SIZE = 16
# Seconds to wait for a TCP connection to a Ray head before calling it unreachable.
CONNECT_TIMEOUT = 5.0


def ray_module() -> Any:
    """Returns the ``ray`` module, or raises a one-line ConfigError naming the extra."""
    try:
        import ray
    except ImportError:
        raise ConfigError("runner: --runner ray needs Ray; install it with "
                          "pip install 'newsdesk[ray]'") from None
    return ray


# -- worker side: plain functions that Ray runs as tasks -----------------------------------------
_PIPELINES: dict[str, Pipeline] = {}


def _worker_pipeline(box: list) -> Pipeline:
    """Returns this worker process's pipeline for the run's (settings, stateless steps), built on
    its first task; the object ref comes boxed in a list so that Ray hands it over unresolved and
    the steps (and the models they load) are deserialised once per process, not per task."""
    ray = ray_module()
    key = box[0].hex()
    if key not in _PIPELINES:
        settings, steps = ray.get(box[0])
        for old in _PIPELINES.values():  # one run at a time per worker: drop an earlier one's
            old.close()
        _PIPELINES.clear()
        _PIPELINES[key] = Pipeline(settings, store=None, enrichers=steps)
    return _PIPELINES[key]


def _extract_task(box: list, doc: RawDocument, remote: bool) -> Outcome:
    pipeline = _worker_pipeline(box)
    try:
        return pipeline.outcome_of(doc, remote=remote)
    finally:
        pipeline.close()  # no connection outlives its task in a long-lived worker


def _enrich_task(box: list, articles: list[Article]) -> list[Article]:
    _worker_pipeline(box).enrich_stateless(articles)
    return articles


def _feed_task(box: list, parsed: feeds.ParsedFeed, doc: RawDocument, entries: list[FeedEntry],
               fetch_pages: bool) -> tuple[dict[str, Article], Outcome]:
    outcome = Outcome(doc.input)
    pipeline = _worker_pipeline(box)
    try:
        ids = pipeline.entry_articles(parsed, doc, entries, outcome, fetch_pages=fetch_pages)
    finally:
        pipeline.close()
    return ids, outcome  # pickled together: ids and outcome.articles stay the same objects


# -- driver side ----------------------------------------------------------------------------------
@dataclass
class _Input:
    """One INPUT on its way through the driver."""

    value: str
    doc: RawDocument | None = None
    extracting: Any = None  # ObjectRef of the extraction task
    outcome: Outcome | None = None
    enriching: list = field(default_factory=list)  # (ObjectRef, the batch's driver articles)


class RayPipeline(Pipeline):
    """A pipeline whose extraction and stateless steps run as Ray tasks."""

    def __init__(self, settings: "Settings", store: "Store", *, address: str | None = None,
                 workers: int | None = None, enrichers: "list[Enricher] | None" = None,
                 batch_size: int = BATCH_SIZE, window: int | None = None) -> None:
        super().__init__(settings, store=store, enrichers=enrichers)
        self.ray = ray_module()
        self._owns_ray = not self.ray.is_initialized()
        if self._owns_ray:
            _start_ray(self.ray, address, workers)
        self.batch_size = max(1, batch_size)
        cpus = int(self.ray.cluster_resources().get("CPU", 1))
        # INPUTs in flight past the one committing: enough to keep every worker fed.
        self.window = window or max(2, 2 * cpus)
        self._box = [self.ray.put((settings, self.stateless_steps))]
        self._extract = self.ray.remote(_extract_task)
        self._enrich = self.ray.remote(_enrich_task)
        self._feed = self.ray.remote(_feed_task)

    def close(self) -> None:
        super().close()
        if self._owns_ray and self.ray.is_initialized():
            self.ray.shutdown()
            self._owns_ray = False

    # -- stateless steps as tasks ---------------------------------------------------------------
    def _send(self, articles: list[Article]) -> list:
        """Submits the stateless steps over batches of ``articles``; returns (ref, batch) pairs."""
        return [(self._enrich.remote(self._box, articles[i:i + self.batch_size]),
                 articles[i:i + self.batch_size])
                for i in range(0, len(articles), self.batch_size)]

    def _receive(self, sent: list) -> None:
        """Waits for enrichment tasks and copies their results onto the driver's articles, so
        every reference to an article (a feed's guid map, an outcome) sees them."""
        for ref, batch in sent:
            for mine, enriched in zip(batch, self.ray.get(ref), strict=True):
                vars(mine).update(vars(enriched))

    def enrich_stateless(self, articles: list[Article]) -> None:
        self._receive(self._send(articles))

    # -- crawl: a feed's pages are fetched and extracted by one task ---------------------------------
    def entry_articles(self, parsed: feeds.ParsedFeed, doc: RawDocument, entries: list[FeedEntry],
                       outcome: Outcome, *, fetch_pages: bool) -> dict[str, Article]:
        if not entries:
            return {}
        found, part = self.ray.get(self._feed.remote(self._box, parsed, doc, entries, fetch_pages))
        outcome.articles.extend(part.articles)
        outcome.errors.extend(part.errors)
        return found

    def poll_feeds(self, crawler: "Crawler", due: "list[Feed]") -> "Iterator[PollResult]":
        """Polls several feeds at once, each in a thread of this process whose remote parts run
        on Ray and whose commits take the store's lock in turn; the feeds of one host are polled
        one after the other, so a host is asked one page at a time. Yields results in order."""
        by_host: dict[str, list[int]] = {}
        for n, feed in enumerate(due):
            by_host.setdefault(urlsplit(feed.url).hostname or "", []).append(n)
        with ThreadPoolExecutor(max_workers=max(1, min(self.window, len(by_host))),
                                thread_name_prefix="newsdesk-poll") as pool:
            owner: dict[int, tuple[Future, int]] = {}
            for group in by_host.values():
                future = pool.submit(lambda g=group: [crawler.poll(due[n]) for n in g])
                owner.update({n: (future, k) for k, n in enumerate(group)})
            for n in range(len(due)):
                future, k = owner[n]
                yield future.result()[k]

    # -- ingest: INPUTs in flight, committed in order ------------------------------------------------
    def ingest(self, value: str, captured_at: datetime | None = None) -> Outcome:
        return next(self.ingest_many([value], captured_at))

    def ingest_many(self, values: list[str], captured_at: datetime | None = None) -> Iterator[Outcome]:
        todo = iter(values)
        extracting: deque[_Input] = deque()
        enriching: deque[_Input] = deque()
        while True:
            while len(extracting) + len(enriching) < self.window:
                value = next(todo, None)
                if value is None:
                    break
                extracting.append(self._start(value, captured_at))
            # Extracted INPUTs go on to enrichment in order: the next one to commit waits for
            # its extraction; the others move on only once theirs is done, never blocking a commit.
            while extracting and (not enriching or self._done(extracting[0])):
                enriching.append(self._extracted(extracting.popleft()))
            if not enriching:
                return
            yield self._finish(enriching.popleft())

    def _done(self, item: _Input) -> bool:
        if item.extracting is None:
            return True
        ready, _ = self.ray.wait([item.extracting], timeout=0)
        return bool(ready)

    def _start(self, value: str, captured_at: datetime | None) -> _Input:
        item = _Input(value)
        try:
            item.doc = self.read(value, captured_at)
        except NewsdeskError as exc:
            item.outcome = Outcome(value, errors=[str(exc)])
            return item
        item.extracting = self._extract.remote(self._box, item.doc, is_url(value))
        return item

    def _extracted(self, item: _Input) -> _Input:
        if item.extracting is not None:
            item.outcome = self.ray.get(item.extracting)
            item.outcome.input = item.value
            if item.outcome.articles:
                fresh, _ = self.fresh_articles(item.outcome.articles)
                item.enriching = self._send(fresh)
        return item

    def _finish(self, item: _Input) -> Outcome:
        outcome = item.outcome
        assert outcome is not None and self.store is not None
        try:
            self._receive(item.enriching)
            if outcome.articles and item.doc is not None:
                self.commit(outcome.articles, self.store.save_document(item.doc), outcome)
        except NewsdeskError as exc:
            outcome.errors.append(str(exc))
        return outcome


def _start_ray(ray: Any, address: str | None, workers: int | None) -> None:
    """Joins the cluster at ``address`` (or $RAY_ADDRESS), else starts a local Ray."""
    address = address or os.environ.get("RAY_ADDRESS") or None
    quiet = {"include_dashboard": False, "logging_level": logging.WARNING,
             "configure_logging": True, "log_to_driver": True}
    if address and address != "auto":
        _check_reachable(address)
    try:
        if address:
            if address.startswith("ray://"):
                _init_client(ray, address)
            else:
                ray.init(address=address, **quiet)
        else:
            if workers is not None and workers < 1:
                raise ConfigError(f"runner: --workers must be 1 or more, not {workers}")
            cpus = workers or os.cpu_count() or 1
            ray.init(num_cpus=cpus, **quiet)
    except NewsdeskError:
        raise
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError, ...
        where = address or "a local Ray"
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        if address and address != "auto":  # it listens (checked above) but would not talk
            reason += ("; a cluster with token authentication needs RAY_AUTH_MODE=token and its "
                       "~/.ray/auth_token on this machine")
        raise ConfigError(f"runner: cannot start or reach Ray at {where}: {reason}") from None


# Ray Client's head forks one server per client; under load that fork can fail at once
# ("Initialization failure from server"), and a new connection gets a new fork.
CLIENT_ATTEMPTS = 3


def _init_client(ray: Any, address: str) -> None:
    for attempt in range(1, CLIENT_ATTEMPTS + 1):
        try:
            ray.init(address=address, logging_level=logging.WARNING)
            return
        except ConnectionError as exc:
            if attempt == CLIENT_ATTEMPTS or "Initialization failure" not in str(exc):
                raise
            log.warning("runner: Ray Client at %s failed to start a server for us (%s); "
                        "trying again", address, " ".join(str(exc).split())[:120])
            ray.shutdown()  # drop the half-made client connection before the next one
            time.sleep(attempt)


def _check_reachable(address: str) -> None:
    """Fails fast with one line when nothing listens at ``address``: Ray itself retries an
    unreachable head for minutes before it gives up."""
    hostport = address.removeprefix("ray://").rsplit("/", 1)[0]
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"runner: Ray address {address!r} is not ray://HOST:PORT, HOST:PORT or auto")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT).close()
    except OSError as exc:
        raise ConfigError(f"runner: cannot reach Ray at {address}: "
                          f"{exc.strerror or exc or 'connection failed'}") from None
