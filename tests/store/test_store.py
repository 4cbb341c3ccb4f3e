"""Both engines (SQLite, and a real PostgreSQL with pgvector): idempotent saves, ordering,
full-text safety, feeds, documents, threads; and SQLite's own file handling and migrations."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timedelta, timezone

import pytest

from newsdesk.errors import StoreError
from newsdesk.models import Article, RawDocument
from newsdesk.store import open_store
from newsdesk.store.migrations import SQLITE_MIGRATIONS


@pytest.fixture
def store(db_url):
    with open_store(db_url) as s:
        yield s


def _article(n: int, **kw) -> Article:
    base = dict(title=f"Title {n}", text=f"Body of article {n}.\n\nSecond paragraph {n}.",
                outlet="Seoul Ledger", published_at=f"2026-11-2{n}T10:00:00+09:00")
    base.update(kw)
    return Article(**base)


def test_new_database_has_wal_and_every_migration(tmp_path):
    path = tmp_path / "a.db"
    open_store(f"sqlite:///{path}").close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")]
    assert versions == [v for v, _, _ in SQLITE_MIGRATIONS]
    conn.close()


def test_migrations_are_numbered_consecutively_from_one():
    assert [v for v, _, _ in SQLITE_MIGRATIONS] == list(range(1, len(SQLITE_MIGRATIONS) + 1))


def test_reopening_applies_nothing_twice(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    with open_store(url) as s:
        s.save_article(_article(1))
    with open_store(url) as s:
        assert s.count_articles() == 1


def test_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "a.db"
    open_store(f"sqlite:///{path}").close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migrations(version, description) VALUES (999, 'future')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer than this newsdesk"):
        open_store(f"sqlite:///{path}")


def test_a_file_that_is_not_a_database_gives_a_store_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="junk.db"):
        open_store(f"sqlite:///{path}")


def test_unsupported_urls_give_one_line_errors():
    with pytest.raises(StoreError, match="unsupported database URL"):
        open_store("mysql://x")
    with pytest.raises(StoreError, match="names no database file"):
        open_store("sqlite:///:memory:")


def test_saving_the_same_article_twice_stores_it_once(store):
    first = store.save_article(_article(1))
    second = store.save_article(_article(1))
    assert first.created and not second.created
    assert first.id == second.id
    assert store.count_articles() == 1


def test_same_url_with_another_id_is_the_same_article(store):
    a = store.save_article(_article(1, url="https://x.example/a", id="given-id"))
    b = store.save_article(_article(2, url="https://x.example/a"))
    assert (a.id, b.id, b.created) == ("given-id", "given-id", False)


def test_an_imported_id_is_kept(store):
    store.save_article(_article(1, id="wire-0001"))
    assert store.get_article("wire-0001").title == "Title 1"


def test_every_article_field_round_trips(store):
    article = _article(3, url="https://x.example/3", credit="Yonhap", byline="Kim Min-ji",
                       language="en", hashtags=["#OPCON"],
                       summary=[{"text": "Body of article 3.", "source_sentence": 0}])
    saved = store.save_article(article)
    got = store.get_article(saved.id)
    for name in ("title", "text", "url", "outlet", "credit", "byline", "published_at",
                 "language", "hashtags", "summary"):
        assert getattr(got, name) == getattr(article, name), name


def test_latest_orders_by_published_time_across_offsets(store):
    store.save_article(_article(1, published_at="2026-11-21T23:00:00-05:00"))  # 22nd 04:00Z
    store.save_article(_article(2, published_at="2026-11-22T10:00:00+09:00"))  # 22nd 01:00Z
    store.save_article(_article(3, published_at="2026-11-20T00:00:00+00:00"))
    assert [a.title for a in store.latest_articles()] == ["Title 1", "Title 2", "Title 3"]


def test_latest_filters_by_outlet_and_pages(store):
    for n in range(1, 6):
        store.save_article(_article(n, outlet="A" if n % 2 else "B"))
    assert [a.title for a in store.latest_articles(outlet="A")] == ["Title 5", "Title 3", "Title 1"]
    assert [a.title for a in store.latest_articles(limit=2, offset=2)] == ["Title 3", "Title 2"]
    assert store.list_outlets() == [("A", 3), ("B", 2)]
    assert store.count_articles(outlet="B") == 2


def test_outlet_names_are_case_insensitive(store):
    store.save_article(_article(1, outlet="Korea Herald"))
    store.save_article(_article(2, outlet="korea  herald"))
    assert store.list_outlets() == [("Korea Herald", 2)]


def test_iter_articles_since_filters_and_streams_in_order(store):
    for n in range(1, 6):
        store.save_article(_article(n))
    since = datetime(2026, 11, 23, 0, 0, tzinfo=timezone(timedelta(hours=9)))
    assert [a.title for a in store.iter_articles(since)] == ["Title 3", "Title 4", "Title 5"]
    assert len(list(store.iter_articles())) == 5


def test_iter_articles_pages_through_batches_in_time_order(store):
    # Rows inserted out of time order, many sharing a time: every one comes out once, in order.
    for n in range(1200):
        day = 1 + (n * 7) % 28
        store.save_article(Article(title=f"t{n}", text=f"x {n}",
                                   published_at=f"2026-11-{day:02d}T00:00:00+00:00"))
    got = list(store.iter_articles())
    assert len({a.id for a in got}) == len(got) == 1200
    times = [a.published_at for a in got]
    assert times == sorted(times)


@pytest.mark.parametrize("query", ['"', "(", "a OR", "NEAR(", "title:x", "*", "-",
                                   "'; DROP TABLE articles; --", "x" * 10_000, "a AND (b OR",
                                   "\x00", ""])
def test_fts_search_never_raises_on_user_syntax(store, query):
    store.save_article(_article(1))
    store.search_text(query)
    assert store.count_articles() == 1


def test_fts_search_finds_words_in_title_and_text(store):
    store.save_article(_article(1, title="Alliance talks resume", text="Envoys met in Seoul."))
    store.save_article(_article(2, title="Markets", text="The alliance was mentioned once."))
    found = [a.title for a in store.search_text("alliance")]
    assert found == ["Alliance talks resume", "Markets"]
    assert store.search_text("seoul envoys")[0].title == "Alliance talks resume"
    assert store.search_text("nothingmatches") == []


def test_documents_are_stored_compressed_once_per_hash(store):
    doc = RawDocument(input="page.html", content=b"<html>" + b"x" * 10_000, content_type="text/html",
                      fetched_at=datetime.now(timezone.utc))
    first = store.save_document(doc)
    assert store.save_document(doc) == first
    back = store.get_document(first)
    assert back.content == doc.content and back.content_type == "text/html"


def test_feed_state_round_trips_and_due_respects_next_poll(store):
    feed = store.add_feed("https://x.example/feed.xml", "X")
    assert store.add_feed("https://x.example/feed.xml").id == feed.id
    now = datetime.now(timezone.utc)
    assert [f.id for f in store.due_feeds(now)] == [feed.id]
    feed.etag, feed.last_modified = '"abc"', "Tue, 10 Jun 2003 04:00:00 GMT"
    feed.next_poll_at = (now + timedelta(hours=1)).isoformat()
    feed.error_count, feed.last_error = 2, "fetcher: boom"
    store.update_feed(feed)
    assert store.due_feeds(now) == []
    got = store.get_feed(feed.url)
    assert (got.etag, got.error_count, got.last_error) == ('"abc"', 2, "fetcher: boom")
    got.paused = True
    got.next_poll_at = now.isoformat()
    store.update_feed(got)
    assert store.due_feeds(now + timedelta(seconds=1)) == []


def test_seen_entries_remembers_marked_guids(store):
    feed = store.add_feed("https://x.example/feed.xml")
    store.mark_entry(feed.id, "g1", None)
    store.mark_entry(feed.id, "g1", None)
    guids = [f"g{n}" for n in range(1, 1100)]
    assert store.seen_entries(feed.id, guids) == {"g1"}


def test_readers_in_other_threads_see_committed_writes(store):
    store.save_article(_article(1))
    seen = []
    thread = threading.Thread(target=lambda: seen.append(store.count_articles()))
    thread.start()
    thread.join()
    assert seen == [1]


def test_concurrent_writers_lose_nothing(store):
    def write(start):
        for n in range(start, start + 50):
            store.save_article(Article(title=f"t{n}", text=f"text {n}"))
    threads = [threading.Thread(target=write, args=(k * 50,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count_articles() == 200


def test_a_failed_write_rolls_back_whole(store, monkeypatch):
    from newsdesk.store import articles

    def boom(*a, **kw):
        raise RuntimeError("crash mid-write")
    monkeypatch.setattr(articles, "save", boom)
    with pytest.raises(RuntimeError):
        store.save_article(_article(1, outlet="Only Outlet"))
    monkeypatch.undo()
    assert store.list_outlets() == [] and store.count_articles() == 0
    store.save_article(_article(1))
    assert store.count_articles() == 1
