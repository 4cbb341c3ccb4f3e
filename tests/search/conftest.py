"""A small archive of real-looking articles in a real SQLite store, embedded with a real model."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newsdesk.enrich.embeddings import article_text, get_embedder
from newsdesk.models import Article
from newsdesk.store import Store, open_store

ARTICLES = [
    dict(id="budget", title="Seoul raises defense spending by 7 percent for next year",
         text="The government of South Korea said on Tuesday it will raise defense spending by 7 "
              "percent next year to 66 trillion won.\n\nThe defense ministry said the money will "
              "buy surveillance satellites and new destroyers. Officials in Seoul said the rise "
              "answers North Korea's missile tests.",
         outlet="The Seoul Ledger", credit="Yonhap", published_at="2026-11-20T09:00:00+09:00",
         language="en", story_id="s-budget",
         entities=[{"name": "South Korea", "type": "place", "roles": [], "affiliations": [],
                    "mentions": 1},
                   {"name": "Defense Ministry", "type": "organization", "roles": [],
                    "affiliations": [], "mentions": 1}],
         hashtags=["#DefenseBudget", "#SouthKorea"]),
    dict(id="budget-copy", title="Seoul raises defense spending by 7 percent for next year",
         text="The government of South Korea said on Tuesday it will raise defense spending by 7 "
              "percent next year to 66 trillion won.\n\nThe defense ministry said the money will "
              "buy surveillance satellites and new destroyers.",
         outlet="Han River Times", credit="Yonhap", published_at="2026-11-20T10:00:00+09:00",
         language="en", story_id="s-budget", duplicate_of="budget"),
    dict(id="adviser", title="Kim Do-yun named national security adviser",
         text="President Baek Seung-ho on Sunday named Kim Do-yun, his first deputy national "
              "security adviser, as the new head of the National Security Office.\n\nKim, 57, is "
              "a veteran diplomat who served as ambassador to Washington.",
         outlet="The Seoul Ledger", published_at="2026-11-22T15:20:00+09:00", language="en",
         story_id="s-adviser",
         entities=[{"name": "Kim Do-yun", "type": "person", "roles": ["national security adviser"],
                    "affiliations": [], "mentions": 2},
                   {"name": "Baek Seung-ho", "type": "person", "roles": ["president"],
                    "affiliations": [], "mentions": 1}],
         hashtags=["#NationalSecurity"]),
    dict(id="rates", title="Bank of Korea holds key rate at 2.50 percent",
         text="The Bank of Korea kept its base rate at 2.50 percent on Thursday as the weak won "
              "limited room to ease.\n\nThe central bank said inflation stayed near its target.",
         outlet="Han River Times", published_at="2026-11-26T11:25:00+09:00", language="en",
         story_id="s-rates",
         entities=[{"name": "Bank of Korea", "type": "organization", "roles": [],
                    "affiliations": [], "mentions": 2}],
         hashtags=["#InterestRates"]),
    dict(id="ships", title="Kumsan Heavy wins U.S. Navy overhaul contract",
         text="Kumsan Heavy Industries won its first contract to overhaul a U.S. Navy supply ship "
              "at its Busan yard, sending shipbuilding shares higher.\n\nThe company did not "
              "disclose the value of the deal.",
         outlet="The Harbour Post", published_at="2026-11-25T17:45:00+09:00", language="en",
         story_id="s-ships", hashtags=["#Shipbuilding"]),
    dict(id="talks", title="Japan and South Korea agree to double youth exchanges in Busan talks",
         text="Foreign ministers of Japan and South Korea agreed in Busan on Monday to double "
              "youth exchanges by 2028.\n\nThe talks did not touch on defense spending.",
         outlet="Kanto Herald", published_at="2026-11-23T18:30:00+09:00", language="en",
         story_id="s-talks",
         entities=[{"name": "Busan", "type": "place", "roles": [], "affiliations": [],
                    "mentions": 1}]),
    dict(id="missile-ko", title="북한, 동해상으로 탄도미사일 발사",
         text="북한이 21일 오전 동해상으로 단거리 탄도미사일 한 발을 발사했다고 합동참모본부가 밝혔다.",
         outlet="Hanbit Ilbo", published_at="2026-11-21T09:47:00+09:00", language="ko",
         story_id="s-missile"),
]


def make_store(where, model: str) -> Store:
    """Returns a store (a SQLite file path or any database URL) holding ARTICLES embedded
    with ``model``."""
    store = open_store(where if "://" in str(where) else f"sqlite:///{where}")
    embedder = get_embedder(model)
    articles = [Article(**fields) for fields in ARTICLES]
    vectors = embedder.embed([article_text(a) for a in articles])
    for article, vector in zip(articles, vectors, strict=True):
        article.vector, article.vector_model = vector, embedder.name
        store.save_article(article)
    return store


@pytest.fixture
def archive(db_url) -> Iterator[Store]:
    """The archive embedded with the numpy-only hashing model (fast), on each engine."""
    store = make_store(db_url, "hashing")
    yield store
    store.close()


@pytest.fixture
def sqlite_archive(tmp_path) -> Iterator[Store]:
    """The hashing archive in a SQLite file: for what only that engine has (the index file)."""
    store = make_store(tmp_path / "archive.db", "hashing")
    yield store
    store.close()


@pytest.fixture(scope="module")
def use_archive(tmp_path_factory) -> Iterator[Store]:
    """The archive embedded with the default model (multilingual USE), as `ask` runs it."""
    store = make_store(tmp_path_factory.mktemp("use") / "archive.db", "use-multilingual")
    yield store
    store.close()
