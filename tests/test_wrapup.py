"""The daily wrap-up, keywords, hashtags and summaries end to end on the ingested demo corpus:
`ingest`, then `wrapup` (text and JSON), `export`, `extract --enrich`, and the store's hashtag
and story-summary reads."""

from __future__ import annotations

import json

import pytest

from newsdesk.cli import main
from newsdesk.demo import CAPTURED_AT, DEMO_DIR, demo_inputs
from newsdesk.enrich.sentences import sentence_texts
from newsdesk.store import open_store
from newsdesk.wrapup import daily_wrapup, render_text


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = f"sqlite:///{tmp_path_factory.mktemp('wrapup') / 'demo.db'}"
    assert main(["ingest", "--db", db, "--captured-at", CAPTURED_AT,
                 *[str(p) for p in demo_inputs()]]) == 0
    return db


def _check_citations(store, summary):
    for item in summary:
        article = store.get_article(item["article_id"])
        assert article is not None and article.outlet == item["outlet"]
        assert sentence_texts(article.text)[item["source_sentence"]] == item["text"]


def test_wrapup_of_a_busy_day_ranks_stories_by_outlets(demo_db):
    with open_store(demo_db) as store:
        wrap = daily_wrapup(store, "2026-11-26")
        assert wrap.date == "2026-11-26" and wrap.stories
        ranks = [(s.outlets_today, s.articles_today) for s in wrap.stories]
        assert ranks == sorted(ranks, reverse=True)
        assert wrap.articles == sum(s.articles_today for s in wrap.stories)
        top = wrap.stories[0]
        assert top.outlets_today >= 2 and top.hashtags and len(top.hashtags) <= 5
        assert len({i["outlet"] for i in top.summary}) >= 2  # a story summary spans outlets
        for story in wrap.stories:
            assert story.summary
            _check_citations(store, story.summary)
        assert any("OPCON" in s.hashtags for s in wrap.stories)
        # Cached: a second read gives the same summary without recomputing differently.
        assert store.story_summary(top.id) == top.summary
        assert store.story_summary("no-such-story") == []


def test_wrapup_defaults_to_the_newest_articles_day_and_empty_days_say_so(demo_db):
    with open_store(demo_db) as store:
        newest = store.latest_articles(limit=1)[0]
        wrap = daily_wrapup(store)
        assert wrap.stories and newest.story_id in {s.id for s in wrap.stories}
        empty = daily_wrapup(store, "2020-01-01")
        assert empty.stories == [] and "no stories" in render_text(empty)


def test_wrapup_command_prints_text_and_json(demo_db, capsys):
    assert main(["wrapup", "--db", demo_db, "--date", "2026-11-26"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Daily wrap-up, 2026-11-26 (UTC)") and "#OPCON" in text
    assert main(["wrapup", "--db", demo_db, "--date", "2026-11-26", "--format", "json",
                 "--limit", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["date"] == "2026-11-26" and 1 <= len(data["stories"]) <= 2
    assert set(data["stories"][0]["summary"][0]) == {"text", "article_id", "source_sentence",
                                                     "outlet"}


def test_wrapup_rejects_a_bad_date(demo_db, capsys):
    assert main(["wrapup", "--db", demo_db, "--date", "2026-13-01"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["newsdesk: wrapup: --date '2026-13-01': not a YYYY-MM-DD date"]


def test_export_carries_keywords_hashtags_and_cited_summaries(demo_db, capsys):
    assert main(["export", "--db", demo_db]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    english = [r for r in rows if r["language"] == "en"]
    assert english and all(r["keywords"] and r["hashtags"] and r["summary"] for r in english)
    for row in rows:
        sentences = sentence_texts(row["text"])
        for item in row["summary"]:
            assert sentences[item["source_sentence"]] == item["text"]
    with open_store(demo_db) as store:
        tags = dict(store.list_hashtags(50))
        assert tags["OPCON"] >= 4  # the roadmap story and its reprints
        tagged = {a.id for a in store.hashtag_articles("OPCON", limit=100)}
    assert tagged == {r["id"] for r in rows if "OPCON" in r["hashtags"]}


def test_extract_enrich_carries_keywords_hashtags_and_summary(capsys):
    page = DEMO_DIR / "pages" / "20261126-1605-seoulledger-opcon-roadmap.html"
    assert main(["extract", "--enrich", str(page)]) == 0
    [article] = json.loads(capsys.readouterr().out)
    assert "OPCON" in article["hashtags"] and article["keywords"]
    assert article["summary"] and article["summary"][0]["source_sentence"] == 0


def test_llm_abstract_keeps_only_sentences_their_cited_source_supports(demo_db, monkeypatch):
    from types import SimpleNamespace

    from newsdesk.search import llm

    settings = SimpleNamespace(llm_url="http://127.0.0.1:9/v1", llm_model="", llm_api_key="",
                               llm_timeout=1.0)
    with open_store(demo_db) as store:
        plain = daily_wrapup(store, "2026-11-26", limit=1)
        assert plain.stories[0].abstract is None  # no endpoint configured
        first = plain.stories[0].summary[0]

        def fake_chat(settings, messages, max_tokens=256):
            assert first["text"] in messages[-1]["content"]
            return f"{first['text']} [1] The moon is made of green cheese, astronomers said. [2]"

        monkeypatch.setattr(llm, "chat", fake_chat)
        wrap = daily_wrapup(store, "2026-11-26", limit=1, settings=settings)
        abstract = wrap.stories[0].abstract
        assert [a["text"] for a in abstract] == [first["text"]]
        assert abstract[0]["article_id"] == first["article_id"]
        assert abstract[0]["source_sentence"] == first["source_sentence"]
        assert "* " + first["text"] in render_text(wrap)

        def failing_chat(settings, messages, max_tokens=256):
            raise llm.LLMError("llm: http://127.0.0.1:9/v1: ConnectError")

        monkeypatch.setattr(llm, "chat", failing_chat)
        assert daily_wrapup(store, "2026-11-26", limit=1, settings=settings).stories[0].abstract is None
