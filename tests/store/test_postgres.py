"""The PostgreSQL engine on a real server with pgvector: schema parity with SQLite, concurrency
between workers, the dialect rewrite, tsquery search, HNSW vectors and `newsdesk migrate`."""

from __future__ import annotations

import contextlib
import io
import sqlite3
import threading
import time

import numpy as np
import psycopg
import pytest

from newsdesk.cli import main
from newsdesk.errors import StoreError
from newsdesk.models import Article
from newsdesk.store import open_store
from newsdesk.store.migrations import SQLITE_MIGRATIONS
from newsdesk.store.pgconn import translate
from newsdesk.store.pgmigrations import PG_MIGRATIONS
from newsdesk.store.pgsearch import tsquery
from newsdesk.store.search import SearchFilters
from newsdesk.store.transfer import TABLES
from tests.support.pg import fresh_database_url


@pytest.fixture
def pg_url() -> str:
    return fresh_database_url()


def _article(n: int, **kw) -> Article:
    base = dict(title=f"Title {n}", text=f"Body of article {n}.", outlet="Seoul Ledger",
                published_at=f"2026-11-2{n % 10}T10:00:00+09:00")
    base.update(kw)
    return Article(**base)


def test_migrations_match_sqlite_version_for_version():
    assert [(v, d) for v, d, _ in PG_MIGRATIONS] == [(v, d) for v, d, _ in SQLITE_MIGRATIONS]


def test_every_sqlite_table_and_column_exists_on_postgresql(pg_url, tmp_path):
    open_store(pg_url).close()
    path = tmp_path / "a.db"
    open_store(f"sqlite:///{path}").close()
    lite = sqlite3.connect(path)
    with psycopg.connect(pg_url) as pg:
        for table, _ in TABLES:
            want = {r[1] for r in lite.execute(f"PRAGMA table_info({table})")}
            have = {r[0] for r in pg.execute("SELECT column_name FROM information_schema.columns "
                                             "WHERE table_name = %s", (table,))}
            assert want and want <= have, table
    lite.close()


def test_workers_opening_a_new_database_together_migrate_it_once(pg_url):
    errors, stores = [], []

    def open_one():
        try:
            stores.append(open_store(pg_url))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)
    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(stores) == 4
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(PG_MIGRATIONS)
    for store in stores:
        store.close()


def test_database_from_a_newer_version_is_refused(pg_url):
    open_store(pg_url).close()
    with psycopg.connect(pg_url) as conn:
        conn.execute("INSERT INTO schema_migrations(version, description) VALUES (999, 'future')")
    with pytest.raises(StoreError, match="newer than this newsdesk"):
        open_store(pg_url)


def test_an_unreachable_server_gives_one_line_error_without_the_password():
    with pytest.raises(StoreError) as caught:
        open_store("postgresql://news:s3cret@127.0.0.1:1/news?connect_timeout=2")
    message = str(caught.value)
    assert "cannot connect" in message and "s3cret" not in message and "\n" not in message


