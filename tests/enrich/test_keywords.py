"""Keyphrase candidates, their spelling and the keywords/hashtags enricher."""

from __future__ import annotations

from newsdesk.enrich.keywords import KeywordsEnricher, candidates, keyphrases, phrase_key
from newsdesk.models import Article

TEXT = """Seoul and Washington agreed on a roadmap for the transfer of wartime operational control.

The OPCON roadmap sets a verification in 2027, Defense Minister Kang Min-seok said. The allies
will verify full operational capability of the combined forces command before the transfer.

Kang said the OPCON roadmap was "conditions-based." The Bank of Korea was not involved."""


def test_candidates_do_not_cross_punctuation_or_start_with_stopwords():
    found = candidates("", "Kang said, the roadmap holds. Verification follows")
    assert "kang" in found and "roadmap" in found
    assert not any(key.startswith("the ") or key.endswith(" the") for key in found)
    assert "kang said roadmap" not in found
    assert "roadmap hold verification" not in found


def test_inner_stopwords_make_one_phrase():
    found = candidates("", "The Bank of Korea held rates. The Bank of Korea spoke.")
    assert found["bank of korea"].count == 2
    assert found["bank of korea"].surface == "Bank of Korea"


def test_phrase_key_folds_case_and_plurals():
    assert phrase_key("Nuclear talks") == phrase_key("nuclear talk")
    assert phrase_key("Korea's") == phrase_key("Korea")


def test_keyphrases_rank_the_repeated_concepts_high():
    phrases = keyphrases("Allies adopt OPCON roadmap", TEXT)
    assert 1 <= len(phrases) <= 10
    assert "OPCON" in phrases[:5] and "roadmap" in [p.lower() for p in phrases[:5]]
    assert len({p.lower() for p in phrases}) == len(phrases)


def test_keyphrases_of_empty_text_are_empty():
    assert keyphrases("", "") == []


def test_enricher_fills_keywords_and_hashtags():
    article = Article(title="Allies adopt OPCON roadmap", text=TEXT, outlet="The Seoul Ledger")
    KeywordsEnricher().enrich([article], None)
    assert article.keywords and len(article.keywords) <= 10
    assert "OPCON" in article.hashtags
    assert all(" " not in tag and not tag.startswith("#") for tag in article.hashtags)
