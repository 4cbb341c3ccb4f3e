"""Copies and stories end to end: the demo corpus through `ingest`, then `export`, `stories`,
the article and story pages, and a second process reading the same database."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

import pytest
from starlette.testclient import TestClient

from newsdesk.cli import main
from newsdesk.config import load_settings
from newsdesk.demo import CAPTURED_AT, demo_inputs
from newsdesk.pipeline import Pipeline
from newsdesk.store import open_store
from newsdesk.web.app import create_app

# The demo's Yonhap story on the OPCON roadmap: the Seoul Ledger page is the original, and three
# outlets reprint it (README of newsdesk/demo).
OPCON_ORIGINAL_URL_PART = "opcon"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_db(request, tmp_path_factory):
    """The demo ingested into each engine: the same pipeline writing to SQLite and PostgreSQL."""
    if request.param == "sqlite":
        db = f"sqlite:///{tmp_path_factory.mktemp('stories') / 'demo.db'}"
    else:
        from tests.support.pg import fresh_database_url

        db = fresh_database_url()
    assert main(["ingest", "--db", db, "--captured-at", CAPTURED_AT,
                 *[str(p) for p in demo_inputs()]]) == 0
    return db


@pytest.fixture(scope="module")
def exported(demo_db):
    with open_store(demo_db) as store:
        return [a.to_dict() for a in store.iter_articles()]


def test_every_article_gets_a_story_and_copies_point_to_a_stored_original(exported):
    ids = {a["id"] for a in exported}
    assert all(a["story_id"] for a in exported)
    copies = [a for a in exported if a["duplicate_of"]]
    assert copies, "the demo's wire reprints must be found"
    by_id = {a["id"]: a for a in exported}
    for copy in copies:
        assert copy["duplicate_of"] in ids
        original = by_id[copy["duplicate_of"]]
        assert original["duplicate_of"] is None  # no chains
        assert copy["story_id"] == original["story_id"]  # a copy joins its original's story


def test_the_yonhap_opcon_wire_story_is_folded_with_its_reprints(exported):
    by_id = {a["id"]: a for a in exported}
    groups = Counter(a["duplicate_of"] for a in exported if a["duplicate_of"])
    original_id, reprints = groups.most_common(1)[0]
    original = by_id[original_id]
    assert reprints >= 2
    assert original["credit"] == "Yonhap"
    assert "OPCON" in original["title"] or "command" in original["title"].lower()
    # The Seoul Ledger page has a printed time; the capture's "Capital Daily / 2 days ago" block,
    # a rewrite of the lead, reads as earlier (09:00 two days before the capture) but an age
    # is only as exact as its unit, so it is a copy, not the original.
    assert original["outlet"] == "The Seoul Ledger" and "seoulledger" in original["url"]
    capture_block = [a for a in exported if a["outlet"] == "Capital Daily"
                     and a["published_at"] == "2026-11-26T09:00:00+09:00"]
    assert [a["duplicate_of"] for a in capture_block] == [original_id]


def test_distinct_events_are_not_one_story(exported):
    stories = Counter(a["story_id"] for a in exported)
    assert len(stories) >= 6  # the demo covers a dozen distinct events
    assert max(stories.values()) < len(exported) / 2


def test_stories_command_lists_counts_in_json(demo_db, capsys):
    capsys.readouterr()
    assert main(["stories", "--db", demo_db, "--format", "json"]) == 0
    stories = json.loads(capsys.readouterr().out)
    assert stories and {"id", "title", "articles", "outlets", "reprints", "last_seen"} <= set(stories[0])
    assert any(s["reprints"] >= 2 for s in stories)
    assert main(["stories", "--db", demo_db]) == 0
    assert "reprints" in capsys.readouterr().out


def test_article_page_shows_reprints_and_related_articles(demo_db):
    with open_store(demo_db) as store:
        original_id = Counter(a.duplicate_of for a in store.iter_articles()
                              if a.duplicate_of).most_common(1)[0][0]
        client = TestClient(create_app(store, load_settings(environ={})))
        html = client.get(f"/articles/{original_id}").text
        assert "Reprinted by" in html
        assert "Related Articles" in html
        story_id = store.get_article(original_id).story_id
        page = client.get(f"/stories/{story_id}")
        assert page.status_code == 200 and "Also carried by" in page.text
        assert client.get("/stories/nope").status_code == 404


def test_reingest_changes_no_story(demo_db, exported):
    assert main(["ingest", "--db", demo_db, "--captured-at", CAPTURED_AT,
                 *[str(p) for p in demo_inputs()]]) == 0
    with open_store(demo_db) as store:
        again = {a.id: (a.story_id, a.duplicate_of) for a in store.iter_articles()}
    assert again == {a["id"]: (a["story_id"], a["duplicate_of"]) for a in exported}


# -- crash consistency -----------------------------------------------------------------------

def _snapshot(store) -> dict:
    """Returns what the copies and stories steps keep, as the store reads it back."""
    index, copies_ = store.story_index(), store.copy_index()
    ids = sorted(a.id for a in store.iter_articles())
    story_ids = sorted({s.id for s in store.list_stories(limit=10_000)})
    states = {sid: json.loads(index.get(sid).to_json()) for sid in story_ids}
    terms = sorted({k for s in states.values() for k in (*s["terms"], *s["names"])})
    entries = {i: copies_.get(i) for i in ids}
    return {"ids": ids, "states": states, "docs": index.doc_count(),
            "df": index.doc_freq(terms),
            "copies": {i: (e.duplicate_of, e.minhash) if e else None for i, e in entries.items()},
            "articles": {a.id: (a.story_id, a.duplicate_of) for a in store.iter_articles()}}


class _Crash(BaseException):
    """Stands for the process being killed."""


@pytest.mark.parametrize("restart", [True, False], ids=["new-process", "same-process"])
def test_a_rerun_after_a_crash_between_enrich_and_save_counts_every_article_once(
        tmp_path, monkeypatch, restart, db_url):
    settings = load_settings(environ={"NEWSDESK_EMBEDDING_MODEL": "hashing"})
    inputs = [str(p) for p in demo_inputs()]
    first, last = inputs[:-2], inputs[-2:]  # the archive and the capture hold the reprints

    def ingest(db: str, values: list[str]) -> None:
        with open_store(db) as store:
            pipeline = Pipeline(settings, store=store)
            for value in values:
                assert not pipeline.ingest(value, datetime.fromisoformat(CAPTURED_AT)).errors

    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    ingest(reference, inputs)
    crashed = db_url  # SQLite or PostgreSQL: either must end equal to the SQLite reference
    ingest(crashed, first)
    with open_store(crashed) as store:
        before = _snapshot(store)
        pipeline = Pipeline(settings, store=store)
        real_save = store.save_articles

        def crash(batch, document_id=None):
            # Every step has run over the batch (copies indexed, stories joined, frequencies
            # counted) and nothing of it is stored yet.
            assert store.copy_index().pending and store.story_index().pending
            raise _Crash

        monkeypatch.setattr(store, "save_articles", crash)
        with pytest.raises(_Crash):
            pipeline.ingest(last[0], datetime.fromisoformat(CAPTURED_AT))
        monkeypatch.setattr(store, "save_articles", real_save)
        if not restart:
            assert _snapshot(store) == before  # the failed batch left nothing behind
            for value in last:
                assert not pipeline.ingest(value, datetime.fromisoformat(CAPTURED_AT)).errors
    if restart:
        with open_store(crashed) as store:
            assert _snapshot(store) == before
        ingest(crashed, last)
    with open_store(reference) as ref, open_store(crashed) as got:
        expected, actual = _snapshot(ref), _snapshot(got)
        assert actual == expected
        # Each clustered article counts once in one story and once in the frequencies: the
        # originals, and the earlier originals that a later wire article turned into copies.
        originals = sum(1 for _, original in actual["articles"].values() if not original)
        assert sum(s["size"] for s in actual["states"].values()) == actual["docs"]
        assert originals <= actual["docs"] <= len(actual["ids"])