def test_two_workers_saving_the_same_article_store_it_once(pg_url):
    first, second = open_store(pg_url), open_store(pg_url)
    try:
        results, barrier = [], threading.Barrier(2)

        def save(store):
            barrier.wait()
            results.append(store.save_articles([_article(1, url="https://x.example/1")])[0])
        threads = [threading.Thread(target=save, args=(s,)) for s in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(r.created for r in results) == [False, True]
        assert len({r.id for r in results}) == 1 and first.count_articles() == 1
    finally:
        first.close()
        second.close()


def test_exclusive_holds_out_another_worker_until_released(pg_url):
    first, second = open_store(pg_url), open_store(pg_url)
    events: list[str] = []
    try:
        with first.exclusive():
            thread = threading.Thread(target=lambda: (second.exclusive().__enter__(),
                                                      events.append("second in")))
            thread.start()
            time.sleep(0.5)  # ordering, not timing: the second must still be waiting here
            events.append("first out")
        thread.join(30)
        assert events == ["first out", "second in"]
    finally:
        first.close()
        second.close()


def test_a_worker_sees_the_stories_another_worker_committed(pg_url):
    from newsdesk.enrich.stories import StoriesEnricher

    first, second = open_store(pg_url), open_store(pg_url)
    try:
        assert second.story_index().doc_count() == 0
        second.story_index().candidates(np.ones(4, dtype=np.float32), None, 5, 3)  # build mirror
        article = _article(1, title="Allies agree on wartime control transfer",
                           text="Seoul and Washington agreed on the transfer of wartime "
                                "operational control, officials said on Tuesday.")
        StoriesEnricher().enrich([article], first)
        first.save_articles([article])
        assert second.story_index().get(article.story_id) is not None
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("sql, expected", [
    ("SELECT id FROM outlets WHERE name = ? COLLATE NOCASE",
     "SELECT id FROM outlets WHERE lower(name) = lower(%s)"),
    ("SELECT * FROM users ORDER BY username COLLATE NOCASE",
     "SELECT * FROM users ORDER BY lower(username)"),
    ("INSERT OR IGNORE INTO t(a) VALUES (?) RETURNING id",
     "INSERT INTO t(a) VALUES (%s) ON CONFLICT DO NOTHING RETURNING id"),
    ("SELECT 'a?%' || x FROM t WHERE y LIKE ?", "SELECT 'a?%%' || x FROM t WHERE y ILIKE %s"),
    ("ORDER BY abs(julianday(a.sort_at) - julianday(?))",
     "ORDER BY abs((extract(epoch from CAST(a.sort_at AS timestamptz)) / 86400.0) - "
     "(extract(epoch from CAST(%s AS timestamptz)) / 86400.0))"),
])
def test_shared_sql_is_rewritten_for_postgresql(sql, expected):
    assert translate(sql) == expected


def test_search_grammar_becomes_a_tsquery():
    sql, params = tsquery('("opcon" OR "wartime control") NOT ("drill") "oper" *')
    assert sql == ("((phraseto_tsquery('simple', ?) || phraseto_tsquery('simple', ?)) && !! "
                   "(phraseto_tsquery('simple', ?)) && to_tsquery('simple', ?))")
    assert params == ["opcon", "wartime control", "drill", "'oper':*"]
    with pytest.raises(StoreError):
        tsquery('"a" ; DROP')


def test_full_text_search_honours_phrases_prefixes_and_exclusions(pg_url):
    with open_store(pg_url) as store:
        store.save_article(_article(1, title="OPCON transfer talks",
                                    text="Wartime operational control was discussed."))
        store.save_article(_article(2, title="OPCON drill", text="A drill on operational control."))
        store.save_article(_article(3, title="Markets", text="Stocks rose; control of inflation."))
        rowids = store.search_rowids_of([a.id for a in store.iter_articles()])
        by_rowid = {v: k for k, v in rowids.items()}

        def titles(match):
            hits = store.search_fts(match, SearchFilters(), 10)
            return {store.get_article(by_rowid[r]).title for r, _ in hits}
        assert titles('"opcon" NOT ("drill")') == {"OPCON transfer talks"}
        assert titles('"operational control"') == {"OPCON transfer talks", "OPCON drill"}
        assert titles('"infla" *') == {"Markets"}
        # the title weighs more than the body
        assert store.search_text("drill")[0].title == "OPCON drill"


def test_vectors_are_searched_with_an_hnsw_index(pg_url):
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(40, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    with open_store(pg_url) as store:
        batch = []
        for n, v in enumerate(vectors):
            a = _article(n, title=f"Vector {n}")
            a.vector, a.vector_model = v, "test-model"
            batch.append(a)
        store.save_articles(batch)
        hits = store.nearest_vectors(vectors[5], "test-model", 3)
        assert store.get_article(batch[5].id) and hits[0][1] == pytest.approx(1.0, abs=1e-5)
        assert hits[0][0] == store.search_rowids_of([batch[5].id])[batch[5].id]
    with psycopg.connect(pg_url) as conn:
        conn.execute("SET enable_seqscan = off")
        conn.execute("SET enable_sort = off")  # a tiny table: make the planner show its index
        query = "[" + ",".join("0.25" for _ in range(16)) + "]"
        plan = "\n".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT article_id FROM article_vectors WHERE model = 'test-model' "
            "ORDER BY embedding::vector(16) <=> %s::vector(16) LIMIT 3", (query,)))
        assert "article_vectors_hnsw_" in plan


def _export(db: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["export", "--db", db]) == 0
    return out.getvalue()


def test_migrate_moves_an_archive_both_ways_without_loss(tmp_path, pg_url):
    source = f"sqlite:///{tmp_path / 'a.db'}"
    with open_store(source) as store:
        batch = [_article(n, hashtags=["#OPCON"], url=f"https://x.example/{n}") for n in range(12)]
        for a in batch:
            a.vector, a.vector_model = np.full(8, 1 / np.sqrt(8), dtype=np.float32), "m"
        store.save_articles(batch)
        store.add_feed("https://x.example/feed.xml", "X")
        user = store.add_user("alice", "argon-hash", "admin")
        store.add_comment(batch[0].id, user.id, None, "First!", "visible", None, "fp")
    assert main(["migrate", "--from", source, "--to", pg_url]) == 0
    back = f"sqlite:///{tmp_path / 'back.db'}"
    assert main(["migrate", "--from", pg_url, "--to", back]) == 0
    assert _export(source) == _export(pg_url) == _export(back)
    with open_store(pg_url) as store:
        assert store.user_by_name("ALICE").role == "admin"
        assert [c.body for c in store.article_comments(batch[0].id)] == ["First!"]
        assert store.nearest_vectors(np.full(8, 1 / np.sqrt(8), dtype=np.float32), "m", 20)
        # identities continue after the copied ids
        assert store.add_user("bob", "h").id > user.id
    assert main(["migrate", "--from", source, "--to", pg_url]) == 1  # not empty: refused


def test_a_dropped_connection_is_replaced_and_the_read_retried(pg_url):
    with open_store(pg_url) as store:
        store.save_article(_article(1))
        assert store.count_articles() == 1
        with psycopg.connect(pg_url, autocommit=True) as admin:  # as a server restart would
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        assert store.count_articles() == 1  # the reader reconnects and reads again
        store.save_article(_article(2))  # the writer reconnects on its next transaction
        assert store.count_articles() == 2
