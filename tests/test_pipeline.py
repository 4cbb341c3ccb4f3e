"""The pipeline: one INPUT through read -> extract -> enrich -> store."""

from __future__ import annotations

import pytest

from newsdesk.config import load_settings
from newsdesk.demo import DEMO_DIR
from newsdesk.enrich import Enricher
from newsdesk.models import Article
from newsdesk.pipeline import Pipeline
from newsdesk.store import open_store

SETTINGS = load_settings(environ={})


@pytest.fixture
def store(db_url):
    with open_store(db_url) as s:
        yield s


class Tagger:
    """An outside enricher: tags every article, and sees the store it will be saved in."""

    name = "tagger"

    def __init__(self):
        self.calls = []

    def enrich(self, articles: list[Article], store) -> None:
        self.calls.append((len(articles), store))
        for article in articles:
            article.hashtags = ["#Demo"]


def test_an_outside_enricher_runs_before_articles_are_stored(store):
    tagger = Tagger()
    assert isinstance(tagger, Enricher)
    pipeline = Pipeline(SETTINGS, store=store, enrichers=[tagger])
    outcome = pipeline.ingest(str(DEMO_DIR / "archive.jsonl"))
    assert outcome.created == 6 and outcome.errors == []
    assert tagger.calls == [(6, store)]
    assert all(a.hashtags == ["#Demo"] for a in store.latest_articles())


def test_extract_touches_no_store():
    outcome = Pipeline(SETTINGS, store=None).extract(str(DEMO_DIR / "feed.json"))
    assert len(outcome.articles) == 3 and outcome.created == 0


def test_a_capture_ingested_twice_is_stored_once(store):
    pipeline = Pipeline(SETTINGS, store=store, enrichers=[])
    first = pipeline.ingest(str(DEMO_DIR / "capture.txt"))
    second = pipeline.ingest(str(DEMO_DIR / "capture.txt"))
    assert first.created == 6 and (second.created, second.existing) == (0, 6)


def test_a_crash_mid_batch_loses_nothing_and_a_rerun_completes(store, monkeypatch):
    pipeline = Pipeline(SETTINGS, store=store, enrichers=[])

    def crash(batch, document_id=None):
        raise KeyboardInterrupt  # stopped after enriching, before the batch's transaction

    monkeypatch.setattr(store, "save_articles", crash)
    with pytest.raises(KeyboardInterrupt):
        pipeline.ingest(str(DEMO_DIR / "archive.jsonl"))
    monkeypatch.undo()
    assert store.count_articles() == 0  # a batch is stored whole or not at all
    outcome = pipeline.ingest(str(DEMO_DIR / "archive.jsonl"))
    assert (outcome.created, outcome.existing) == (6, 0)
    assert store.count_articles() == 6


def test_titles_from_every_source_have_straight_quotes(store):
    pipeline = Pipeline(SETTINGS, store=store, enrichers=[])
    for name in ("feed.xml", "feed.json", "archive.jsonl", "capture.txt"):
        pipeline.ingest(str(DEMO_DIR / name))
    for article in store.latest_articles(limit=100):
        assert not set("\u201c\u201d\u2018\u2019") & set(article.title), article.title
