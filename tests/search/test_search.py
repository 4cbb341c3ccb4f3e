"""Hybrid search over a real SQLite store: ranking, filters, copies, and the vector index file."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from newsdesk.enrich.embeddings import get_embedder
from newsdesk.models import Article
from newsdesk.search import SearchFilters, search, vector_index

KEYS = {"id", "title", "outlet", "published_at", "story_id", "score", "snippet", "copies"}


def test_hits_follow_the_search_json_and_best_comes_first(archive):
    hits = search(archive, "defense spending satellites", limit=3)
    assert hits[0]["id"] == "budget"
    assert set(hits[0]) == KEYS
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert "satellites" in hits[0]["snippet"]
    json.dumps(hits)


def test_copies_are_grouped_under_their_original(archive):
    hits = search(archive, "defense spending trillion won")
    ids = [h["id"] for h in hits]
    assert "budget-copy" not in ids
    assert hits[ids.index("budget")]["copies"] == ["budget-copy"]


def test_vectors_find_an_article_that_shares_meaning_but_few_words(tmp_path):
    from tests.search.conftest import make_store

    store = make_store(tmp_path / "use.db", "use-multilingual")
    try:
        # A Korean article found from an English query: only the multilingual vectors can.
        ids = [h["id"] for h in search(store, "North Korea fires ballistic missile", limit=3,
                                       mode="vector")]
        assert "missile-ko" in ids
        assert "missile-ko" not in [h["id"] for h in search(store, "North Korea fires ballistic "
                                                             "missile", mode="bm25")]
    finally:
        store.close()


@pytest.mark.parametrize("filters, expected", [
    (SearchFilters(outlet="han river times"), {"rates", "budget-copy"}),
    (SearchFilters(credit="YONHAP"), {"budget"}),
    (SearchFilters(person="Kim Do-yun"), {"adviser"}),
    (SearchFilters(organization="bank of korea"), {"rates"}),
    (SearchFilters(place="Busan"), {"talks"}),
    (SearchFilters(hashtag="shipbuilding"), {"ships"}),
    (SearchFilters(hashtag="#DefenseBudget"), {"budget"}),
    (SearchFilters(story="s-adviser"), {"adviser"}),
    (SearchFilters(language="ko"), {"missile-ko"}),
    (SearchFilters(since=datetime(2026, 11, 25, tzinfo=timezone.utc)), {"rates", "ships"}),
    (SearchFilters(until=datetime(2026, 11, 21, tzinfo=timezone.utc)), {"budget"}),
])
def test_filters_hold_for_every_result(archive, filters, expected):
    # A broad query: every article shares a word or some meaning with it.
    query = "Korea Seoul Busan defense bank ships adviser missile"
    for mode in ("hybrid", "vector", "bm25"):
        ids = {h["id"] for h in search(archive, query, filters=filters, limit=20, mode=mode)}
        assert ids <= expected | {"budget-copy"}, (mode, ids)
    assert {h["id"] for h in search(archive, query, filters=filters, limit=20)} == expected


def test_a_copy_stands_for_itself_when_filters_exclude_its_original(archive):
    hits = search(archive, "defense spending", filters=SearchFilters(outlet="Han River Times"))
    assert "budget-copy" in [h["id"] for h in hits]


def test_an_empty_query_finds_nothing(archive):
    assert search(archive, "") == [] and search(archive, "-defense") == []


def test_the_index_file_lives_beside_the_database_and_is_reused(sqlite_archive):
    index = vector_index(sqlite_archive)
    assert index.path.parent == sqlite_archive.path.parent and index.path.exists()
    meta = json.loads(index.sidecar.read_text())
    assert meta["model"] == "hashing" and meta["count"] == 7
    assert index.last.action in ("built", "fresh")
    assert vector_index(sqlite_archive).last.action == "fresh"


def test_new_articles_are_added_to_the_index_and_found(sqlite_archive):
    vector_index(sqlite_archive)
    article = Article(id="new", title="Seoul opens a new subway line to Incheon airport",
                      text="The new subway line cuts the trip to the airport to 40 minutes.",
                      outlet="Han River Times")
    article.vector = get_embedder("hashing").embed(["subway airport"])[0]
    article.vector_model = "hashing"
    sqlite_archive.save_article(article)
    assert "new" in [h["id"] for h in search(sqlite_archive, "subway airport", mode="vector")]
    assert vector_index(sqlite_archive).last.action == "fresh"
    # One new vector does not rewrite the file; a new process adds it again from the database.
    assert json.loads(vector_index(sqlite_archive).sidecar.read_text())["count"] == 7
    from newsdesk.search import vectorindex

    vectorindex._INDEXES.clear()
    index = vector_index(sqlite_archive)
    assert (index.last.action, index.last.vectors) == ("added", 1) and len(index._index) == 8


def test_a_missing_or_broken_index_file_is_rebuilt_from_the_database(sqlite_archive):
    from newsdesk.search import vectorindex

    path = vector_index(sqlite_archive).path
    for damage in (lambda: path.unlink(), lambda: path.write_bytes(b"not an index")):
        damage()
        vectorindex._INDEXES.clear()  # a new process: nothing in memory
        index = vector_index(sqlite_archive)
        assert index.last.action == "built" and len(index._index) == 7
        assert search(sqlite_archive, "interest rate central bank", mode="vector")[0]["id"] == "rates"


def test_a_query_that_means_nothing_in_the_archive_finds_nothing(use_archive):
    # No word occurs in the archive, and no article comes near it in meaning.
    for query in ("purple monkey dishwasher", "xyzzy plugh"):
        assert search(use_archive, query) == [], query
    assert search(use_archive, "navy ship repair contract", mode="vector")[0]["id"] == "ships"


def test_the_public_api_is_listed_in_all():
    import newsdesk.search as api

    public = {n for n in vars(api) if not n.startswith("_") and n not in {"annotations"}
              and not isinstance(getattr(api, n), type(api))}
    assert set(api.__all__) == public
