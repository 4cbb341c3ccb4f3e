"""Hashtags: one spelling per concept, a few per article and story, indexed by the store."""

from __future__ import annotations

import pytest

from newsdesk.enrich.hashtags import article_hashtags, story_hashtags, to_hashtag
from newsdesk.enrich.keywords import KeywordsEnricher
from newsdesk.models import Article
from newsdesk.store import open_store


@pytest.mark.parametrize("phrase, tag", [
    ("wartime operational control", "OPCON"),
    ("OPCON", "OPCON"),
    ("전작권", "OPCON"),
    ("Korea-U.S. alliance", "USROKAlliance"),
    ("Association of Southeast Asian Nations", "ASEAN"),
    ("ASEAN", "ASEAN"),
    ("U.S.", "UnitedStates"),
    ("North Korea's", "NorthKorea"),
    ("Kim Do-yun", "KimDoYun"),
    ("Seung-ho Baek", "BaekSeungHo"),  # given name first -> family name first
    ("Baek Seung-ho", "BaekSeungHo"),
    ("nuclear talks", "NuclearTalk"),
    ("Nuclear talk", "NuclearTalk"),
    ("Kumsan Heavy Industries", "KumsanHeavyIndustries"),
])
def test_one_spelling_per_concept(phrase, tag):
    assert to_hashtag(phrase) == tag


def test_nothing_makes_no_tag():
    assert to_hashtag("") is None
    assert to_hashtag("  ") is None
    assert to_hashtag("2026") is None


def _article(title: str, text: str, outlet: str = "Han River Times", **kw) -> Article:
    return Article(title=title, text=text, outlet=outlet, **kw)


OPCON_A = _article(
    "Seoul, Washington set 2028 target to verify wartime command readiness",
    "SEOUL, Nov. 26 (Yonhap) -- South Korea and the United States agreed on a roadmap to verify "
    "the wartime operational control transfer by 2028, Defense Minister Kang Min-seok said.\n\n"
    "Kang told reporters the OPCON verification will be conditions-based. Kang spoke after the "
    "Security Consultative Meeting in Seoul.\n\n(END)", credit="Yonhap")
OPCON_B = _article(
    "Allies adopt OPCON verification roadmap at Seoul security talks",
    "Seoul and Washington adopted a roadmap on Wednesday for verifying full operational "
    "capability before the OPCON transfer, Defense Minister Kang Min-seok said at the SCM.\n\n"
    "\"We are on track,\" Kang said. The roadmap will be reviewed at next year's SCM.",
    outlet="Capital Daily")


def test_articles_on_one_concept_share_its_tags():
    a, b = article_hashtags(OPCON_A), article_hashtags(OPCON_B)
    assert 1 <= len(a) <= 5 and 1 <= len(b) <= 5
    assert "OPCON" in a[:2] and "OPCON" in b[:2]
    assert "KangMinSeok" in a and "KangMinSeok" in b
    assert "SCM" in a and "SCM" in b


def test_agencies_outlets_titles_and_sentence_openers_are_not_tags():
    tags = article_hashtags(OPCON_A) + article_hashtags(OPCON_B)
    for wrong in ("Yonhap", "HanRiverTimes", "CapitalDaily", "Defense", "DefenseMinister",
                  "END", "Wednesday", "Kang"):
        assert wrong not in tags


def test_entities_of_an_earlier_step_are_used_when_present():
    article = _article("Talks end", "Officials met for talks that ended without a statement.",
                       entities=[{"name": "Lee Hae-won", "type": "person", "roles": [],
                                  "affiliations": [], "mentions": 3}])
    assert "LeeHaeWon" in article_hashtags(article)


def test_story_tags_are_those_most_articles_carry():
    assert story_hashtags([["OPCON", "Seoul"], ["OPCON", "SCM"], ["SCM", "OPCON", "Kang"]],
                          limit=2) == ["OPCON", "SCM"]
    assert story_hashtags([]) == []


def test_store_indexes_tags_in_the_article_transaction(db_url):
    store = open_store(db_url)
    try:
        a = _article(OPCON_A.title, OPCON_A.text, published_at="2026-11-26T16:48:00+09:00")
        b = _article(OPCON_B.title, OPCON_B.text, outlet="Capital Daily",
                     published_at="2026-11-26T18:00:00+09:00")
        KeywordsEnricher().enrich([a, b], None)
        store.save_articles([a, b])
        store.save_article(a)  # a second save of the same article indexes nothing twice
        counts = dict(store.list_hashtags(20))
        assert counts["OPCON"] == 2
        assert [x.id for x in store.hashtag_articles("#opcon")] == [b.id, a.id]  # newest first
        assert [x.id for x in store.hashtag_articles("OPCON", limit=1, offset=1)] == [a.id]
        # a is dated 07:48 UTC, b 09:00 UTC: since 09:00 counts b's tags only
        assert dict(store.list_hashtags(20, since="2026-11-26T09:00:00+00:00")) == {
            t: 1 for t in b.hashtags}
        assert store.hashtag_articles("NoSuchTag") == []
        assert store.get_article(a.id).hashtags == a.hashtags
    finally:
        store.close()


def test_names_do_not_run_across_for_between_places_and_agencies_are_no_entity_tags():
    article = _article(
        "Whitfield departs Seoul for Tokyo",
        "Secretary of State Laura Whitfield left Seoul for Tokyo on Friday after meeting the "
        "Institute for Peninsula Studies. Whitfield will meet Japanese officials in Tokyo.",
        entities=[{"name": "Yonhap News Agency", "type": "organization", "mentions": 4},
                  {"name": "Col.", "type": "person", "mentions": 2}])
    tags = article_hashtags(article, limit=10)
    assert "SeoulForTokyo" not in tags and "LauraWhitfield" in tags
    assert "InstituteForPeninsulaStudies" in tags
    assert "YonhapNewsAgency" not in tags and "Col" not in tags
    assert "Whitfield" not in tags  # folded into the full name


def test_imported_tags_are_kept_without_hash_and_missing_ones_filled():
    given = _article(OPCON_A.title, OPCON_A.text, hashtags=["#Roadmap2028", " OPCON "])
    empty = _article(OPCON_B.title, OPCON_B.text)
    KeywordsEnricher().enrich([given, empty], None)
    assert given.hashtags == ["Roadmap2028", "OPCON"] and given.keywords
    assert "OPCON" in empty.hashtags
    odd = _article(OPCON_A.title, OPCON_A.text, hashtags="OPCON", keywords={"a": 1})
    KeywordsEnricher().enrich([odd], None)  # not lists: computed afresh
    assert "OPCON" in odd.hashtags and isinstance(odd.keywords, list) and odd.keywords


def test_migration_indexes_tags_of_articles_stored_before_it(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    store = open_store(f"sqlite:///{path}")
    article = _article(OPCON_A.title, OPCON_A.text, hashtags=["OPCON", "#SCM"])
    store.save_article(article)
    store.close()
    # Make the database look as if migration 4 had not run yet.
    conn = sqlite3.connect(path)
    conn.executescript("DROP TABLE article_hashtags; DROP TABLE story_summaries; "
                       "DELETE FROM schema_migrations WHERE version = 4;")
    conn.close()
    store = open_store(f"sqlite:///{path}")
    try:
        assert dict(store.list_hashtags(10)) == {"OPCON": 1, "SCM": 1}
    finally:
        store.close()
